"""Background work of the tables: Time to Live expiry and stream retention.

TTL ("Using time to live", developer guide): an item whose TTL attribute is a number of
epoch seconds in the past is deleted by the service within a short while, never when the
value is more than five years old; the deletion is a stream record whose userIdentity
says the service did it (principalId ``dynamodb.amazonaws.com``).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from decimal import Decimal

from stratus.services.tables import sqlite as sql
from stratus.services.tables.items import commit_change
from stratus.services.tables.model import TableDefinition
from stratus.services.tables.service import TableService
from stratus.services.tables.streams import RETENTION_S

log = logging.getLogger(__name__)
FIVE_YEARS_S = 5 * 365 * 24 * 3600
INTERVAL_S = 2.0


class Housekeeping:
    def __init__(self, service: TableService, interval_s: float = INTERVAL_S) -> None:
        self._service = service
        self._interval = interval_s

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.sweep()
            except Exception:  # keep sweeping; one bad pass is logged
                log.exception("tables housekeeping failed")

    async def sweep(self) -> int:
        expired = 0
        now = time.time()
        for table in self._service.catalog.all():
            if table.ttl_enabled and table.ttl_attribute:
                expired += await self._expire(table, now)
        await self._service.db.write(lambda c: sql.trim_records(c, now - RETENTION_S))
        return expired

    async def _expire(self, table: TableDefinition, now: float) -> int:
        attribute = table.ttl_attribute
        clock = self._service.clock
        peers = self._service.catalog.peers(table)  # TTL deletes replicate (2019.11.21)

        def job(conn: sqlite3.Connection) -> int:
            count = 0
            for hk, rk, data in list(sql.all_items(conn, table.table_id)):
                item = sql.decode_item(data)
                value = item.get(attribute or "")
                if value is None or "N" not in value:
                    continue
                expires = Decimal(value["N"])
                if expires > Decimal(now) or expires < Decimal(now - FIVE_YEARS_S):
                    continue
                commit_change(
                    conn, table, (hk, rk), item, None, clock, by_service=True, peers=peers
                )
                count += 1
            return count

        # marked changed around the sweep (point-in-time restores; service.last_change)
        self._service.touch([table.table_id])
        try:
            return await self._service.db.write(job)
        finally:
            self._service.touch([table.table_id])
