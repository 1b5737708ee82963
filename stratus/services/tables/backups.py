"""On-demand backups and restores: a backup is the table's definition and a copy of its
items as of one instant; a restore is a new table filled from such a copy (a backup's, or
the live table's for a point-in-time restore).

Why copies go in chunks: a table may hold millions of items. The copy reads them from one
SQLite read snapshot (a connection of its own, holding one read transaction for the whole
copy, so every item is as of the same instant however long the copy takes) and writes
them through the tables' writer a chunk at a time. Other requests' writes interleave
between chunks instead of queueing behind one huge commit, and nothing runs on the event
loop's thread.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from stratus.services.tables import sqlite as sql
from stratus.services.tables.catalog import Catalog
from stratus.services.tables.errors import (
    BackupInUse,
    BackupNotFound,
    TableAlreadyExists,
)
from stratus.services.tables.items import index_key
from stratus.services.tables.model import Index, TableDefinition
from stratus.store.sqlite.database import SQLiteDatabase

CHUNK_ROWS = 500  # rows per writer job: a few milliseconds of the writer at most

CREATING = "CREATING"
AVAILABLE = "AVAILABLE"
DELETED = "DELETED"


@dataclass(slots=True)
class Backup:
    """One backup's description (the items are rows of ``ddb_backup_items``)."""

    bid: int
    arn: str
    name: str
    account: str
    region: str
    table: dict[str, Any]  # the source TableDefinition's record, as it was
    created: float
    status: str = CREATING
    kind: str = "USER"
    size: int = 0
    count: int = 0

    @property
    def definition(self) -> TableDefinition:
        return TableDefinition.from_record(self.table)

    def to_record(self) -> dict[str, Any]:
        return asdict(self)


class Snapshot:
    """One read transaction on a connection of its own, read chunk by chunk from a thread:
    every chunk sees the database as of :meth:`open`."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._conn: sqlite3.Connection | None = None

    async def open(self) -> None:
        await asyncio.to_thread(self._open)

    def _open(self) -> None:
        conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA query_only=ON")
        conn.execute("BEGIN")
        conn.execute("SELECT count(*) FROM ddb_tables").fetchone()  # the snapshot starts here
        self._conn = conn

    async def rows(
        self, fetch: Callable[[sqlite3.Connection], list[sql.ItemRow]]
    ) -> list[sql.ItemRow]:
        conn = self._conn
        assert conn is not None
        return await asyncio.to_thread(fetch, conn)

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            await asyncio.to_thread(conn.close)


RowSource = Callable[[tuple[bytes, bytes] | None], Awaitable[list[sql.ItemRow]]]


async def copy_rows(
    db: SQLiteDatabase,
    source: RowSource,
    sink: Callable[[sqlite3.Connection, list[sql.ItemRow]], None],
) -> tuple[int, int]:
    """Every row of ``source`` (key order, chunk by chunk) into ``sink`` in the writer;
    the count of rows and their bytes."""
    count = size = 0
    after: tuple[bytes, bytes] | None = None
    while True:
        rows = await source(after)
        if not rows:
            return count, size
        await db.write(lambda c, rows=rows: sink(c, rows))  # type: ignore[misc]
        count += len(rows)
        size += sum(row[3] for row in rows)
        after = (rows[-1][0], rows[-1][1])
        if len(rows) < CHUNK_ROWS:
            return count, size


def _filler(db: SQLiteDatabase, source: RowSource) -> Callable[[TableDefinition], Awaitable[None]]:
    """A restore's ``fill``: the rows, and their entries in the new table's indexes."""

    async def fill(table: TableDefinition) -> None:
        tid = table.table_id
        indexes = list(table.indexes.values())

        def sink(conn: sqlite3.Connection, rows: list[sql.ItemRow]) -> None:
            sql.put_item_rows(conn, tid, rows)
            for hk, rk, data, _ in rows:
                if not indexes:
                    break
                item = sql.decode_item(data)
                for index in indexes:
                    key = index_key(index, item)
                    if key is not None:
                        sql.put_index(conn, tid, index.name, key, (hk, rk))

        await copy_rows(db, source, sink)

    return fill


@dataclass(slots=True)
class RestoreRequest:
    """Where a restore goes and what it changes of the source's definition."""

    account: str
    region: str
    target: str
    billing_mode: str | None = None
    provisioned: dict[str, int] | None = None
    gsis: list[Index] | None = None  # None: the source's
    lsis: list[Index] | None = None
    sse: dict[str, Any] | None = None
    # RestoreSummary's facts: source_backup_arn or source_table_arn, and time (epoch)
    origin: dict[str, Any] | None = None


class Backups:
    """The backups of every account and region (descriptions in memory, written through)."""

    def __init__(self, db: SQLiteDatabase, catalog: Catalog) -> None:
        self._db = db
        self._catalog = catalog
        self._backups: dict[str, Backup] = {}

    async def load(self) -> None:
        for bid, record in await self._db.read(sql.load_backups):
            record["bid"] = bid
            backup = Backup(**record)
            if backup.status == CREATING:  # the server stopped during the copy
                await self._db.write(lambda c, b=bid: sql.drop_backup(c, b))  # type: ignore[misc]
                continue
            self._backups[backup.arn] = backup

    # -- lookups ---------------------------------------------------------------------
    def get(self, arn: str) -> Backup:
        backup = self._backups.get(arn)
        if backup is None:
            raise BackupNotFound(arn)
        return backup

    def in_scope(self, account: str, region: str) -> list[Backup]:
        return sorted(
            (b for b in self._backups.values() if b.account == account and b.region == region),
            key=lambda b: (b.created, b.arn),
        )

    # -- changes ---------------------------------------------------------------------
    async def create(self, table: TableDefinition, name: str) -> Backup:
        """A backup of ``table`` as of now: its definition, and its items copied from one
        read snapshot taken before this returns."""
        snapshot = Snapshot(self._db.path)
        await snapshot.open()
        try:
            now = time.time()
            arn = f"{table.arn}/backup/{int(now * 1000):014d}-{os.urandom(4).hex()}"
            backup = Backup(0, arn, name, table.account, table.region, table.to_record(), now)
            record = backup.to_record()
            backup.bid = await self._db.write(lambda c: sql.insert_backup(c, arn, record))
            self._backups[arn] = backup
            tid, bid = table.table_id, backup.bid

            async def source(after: tuple[bytes, bytes] | None) -> list[sql.ItemRow]:
                return await snapshot.rows(lambda c: sql.item_rows_after(c, tid, after, CHUNK_ROWS))

            try:
                backup.count, backup.size = await copy_rows(
                    self._db, source, lambda c, rows: sql.put_backup_rows(c, bid, rows)
                )
            except BaseException:
                self._backups.pop(arn, None)
                await self._db.write(lambda c: sql.drop_backup(c, bid))
                raise
        finally:
            await snapshot.close()
        backup.status = AVAILABLE
        await self._save(backup)
        return backup

    async def delete(self, arn: str) -> Backup:
        backup = self.get(arn)
        if backup.status == CREATING:
            raise BackupInUse(f"Backup is being created: {arn}")
        bid = backup.bid
        await self._db.write(lambda c: sql.drop_backup(c, bid))
        self._backups.pop(arn, None)
        backup.status = DELETED
        return backup

    async def restore(self, backup: Backup, request: RestoreRequest) -> TableDefinition:
        """A new table with ``backup``'s items (and its indexes unless overridden)."""
        if backup.status == CREATING:
            raise BackupInUse(f"Backup is being created: {backup.arn}")
        bid = backup.bid

        async def source(after: tuple[bytes, bytes] | None) -> list[sql.ItemRow]:
            return await self._db.read(lambda c: sql.backup_rows_after(c, bid, after, CHUNK_ROWS))

        return await self._restore(backup.definition, request, source)

    async def restore_live(
        self,
        table: TableDefinition,
        request: RestoreRequest,
        check: Callable[[], None],
    ) -> TableDefinition:
        """A new table with ``table``'s items as of one snapshot; ``check`` runs once the
        snapshot is taken (a point-in-time restore refuses there a time it cannot give)."""
        snapshot = Snapshot(self._db.path)
        await snapshot.open()
        try:
            check()
            tid = table.table_id

            async def source(after: tuple[bytes, bytes] | None) -> list[sql.ItemRow]:
                return await snapshot.rows(lambda c: sql.item_rows_after(c, tid, after, CHUNK_ROWS))

            return await self._restore(table, request, source)
        finally:
            await snapshot.close()

    async def _restore(
        self, source_table: TableDefinition, request: RestoreRequest, source: RowSource
    ) -> TableDefinition:
        if self._catalog.find(request.account, request.region, request.target) is not None:
            raise TableAlreadyExists(request.target)
        gsis = (
            request.gsis
            if request.gsis is not None
            else [i for i in source_table.indexes.values() if not i.local]
        )
        lsis = (
            request.lsis
            if request.lsis is not None
            else [i for i in source_table.indexes.values() if i.local]
        )
        used = set(source_table.keys.names)
        for index in [*gsis, *lsis]:
            used.update(index.keys.names)
        types = {n: t for n, t in source_table.attribute_types.items() if n in used}
        billing = request.billing_mode or source_table.billing_mode
        provisioned = request.provisioned
        if provisioned is None and billing == "PROVISIONED":
            provisioned = source_table.provisioned
        if billing == "PAY_PER_REQUEST":
            provisioned = None
        fill = _filler(self._db, source)

        async def fill_and_mark(table: TableDefinition) -> None:
            table.restore = dict(request.origin or {})
            await fill(table)

        # What a restore brings along, per AWS: keys, indexes, billing, encryption; not
        # streams, TTL, tags, PITR, policies or contributor insights (set those again).
        return await self._catalog.create(
            request.account,
            request.region,
            request.target,
            source_table.keys,
            types,
            gsis=gsis,
            lsis=lsis,
            billing_mode=billing,
            provisioned=provisioned,
            sse=request.sse if request.sse is not None else source_table.sse,
            table_class=source_table.table_class,
            fill=fill_and_mark,
        )

    async def _save(self, backup: Backup) -> None:
        record, bid = backup.to_record(), backup.bid
        await self._db.write(lambda c: sql.save_backup(c, bid, record))
