"""The tables service: item writes (each one writer savepoint: read, check, write item,
indexes and stream record), reads (one reader snapshot), batches and transactions.

Every write runs inside the tables database's writer thread, which runs one request's
function at a time: a condition check and the write it guards are therefore atomic, and
a transaction's checks and writes are too (all in one savepoint, undone together).
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import orjson

from stratus.services.tables import collections
from stratus.services.tables import sqlite as sql
from stratus.services.tables.backups import Backups
from stratus.services.tables.catalog import Catalog
from stratus.services.tables.errors import (
    CancellationReason,
    ConditionFailed,
    IdempotentMismatch,
    TablesError,
    TransactionCanceled,
    ValidationError,
    invalid,
)
from stratus.services.tables.exports import Exports
from stratus.services.tables.expressions import ast
from stratus.services.tables.expressions.evaluate import matches, project
from stratus.services.tables.expressions.update import apply_update
from stratus.services.tables.imports import Imports
from stratus.services.tables.inline import ROW_BUDGET, InlineReads, NotInline
from stratus.services.tables.items import (
    Key,
    StreamClock,
    check_item_keys,
    commit_change,
    key_of,
    key_values,
)
from stratus.services.tables.keycondition import KeyRange, key_range
from stratus.services.tables.keys import encode_key
from stratus.services.tables.model import ALL, INCLUDE, KEYS_ONLY, Index, TableDefinition
from stratus.services.tables.replicas import Replicas
from stratus.services.tables.transfer_jobs import TransferJobs
from stratus.services.tables.values import Item, check_size, check_update_size, normalize_item
from stratus.store.sqlite.database import SQLiteDatabase

T = TypeVar("T")
PAGE_BYTES = 1024 * 1024
TOKEN_TTL_S = 600.0


@dataclass(slots=True)
class Page:
    items: list[Item]
    count: int
    scanned: int
    last_key: Item | None


@dataclass(slots=True)
class WriteOp:
    """One write of a batch or transaction."""

    kind: str  # Put, Delete, Update, ConditionCheck
    table: TableDefinition
    key: Key
    item: Item | None = None  # Put
    update: list[ast.UpdateAction] | None = None
    condition: ast.Condition | None = None
    return_on_failure: bool = False
    key_item: Item = field(default_factory=dict)
    # the cancellation reason when ``condition`` fails (a PartiQL INSERT's: DuplicateItem)
    failure: tuple[str, str] = ("ConditionalCheckFailed", "The conditional request failed")


class TableService:
    def __init__(self, db: SQLiteDatabase) -> None:
        self.db = db
        self.catalog = Catalog(db)
        self.backups = Backups(db, self.catalog)
        self.jobs = TransferJobs()  # exports and imports run here (the component's task)
        self.exports = Exports(db, self.jobs)
        self.imports = Imports(db, self.catalog, self.jobs)
        self.clock = StreamClock()
        self.replicas = Replicas(db, self.catalog, self.clock)
        self.writes = 0  # acknowledged item writes (statistics)
        # item collections of tables with LSIs (collections.py): 10 GB, as on AWS; lower
        # only through ``stratus up --limit item_collection_bytes=N`` (tests)
        self.collection_limit = collections.LIMIT_BYTES
        self.inline = InlineReads(db.path)
        self.started = time.time()
        self.changed: dict[int, float] = {}  # table id -> time of its latest item write

    def close(self) -> None:
        self.inline.close()

    async def _read(
        self,
        fn: Callable[[sqlite3.Connection], T],
        full: Callable[[sqlite3.Connection], T] | None = None,
        *,
        snapshot: bool = True,
    ) -> T:
        """``fn`` on the loop's thread when it fits (inline.py: within its row budget,
        the file not busy), else ``full`` (or ``fn``) in the reader pool."""
        try:
            return self.inline.run(fn, snapshot=snapshot)
        except NotInline:
            return await self.db.read(full or fn)

    async def load(self) -> None:
        await self.catalog.load()
        await self.backups.load()
        await self.exports.load()
        await self.imports.load()
        self.clock.last = await self.db.read(sql.max_seq)

    async def _write(
        self, fn: Callable[[sqlite3.Connection], T], tables: Iterable[TableDefinition] = ()
    ) -> T:
        """``fn`` in the writer; ``tables`` are marked changed before and after it, so a
        point-in-time restore knows no write it could miss was in flight (last_change)."""
        tids = [t.table_id for t in tables]
        self.touch(tids)
        try:
            result = await self.db.write(fn)
        finally:
            self.touch(tids)
        self.writes += 1
        return result

    def touch(self, tids: list[int]) -> None:
        now = time.time()
        for tid in tids:
            self.changed[tid] = now

    def last_change(self, table: TableDefinition) -> float:
        """When ``table``'s items last changed, as far as this process knows (its start,
        when it has not seen a write since: an earlier change is older than that)."""
        return self.changed.get(table.table_id, self.started)

    # -- single items ----------------------------------------------------------------
    async def put(
        self,
        table: TableDefinition,
        raw: dict[str, Any],
        condition: ast.Condition | None,
        *,
        return_on_failure: bool = False,
        sizes: list[Collected] | None = None,
    ) -> Item | None:
        """Write ``raw`` (checked and normalized); the old item. ``sizes`` receives the
        item collection's size (tables with LSIs)."""
        item = normalize_item(raw)
        key = check_item_keys(table, item)
        check_size(item)
        clock, limit = self.clock, self.collection_limit
        peers = self.catalog.peers(table)

        def job(conn: sqlite3.Connection) -> Item | None:
            old = sql.get_item(conn, table.table_id, *key)
            _check(condition, old, return_on_failure)
            size = commit_change(
                conn, table, key, old, item, clock, collection_limit=limit, peers=peers
            )
            _collected(sizes, table, item, size)
            return old

        return await self._write(job, (table,))

    async def get(
        self, table: TableDefinition, raw_key: dict[str, Any], projection: list[ast.Path] | None
    ) -> Item | None:
        key, _ = key_of(table, raw_key)
        tid, hk, rk = table.table_id, key[0], key[1]
        item = await self._read(lambda c: sql.get_item(c, tid, hk, rk), snapshot=False)
        if item is not None and projection is not None:
            return project(item, projection)
        return item

    async def delete(
        self,
        table: TableDefinition,
        raw_key: dict[str, Any],
        condition: ast.Condition | None,
        *,
        return_on_failure: bool = False,
        sizes: list[Collected] | None = None,
    ) -> Item | None:
        key, key_item = key_of(table, raw_key)
        clock, limit = self.clock, self.collection_limit
        peers = self.catalog.peers(table)

        def job(conn: sqlite3.Connection) -> Item | None:
            old = sql.get_item(conn, table.table_id, *key)
            _check(condition, old, return_on_failure)
            size = commit_change(
                conn, table, key, old, None, clock, collection_limit=limit, peers=peers
            )
            _collected(sizes, table, key_item, size)
            return old

        return await self._write(job, (table,))

    async def update(
        self,
        table: TableDefinition,
        raw_key: dict[str, Any],
        actions: list[ast.UpdateAction],
        condition: ast.Condition | None,
        *,
        return_on_failure: bool = False,
        sizes: list[Collected] | None = None,
    ) -> tuple[Item | None, Item]:
        key, key_item = key_of(table, raw_key)
        _check_key_updates(table, actions)
        clock, limit = self.clock, self.collection_limit
        peers = self.catalog.peers(table)

        def job(conn: sqlite3.Connection) -> tuple[Item | None, Item]:
            old = sql.get_item(conn, table.table_id, *key)
            _check(condition, old, return_on_failure)
            new = apply_update(old if old is not None else dict(key_item), actions)
            check_item_keys(table, new)
            check_update_size(new)
            size = commit_change(
                conn, table, key, old, new, clock, collection_limit=limit, peers=peers
            )
            _collected(sizes, table, key_item, size)
            return old, new

        return await self._write(job, (table,))

    # -- reads -----------------------------------------------------------------------
    async def query(
        self,
        table: TableDefinition,
        index: Index | None,
        key_condition: ast.Condition,
        filter_: ast.Condition | None,
        *,
        forward: bool = True,
        limit: int | None = None,
        start_key: dict[str, Any] | None = None,
    ) -> Page:
        keys = index.keys if index is not None else table.keys
        bounds = key_range(key_condition, keys, table.attribute_types)
        budget = ROW_BUDGET
        start = _start_position(table, index, start_key) if start_key else None
        if start is not None:
            # AWS refuses a start key the key condition could not have returned
            hk, rk = start[0], start[1]  # on an index: its own keys come first
            if hk != bounds.hash_key or (
                rk
                and not _within(
                    rk, bounds.low, bounds.low_inclusive, bounds.high, bounds.high_inclusive
                )
            ):
                raise ValidationError(
                    "The provided starting key does not match the range key predicate"
                )
        return await self._read(
            lambda c: _query(c, table, index, bounds, filter_, forward, limit, start, budget),
            lambda c: _query(c, table, index, bounds, filter_, forward, limit, start),
        )

    async def scan(
        self,
        table: TableDefinition,
        index: Index | None,
        filter_: ast.Condition | None,
        *,
        limit: int | None = None,
        start_key: dict[str, Any] | None = None,
        segment: tuple[int, int] | None = None,
    ) -> Page:
        start = _start_position(table, index, start_key) if start_key else None
        budget = ROW_BUDGET
        return await self._read(
            lambda c: _scan(c, table, index, filter_, limit, start, segment, budget),
            lambda c: _scan(c, table, index, filter_, limit, start, segment),
        )

    async def counts(self, table: TableDefinition) -> tuple[int, int, dict[str, int]]:
        def read(conn: sqlite3.Connection) -> tuple[int, int, dict[str, int]]:
            count, size = sql.count_items(conn, table.table_id)
            per_index = {n: sql.count_index(conn, table.table_id, n) for n in table.indexes}
            return count, size, per_index

        return await self.db.read(read)

    # -- batches ---------------------------------------------------------------------
    async def batch_get(
        self, requests: list[tuple[TableDefinition, list[Key], list[ast.Path] | None]]
    ) -> list[list[Item]]:
        def read(conn: sqlite3.Connection) -> list[list[Item]]:
            out = []
            for table, keys, projection in requests:
                found = []
                for key in keys:
                    item = sql.get_item(conn, table.table_id, *key)
                    if item is not None:
                        found.append(project(item, projection) if projection else item)
                out.append(found)
            return out

        return await self.db.read(read)

    async def batch_write(self, ops: list[WriteOp], sizes: list[Collected] | None = None) -> None:
        seen: set[tuple[int, Key]] = set()
        for op in ops:
            ident = (op.table.table_id, op.key)
            if ident in seen:
                raise ValidationError("Provided list of item keys contains duplicates")
            seen.add(ident)
        clock, limit = self.clock, self.collection_limit
        peers = {op.table.table_id: self.catalog.peers(op.table) for op in ops}

        def job(conn: sqlite3.Connection) -> None:
            for op in ops:
                old = sql.get_item(conn, op.table.table_id, *op.key)
                size = commit_change(
                    conn,
                    op.table,
                    op.key,
                    old,
                    op.item,
                    clock,
                    collection_limit=limit,
                    peers=peers[op.table.table_id],
                )
                _collected(sizes, op.table, op.item or old or {}, size)

        await self._write(job, [op.table for op in ops])

    # -- transactions ----------------------------------------------------------------
    async def transact_get(
        self, requests: list[tuple[TableDefinition, Key, list[ast.Path] | None]]
    ) -> list[Item | None]:
        def read(conn: sqlite3.Connection) -> list[Item | None]:
            out: list[Item | None] = []
            for table, key, projection in requests:
                item = sql.get_item(conn, table.table_id, *key)
                out.append(project(item, projection) if item and projection else item)
            return out

        return await self.db.read(read)

    async def transact_write(
        self,
        ops: list[WriteOp],
        token: str | None,
        digest_source: Any,
        sizes: list[Collected] | None = None,
    ) -> None:
        seen: set[tuple[int, Key]] = set()
        for op in ops:
            ident = (op.table.table_id, op.key)
            if ident in seen:
                raise ValidationError(
                    "Transaction request cannot include multiple operations on one item"
                )
            seen.add(ident)
            if op.update is not None:
                _check_key_updates(op.table, op.update)
        digest = hashlib.sha256(orjson.dumps(digest_source, default=repr)).hexdigest()
        clock, limit = self.clock, self.collection_limit
        peers = {op.table.table_id: self.catalog.peers(op.table) for op in ops}

        def job(conn: sqlite3.Connection) -> None:
            now = time.time()
            if token is not None:
                known = sql.token_digest(conn, token, now - TOKEN_TTL_S)
                if known is not None:
                    if known != digest:
                        raise IdempotentMismatch("Request token in use with different parameters")
                    return  # already done: answer as the first time
            olds: list[Item | None] = []
            reasons: list[CancellationReason] = []
            failed = False
            for op in ops:
                old = sql.get_item(conn, op.table.table_id, *op.key)
                olds.append(old)
                if op.condition is not None and not matches(old or {}, op.condition):
                    failed = True
                    reasons.append(
                        CancellationReason(*op.failure, old if op.return_on_failure else None)
                    )
                else:
                    reasons.append(CancellationReason("None"))
            news: list[Item | None] = []
            if not failed:
                for op, old in zip(ops, olds, strict=True):
                    try:
                        news.append(_new_item(op, old))
                    except ValidationError as exc:
                        index = len(news)
                        reasons[index] = CancellationReason("ValidationError", exc.message)
                        failed = True
                        break
            if failed:
                raise TransactionCanceled(reasons)
            for op, old, new in zip(ops, olds, news, strict=True):
                if op.kind != "ConditionCheck":
                    size = commit_change(
                        conn,
                        op.table,
                        op.key,
                        old,
                        new,
                        clock,
                        collection_limit=limit,
                        peers=peers[op.table.table_id],
                    )
                    _collected(sizes, op.table, new or old or op.key_item, size)
            if token is not None:
                sql.save_token(conn, token, digest, now)

        await self._write(job, [op.table for op in ops])


# (table, an item of the collection, the collection's size): ItemCollectionMetrics
Collected = tuple[TableDefinition, Item, int]


def _collected(
    sizes: list[Collected] | None, table: TableDefinition, item: Item, size: int | None
) -> None:
    if sizes is not None and size is not None and table.keys.hash_key in item:
        sizes.append((table, item, size))


def _new_item(op: WriteOp, old: Item | None) -> Item | None:
    if op.kind == "Put":
        return op.item
    if op.kind == "Delete":
        return None
    if op.kind == "ConditionCheck":
        return old
    assert op.update is not None
    new = apply_update(old if old is not None else dict(op.key_item), op.update)
    check_item_keys(op.table, new)
    check_update_size(new)
    return new


def _check(condition: ast.Condition | None, old: Item | None, return_on_failure: bool) -> None:
    if condition is not None and not matches(old or {}, condition):
        raise ConditionFailed(old if return_on_failure else None)


def _check_key_updates(table: TableDefinition, actions: list[ast.UpdateAction]) -> None:
    for action in actions:
        if action.path.top in table.keys.names:
            raise invalid(
                f"Cannot update attribute {action.path.top}. This attribute is part of the key"
            )


# -- reads (in a reader thread) ----------------------------------------------------------
Position = tuple[bytes, ...]


def _start_position(
    table: TableDefinition, index: Index | None, start_key: dict[str, Any]
) -> Position:
    """ExclusiveStartKey as an encoded position: (hk, rk) on a table, (ihk, irk, hk, rk)
    on an index."""
    names = list(table.keys.names)
    if index is not None:
        names += [n for n in index.keys.names if n not in names]
    if set(start_key) != set(names):
        raise ValidationError(
            "The provided starting key is invalid: The provided key element does not match "
            "the schema"
        )
    try:
        item = normalize_item(start_key)
    except TablesError:
        raise ValidationError("The provided starting key is invalid") from None
    base = (
        encode_key(item[table.keys.hash_key]),
        encode_key(item[table.keys.range_key]) if table.keys.range_key else b"",
    )
    if index is None:
        return base
    ihk = encode_key(item[index.keys.hash_key])
    irk = encode_key(item[index.keys.range_key]) if index.keys.range_key else b""
    return (ihk, irk, *base)


def _index_view(table: TableDefinition, index: Index | None, item: Item) -> Item:
    if index is None or index.projection.kind == ALL:
        return item
    names = set(table.keys.names) | set(index.keys.names)
    if index.projection.kind == INCLUDE:
        names |= set(index.projection.non_key)
    return {k: v for k, v in item.items() if k in names}


def _last_key(table: TableDefinition, index: Index | None, item: Item) -> Item:
    key = key_values(table, item)
    if index is not None:
        for name in index.keys.names:
            key[name] = item[name]
    return key


def _query(
    conn: sqlite3.Connection,
    table: TableDefinition,
    index: Index | None,
    bounds: KeyRange,
    filter_: ast.Condition | None,
    forward: bool,
    limit: int | None,
    start: Position | None,
    budget: int | None = None,
) -> Page:
    low, low_inc, high, high_inc = (
        bounds.low,
        bounds.low_inclusive,
        bounds.high,
        bounds.high_inclusive,
    )
    items: list[Item] = []
    scanned = 0
    size = 0
    last: Item | None = None
    tid = table.table_id
    fetched = 0  # rows read (the inline budget counts them)
    cursor_low: tuple[bytes, ...] | None = None
    cursor_high: tuple[bytes, ...] | None = None
    if start is not None:
        position = start[1:] if index is not None else start[1:2]
        if forward:
            cursor_low = position
        else:
            cursor_high = position
    while True:
        if budget is not None and fetched >= budget:
            raise NotInline("more rows than a read on the loop's thread may fetch")
        want = 100 if limit is None else min(100, limit - scanned)
        if index is None:
            lo, lo_inc, hi, hi_inc = low, low_inc, high, high_inc
            if cursor_low is not None and (lo is None or cursor_low[0] >= lo):
                lo, lo_inc = cursor_low[0], False
            if cursor_high is not None and (hi is None or cursor_high[0] <= hi):
                hi, hi_inc = cursor_high[0], False
            rows: list[tuple[bytes, tuple[bytes, ...], bytes, int]] = [
                (r[1], (r[1],), r[2], r[3])
                for r in sql.query_rows(
                    conn, tid, bounds.hash_key, lo, lo_inc, hi, hi_inc, forward, want
                )
            ]
        else:
            ilo: tuple[bytes, ...] | None = (low,) if low is not None else None
            ihi: tuple[bytes, ...] | None = (high,) if high is not None else None
            ilo_inc, ihi_inc = low_inc, high_inc
            if cursor_low is not None:
                ilo, ilo_inc = cursor_low, False
            if cursor_high is not None:
                ihi, ihi_inc = cursor_high, False
            raw = sql.index_query_rows(
                conn, tid, index.name, bounds.hash_key, ilo, ilo_inc, ihi, ihi_inc, forward, want
            )
            # a cursor replaced one bound: the key condition's own bound still holds
            raw = [r for r in raw if _within(r[0], low, low_inc, high, high_inc)]
            rows = [(r[0], (r[0], r[1], r[2]), r[4], r[5]) for r in raw]
        if not rows:
            last = None
            break
        fetched += len(rows)
        for _, position, data, item_bytes in rows:
            item = sql.decode_item(data)
            scanned += 1
            size += item_bytes
            if filter_ is None or matches(item, filter_):
                items.append(_index_view(table, index, item))
            last = _last_key(table, index, item)
            if forward:
                cursor_low = position
            else:
                cursor_high = position
            if (limit is not None and scanned >= limit) or size >= PAGE_BYTES:
                return Page(items, len(items), scanned, last)
        if len(rows) < want:
            last = None
            break
    return Page(items, len(items), scanned, last)


def _within(
    rk: bytes, low: bytes | None, low_inc: bool, high: bytes | None, high_inc: bool
) -> bool:
    if low is not None and (rk < low or (rk == low and not low_inc)):
        return False
    return not (high is not None and (rk > high or (rk == high and not high_inc)))


def _scan(
    conn: sqlite3.Connection,
    table: TableDefinition,
    index: Index | None,
    filter_: ast.Condition | None,
    limit: int | None,
    start: Position | None,
    segment: tuple[int, int] | None,
    budget: int | None = None,
) -> Page:
    items: list[Item] = []
    scanned = 0
    size = 0
    last: Item | None = None
    after = start
    tid = table.table_id
    fetched = 0  # rows read (the inline budget counts them)
    while True:
        if budget is not None and fetched >= budget:
            raise NotInline("more rows than a read on the loop's thread may fetch")
        want = 100 if limit is None else min(100, max(1, limit - scanned))
        rows: list[tuple[tuple[bytes, ...], bytes, bytes, int]]
        if index is None:
            base_after = (after[0], after[1]) if after is not None else None
            rows = [
                ((r[0], r[1]), r[0], r[2], r[3]) for r in sql.scan_rows(conn, tid, base_after, want)
            ]
        else:
            rows = [
                ((r[0], r[1], r[2], r[3]), r[2], r[4], r[5])
                for r in sql.index_scan_rows(
                    conn,
                    tid,
                    index.name,
                    (after[0], after[1], after[2], after[3]) if after else None,
                    want,
                )
            ]
        if not rows:
            return Page(items, len(items), scanned, None)
        fetched += len(rows)
        for position, hk, data, item_bytes in rows:
            after = position
            if segment is not None and zlib.crc32(hk) % segment[1] != segment[0]:
                continue
            item = sql.decode_item(data)
            scanned += 1
            size += item_bytes
            if filter_ is None or matches(item, filter_):
                items.append(_index_view(table, index, item))
            last = _last_key(table, index, item)
            if (limit is not None and scanned >= limit) or size >= PAGE_BYTES:
                return Page(items, len(items), scanned, last)
        if len(rows) < want:
            return Page(items, len(items), scanned, None)


def projected_names(index: Index, table: TableDefinition) -> set[str] | None:
    if index.projection.kind == ALL:
        return None
    names = set(table.keys.names) | set(index.keys.names)
    if index.projection.kind == INCLUDE:
        names |= set(index.projection.non_key)
    return names


__all__ = ["KEYS_ONLY", "Collected", "Page", "Sequence", "TableService", "WriteOp"]
