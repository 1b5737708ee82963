"""The Logs API's catalog: every group, stream and filter of every account, in memory
and written through to the store before a change is acknowledged.

A group exists when a caller created it, when a function logs to it (the read view,
``LogService``) or when another service wrote to it (API Gateway's access logs). The
last two have no record until a call needs one (a retention, tags, a filter): then one
is *materialized*, with the time of that call as its creation time.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

from stratus.services.logs.catalog_sqlite import CatalogSnapshot, SQLiteLogCatalogStore
from stratus.services.logs.errors import LogGroupNotFound, LogStreamNotFound
from stratus.services.logs.records import LogGroupRecord, LogStreamRecord
from stratus.services.logs.service import LogService, written_key
from stratus.services.scope import Scope

Write = Callable[[sqlite3.Connection], object]


def now_ms() -> int:
    return int(time.time() * 1000)


class LogCatalog:
    def __init__(self, store: SQLiteLogCatalogStore, view: LogService) -> None:
        self.store = store
        self.view = view
        self.state = CatalogSnapshot()

    async def load(self) -> None:
        self.state = await self.store.load()

    # -- groups ------------------------------------------------------------------------
    def record(self, scope: Scope, name: str) -> LogGroupRecord | None:
        return self.state.groups.get(scope, {}).get(name)

    def implicit(self, scope: Scope, name: str) -> bool:
        """A group that exists without a record: a function's, or one written to."""
        try:
            self.view.functions_of(scope, name)
        except LogGroupNotFound:
            return False
        return True

    def exists(self, scope: Scope, name: str) -> bool:
        return self.record(scope, name) is not None or self.implicit(scope, name)

    async def require(self, scope: Scope, name: str) -> LogGroupRecord:
        """The group's record, materialized if the group exists without one."""
        found = self.record(scope, name)
        if found is not None:
            return found
        if not self.implicit(scope, name):
            raise LogGroupNotFound()
        record = LogGroupRecord(name, now_ms())
        await self.save_group(scope, record)
        return record

    async def save_group(self, scope: Scope, record: LogGroupRecord, *also: Write) -> None:
        writes = [self.store.put_group(scope, record), *also]

        def run(conn: sqlite3.Connection) -> None:
            for write in writes:
                write(conn)

        await self.store.write(run)
        current = self.record(scope, record.name)
        if current is not None:  # its count, grown meanwhile, is the one that holds
            record.stored_bytes = current.stored_bytes
        self.state.groups.setdefault(scope, {})[record.name] = record

    def add_bytes(self, scope: Scope, name: str, delta: int) -> None:
        """The in-memory side of ``store.add_bytes`` (the record as it is now)."""
        record = self.record(scope, name)
        if record is not None:
            record.stored_bytes = max(0, record.stored_bytes + delta)

    def names(self, scope: Scope) -> set[str]:
        return set(self.state.groups.get(scope, {})) | set(self.view.groups(scope))

    def keys(self, scope: Scope, name: str) -> list[str]:
        """The log store's keys holding the group's events (its functions', its own);
        LogGroupNotFound when the group does not exist."""
        try:
            return self.view.functions_of(scope, name)
        except LogGroupNotFound:
            if self.record(scope, name) is None:
                raise
            return []

    def retention_start(self, scope: Scope, name: str) -> int | None:
        """The oldest timestamp still kept (None: kept forever)."""
        record = self.record(scope, name)
        if record is None or record.retention_days is None:
            return None
        return now_ms() - record.retention_days * 86_400_000

    # -- streams -----------------------------------------------------------------------
    def stream_records(self, scope: Scope, group: str) -> dict[str, LogStreamRecord]:
        return self.state.streams.get((scope, group), {})

    def own_key(self, scope: Scope, group: str) -> str:
        return written_key(scope, group)

    def require_stream(self, scope: Scope, group: str, name: str) -> LogStreamRecord:
        found = self.stream_records(scope, group).get(name)
        if found is None:
            raise LogStreamNotFound()
        return found
