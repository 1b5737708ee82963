"""The tables' SQLite schema and the statements on it, run inside the database's writer
(writes, one group-commit savepoint per request) or a reader (reads, one snapshot).

Why a database file of its own (``tables.db`` next to the platform's): the platform's
file has one writer thread for every service; item writes are the busiest writes a
platform has, so they get their writer and group commit, and a burst of PutItems never
queues behind (or delays) queue messages or workflow history. Within the file, readers
use WAL snapshots: a write to one table never blocks a read of any table.

Layout: ``items(tid, hk, rk)`` holds each item (marshal-encoded attribute values) under
its encoded keys (``keys.py``: byte order is DynamoDB's order); ``index_items(tid, idx,
hk, rk, bhk, brk)`` maps each index key to the base item's key and is written in the same
savepoint as the item; ``stream_records(tid, seq)`` holds the change records, written in
that savepoint too, so a record exists exactly when its change was committed.
"""

from __future__ import annotations

import marshal
import sqlite3
from collections.abc import Iterator
from typing import Any

import orjson

from stratus.store.sqlite.bulk import insert_rows
from stratus.store.sqlite.migrations import Migration

_SCHEMA_1 = """
CREATE TABLE ddb_tables (
    tid INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    definition BLOB NOT NULL,
    UNIQUE (account, region, name)
);
CREATE TABLE ddb_items (
    tid INTEGER NOT NULL,
    hk BLOB NOT NULL,
    rk BLOB NOT NULL,
    item BLOB NOT NULL,
    size INTEGER NOT NULL,
    PRIMARY KEY (tid, hk, rk)
) WITHOUT ROWID;
CREATE TABLE ddb_index_items (
    tid INTEGER NOT NULL,
    idx TEXT NOT NULL,
    hk BLOB NOT NULL,
    rk BLOB NOT NULL,
    bhk BLOB NOT NULL,
    brk BLOB NOT NULL,
    PRIMARY KEY (tid, idx, hk, rk, bhk, brk)
) WITHOUT ROWID;
CREATE TABLE ddb_stream_records (
    tid INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    created REAL NOT NULL,
    record BLOB NOT NULL,
    PRIMARY KEY (tid, seq)
) WITHOUT ROWID;
CREATE TABLE ddb_checkpoints (
    mapping TEXT PRIMARY KEY,
    seq INTEGER NOT NULL
);
CREATE TABLE ddb_tokens (
    token TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    created REAL NOT NULL
);
"""


# Sizes of item collections (tables with local secondary indexes; collections.py).
_SCHEMA_2 = """
CREATE TABLE ddb_collections (
    tid INTEGER NOT NULL,
    hk BLOB NOT NULL,
    size INTEGER NOT NULL,
    PRIMARY KEY (tid, hk)
) WITHOUT ROWID;
"""


# On-demand backups (backups.py): each backup's description and its own copy of the
# table's items, in the same file, so a backup is written by the same writer (in chunks)
# and survives the source table's deletion.
_SCHEMA_3 = """
CREATE TABLE ddb_backups (
    bid INTEGER PRIMARY KEY,
    arn TEXT NOT NULL UNIQUE,
    record BLOB NOT NULL
);
CREATE TABLE ddb_backup_items (
    bid INTEGER NOT NULL,
    hk BLOB NOT NULL,
    rk BLOB NOT NULL,
    item BLOB NOT NULL,
    size INTEGER NOT NULL,
    PRIMARY KEY (bid, hk, rk)
) WITHOUT ROWID;
"""


# Exports to and imports from S3 (exports.py, imports.py): each job's description, kept
# so DescribeExport / DescribeImport answer after a restart.
_SCHEMA_4 = """
CREATE TABLE ddb_transfers (
    arn TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    record BLOB NOT NULL
);
"""


TABLES_MIGRATIONS: list[Migration] = [
    Migration(1, "tables, items, indexes, streams", _SCHEMA_1),
    Migration(2, "item collection sizes", _SCHEMA_2),
    Migration(3, "on-demand backups", _SCHEMA_3),
    Migration(4, "exports to and imports from S3", _SCHEMA_4),
]


def encode_item(item: dict[str, Any]) -> bytes:
    return marshal.dumps(item)


def decode_item(data: bytes) -> dict[str, Any]:
    item: dict[str, Any] = marshal.loads(data)
    return item


# -- tables ----------------------------------------------------------------------------
def load_tables(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT definition FROM ddb_tables").fetchall()
    return [orjson.loads(row[0]) for row in rows]


def insert_table(conn: sqlite3.Connection, account: str, region: str, name: str) -> int:
    cursor = conn.execute(
        "INSERT INTO ddb_tables (account, region, name, definition) VALUES (?, ?, ?, '{}')",
        (account, region, name),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def save_table(conn: sqlite3.Connection, tid: int, record: dict[str, Any]) -> None:
    conn.execute("UPDATE ddb_tables SET definition = ? WHERE tid = ?", (orjson.dumps(record), tid))


def table_exists(conn: sqlite3.Connection, tid: int) -> bool:
    return conn.execute("SELECT 1 FROM ddb_tables WHERE tid = ?", (tid,)).fetchone() is not None


def drop_table(conn: sqlite3.Connection, tid: int) -> None:
    conn.execute("DELETE FROM ddb_items WHERE tid = ?", (tid,))
    conn.execute("DELETE FROM ddb_index_items WHERE tid = ?", (tid,))
    conn.execute("DELETE FROM ddb_collections WHERE tid = ?", (tid,))
    conn.execute("DELETE FROM ddb_tables WHERE tid = ?", (tid,))
    # stream records stay readable for 24 hours after the table is gone, as on AWS


def drop_unfinished_tables(conn: sqlite3.Connection) -> int:
    """Drop the tables a stopped server was still filling (a restore or an import: their
    row is written at the start with an empty definition, the definition at the end)."""
    tids = [r[0] for r in conn.execute("SELECT tid FROM ddb_tables WHERE definition = '{}'")]
    for tid in tids:
        drop_table(conn, tid)
    return len(tids)


# -- items -----------------------------------------------------------------------------
def get_item(conn: sqlite3.Connection, tid: int, hk: bytes, rk: bytes) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT item FROM ddb_items WHERE tid = ? AND hk = ? AND rk = ?", (tid, hk, rk)
    ).fetchone()
    return decode_item(row[0]) if row else None


def put_item(
    conn: sqlite3.Connection, tid: int, hk: bytes, rk: bytes, item: dict[str, Any], size: int
) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO ddb_items (tid, hk, rk, item, size) VALUES (?, ?, ?, ?, ?)",
        (tid, hk, rk, encode_item(item), size),
    )


def collection_size(conn: sqlite3.Connection, tid: int, hk: bytes) -> int | None:
    row = conn.execute(
        "SELECT size FROM ddb_collections WHERE tid = ? AND hk = ?", (tid, hk)
    ).fetchone()
    return int(row[0]) if row else None


def set_collection_size(conn: sqlite3.Connection, tid: int, hk: bytes, size: int) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO ddb_collections (tid, hk, size) VALUES (?, ?, ?)", (tid, hk, size)
    )


def partition_items(conn: sqlite3.Connection, tid: int, hk: bytes) -> Iterator[dict[str, Any]]:
    for (data,) in conn.execute("SELECT item FROM ddb_items WHERE tid = ? AND hk = ?", (tid, hk)):
        yield decode_item(data)


def delete_item(conn: sqlite3.Connection, tid: int, hk: bytes, rk: bytes) -> None:
    conn.execute("DELETE FROM ddb_items WHERE tid = ? AND hk = ? AND rk = ?", (tid, hk, rk))


def put_index(
    conn: sqlite3.Connection,
    tid: int,
    idx: str,
    key: tuple[bytes, bytes],
    base: tuple[bytes, bytes],
) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO ddb_index_items (tid, idx, hk, rk, bhk, brk) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (tid, idx, key[0], key[1], base[0], base[1]),
    )


def delete_index(
    conn: sqlite3.Connection,
    tid: int,
    idx: str,
    key: tuple[bytes, bytes],
    base: tuple[bytes, bytes],
) -> None:
    conn.execute(
        "DELETE FROM ddb_index_items WHERE tid = ? AND idx = ? AND hk = ? AND rk = ? AND "
        "bhk = ? AND brk = ?",
        (tid, idx, key[0], key[1], base[0], base[1]),
    )


def drop_index(conn: sqlite3.Connection, tid: int, idx: str) -> None:
    conn.execute("DELETE FROM ddb_index_items WHERE tid = ? AND idx = ?", (tid, idx))


def scan_rows(
    conn: sqlite3.Connection,
    tid: int,
    after: tuple[bytes, bytes] | None,
    limit: int,
) -> list[tuple[bytes, bytes, bytes, int]]:
    if after is None:
        return conn.execute(
            "SELECT hk, rk, item, size FROM ddb_items WHERE tid = ? ORDER BY hk, rk LIMIT ?",
            (tid, limit),
        ).fetchall()
    return conn.execute(
        "SELECT hk, rk, item, size FROM ddb_items WHERE tid = ? AND (hk, rk) > (?, ?) "
        "ORDER BY hk, rk LIMIT ?",
        (tid, after[0], after[1], limit),
    ).fetchall()


def query_rows(
    conn: sqlite3.Connection,
    tid: int,
    hk: bytes,
    low: bytes | None,
    low_inclusive: bool,
    high: bytes | None,
    high_inclusive: bool,
    forward: bool,
    limit: int,
) -> list[tuple[bytes, bytes, bytes, int]]:
    """Items of one partition with ``low <(=) rk <(=) high``, in key order."""
    sql = "SELECT hk, rk, item, size FROM ddb_items WHERE tid = ? AND hk = ?"
    args: list[Any] = [tid, hk]
    if low is not None:
        sql += " AND rk >= ?" if low_inclusive else " AND rk > ?"
        args.append(low)
    if high is not None:
        sql += " AND rk <= ?" if high_inclusive else " AND rk < ?"
        args.append(high)
    sql += " ORDER BY rk " + ("ASC" if forward else "DESC") + " LIMIT ?"
    args.append(limit)
    return conn.execute(sql, args).fetchall()


def index_query_rows(
    conn: sqlite3.Connection,
    tid: int,
    idx: str,
    hk: bytes,
    low: tuple[bytes, ...] | None,
    low_inclusive: bool,
    high: tuple[bytes, ...] | None,
    high_inclusive: bool,
    forward: bool,
    limit: int,
) -> list[tuple[bytes, bytes, bytes, bytes, bytes, int]]:
    """Index entries of one index partition between bounds given as (rk, bhk, brk)
    prefixes, joined to their items, in index order."""
    sql = (
        "SELECT x.rk, x.bhk, x.brk, i.hk, i.item, i.size FROM ddb_index_items x JOIN ddb_items i"
        " ON i.tid = x.tid AND i.hk = x.bhk AND i.rk = x.brk"
        " WHERE x.tid = ? AND x.idx = ? AND x.hk = ?"
    )
    args: list[Any] = [tid, idx, hk]
    for bound, inclusive, op in ((low, low_inclusive, ">"), (high, high_inclusive, "<")):
        if bound is None:
            continue
        cols = ("x.rk", "x.bhk", "x.brk")[: len(bound)]
        sql += f" AND ({', '.join(cols)}) {op}{'=' if inclusive else ''} ({', '.join('?' * len(bound))})"
        args.extend(bound)
    order = "ASC" if forward else "DESC"
    sql += f" ORDER BY x.rk {order}, x.bhk {order}, x.brk {order} LIMIT ?"
    args.append(limit)
    return conn.execute(sql, args).fetchall()


def index_scan_rows(
    conn: sqlite3.Connection,
    tid: int,
    idx: str,
    after: tuple[bytes, bytes, bytes, bytes] | None,
    limit: int,
) -> list[tuple[bytes, bytes, bytes, bytes, bytes, int]]:
    sql = (
        "SELECT x.hk, x.rk, x.bhk, x.brk, i.item, i.size FROM ddb_index_items x JOIN ddb_items i"
        " ON i.tid = x.tid AND i.hk = x.bhk AND i.rk = x.brk WHERE x.tid = ? AND x.idx = ?"
    )
    args: list[Any] = [tid, idx]
    if after is not None:
        sql += " AND (x.hk, x.rk, x.bhk, x.brk) > (?, ?, ?, ?)"
        args.extend(after)
    sql += " ORDER BY x.hk, x.rk, x.bhk, x.brk LIMIT ?"
    args.append(limit)
    return conn.execute(sql, args).fetchall()


def count_items(conn: sqlite3.Connection, tid: int) -> tuple[int, int]:
    row = conn.execute(
        "SELECT count(*), coalesce(sum(size), 0) FROM ddb_items WHERE tid = ?", (tid,)
    ).fetchone()
    return int(row[0]), int(row[1])


def count_index(conn: sqlite3.Connection, tid: int, idx: str) -> int:
    row = conn.execute(
        "SELECT count(*) FROM ddb_index_items WHERE tid = ? AND idx = ?", (tid, idx)
    ).fetchone()
    return int(row[0])


def all_items(conn: sqlite3.Connection, tid: int) -> Iterator[tuple[bytes, bytes, bytes]]:
    yield from conn.execute("SELECT hk, rk, item FROM ddb_items WHERE tid = ?", (tid,))


# -- streams ---------------------------------------------------------------------------
def add_record(
    conn: sqlite3.Connection, tid: int, seq: int, created: float, record: dict[str, Any]
) -> None:
    conn.execute(
        "INSERT INTO ddb_stream_records (tid, seq, created, record) VALUES (?, ?, ?, ?)",
        (tid, seq, created, marshal.dumps(record)),
    )


def max_seq(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT max(seq) FROM ddb_stream_records").fetchone()
    return int(row[0] or 0)


def read_records(
    conn: sqlite3.Connection, tid: int, after_seq: int, limit: int
) -> list[tuple[int, float, dict[str, Any]]]:
    rows = conn.execute(
        "SELECT seq, created, record FROM ddb_stream_records WHERE tid = ? AND seq > ? "
        "ORDER BY seq LIMIT ?",
        (tid, after_seq, limit),
    ).fetchall()
    return [(int(s), float(c), marshal.loads(r)) for s, c, r in rows]


def read_record_seqs(conn: sqlite3.Connection, tid: int, after_seq: int, limit: int) -> list[int]:
    rows = conn.execute(
        "SELECT seq FROM ddb_stream_records WHERE tid = ? AND seq > ? ORDER BY seq LIMIT ?",
        (tid, after_seq, limit),
    ).fetchall()
    return [int(r[0]) for r in rows]


def stream_bounds(conn: sqlite3.Connection, tid: int) -> tuple[int | None, int | None]:
    row = conn.execute(
        "SELECT min(seq), max(seq) FROM ddb_stream_records WHERE tid = ?", (tid,)
    ).fetchone()
    return row[0], row[1]


def trim_records(conn: sqlite3.Connection, before: float) -> None:
    """Forget records past retention, but always keep the newest one: sequence numbers
    restart after it when the server restarts, so they never go back."""
    conn.execute(
        "DELETE FROM ddb_stream_records WHERE created < ? AND "
        "seq < (SELECT max(seq) FROM ddb_stream_records)",
        (before,),
    )


# -- transactions' client tokens ---------------------------------------------------------
def token_digest(conn: sqlite3.Connection, token: str, since: float) -> str | None:
    row = conn.execute(
        "SELECT digest FROM ddb_tokens WHERE token = ? AND created >= ?", (token, since)
    ).fetchone()
    return str(row[0]) if row else None


def save_token(conn: sqlite3.Connection, token: str, digest: str, created: float) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO ddb_tokens (token, digest, created) VALUES (?, ?, ?)",
        (token, digest, created),
    )


# -- stream triggers' checkpoints --------------------------------------------------------
def get_checkpoint(conn: sqlite3.Connection, mapping: str) -> int | None:
    row = conn.execute("SELECT seq FROM ddb_checkpoints WHERE mapping = ?", (mapping,)).fetchone()
    return int(row[0]) if row else None


def set_checkpoint(conn: sqlite3.Connection, mapping: str, seq: int) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO ddb_checkpoints (mapping, seq) VALUES (?, ?)", (mapping, seq)
    )


def first_seq_since(conn: sqlite3.Connection, tid: int, since: float) -> int | None:
    row = conn.execute(
        "SELECT min(seq) FROM ddb_stream_records WHERE tid = ? AND created >= ?", (tid, since)
    ).fetchone()
    return int(row[0]) if row and row[0] is not None else None


# -- on-demand backups -------------------------------------------------------------------
ItemRow = tuple[bytes, bytes, bytes, int]  # hk, rk, item, size


def load_backups(conn: sqlite3.Connection) -> list[tuple[int, dict[str, Any]]]:
    rows = conn.execute("SELECT bid, record FROM ddb_backups ORDER BY bid").fetchall()
    return [(int(bid), orjson.loads(record)) for bid, record in rows]


def insert_backup(conn: sqlite3.Connection, arn: str, record: dict[str, Any]) -> int:
    cursor = conn.execute(
        "INSERT INTO ddb_backups (arn, record) VALUES (?, ?)", (arn, orjson.dumps(record))
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def save_backup(conn: sqlite3.Connection, bid: int, record: dict[str, Any]) -> None:
    conn.execute("UPDATE ddb_backups SET record = ? WHERE bid = ?", (orjson.dumps(record), bid))


def drop_backup(conn: sqlite3.Connection, bid: int) -> None:
    conn.execute("DELETE FROM ddb_backup_items WHERE bid = ?", (bid,))
    conn.execute("DELETE FROM ddb_backups WHERE bid = ?", (bid,))


def item_rows_after(
    conn: sqlite3.Connection, tid: int, after: tuple[bytes, bytes] | None, limit: int
) -> list[ItemRow]:
    """One chunk of a table's stored rows in key order (a backup's copy reads these)."""
    return _rows_after(conn, "ddb_items", "tid", tid, after, limit)


def put_backup_rows(conn: sqlite3.Connection, bid: int, rows: list[ItemRow]) -> None:
    insert_rows(conn, "ddb_backup_items", [(bid, *row) for row in rows], _BACKUP_COLUMNS)


def backup_rows_after(
    conn: sqlite3.Connection, bid: int, after: tuple[bytes, bytes] | None, limit: int
) -> list[ItemRow]:
    return _rows_after(conn, "ddb_backup_items", "bid", bid, after, limit)


def put_item_rows(conn: sqlite3.Connection, tid: int, rows: list[ItemRow]) -> None:
    insert_rows(conn, "ddb_items", [(tid, *row) for row in rows], _ITEM_COLUMNS)


_ITEM_COLUMNS = ("tid", "hk", "rk", "item", "size")
_BACKUP_COLUMNS = ("bid", "hk", "rk", "item", "size")


def _rows_after(
    conn: sqlite3.Connection,
    table: str,
    owner_column: str,
    owner: int,
    after: tuple[bytes, bytes] | None,
    limit: int,
) -> list[ItemRow]:
    """Up to ``limit`` of ``owner``'s rows in key order, past the key ``after``: the chunks a
    backup or a restore copies, one commit each."""
    select = f"SELECT hk, rk, item, size FROM {table} WHERE {owner_column} = ?"
    if after is None:
        rows = conn.execute(f"{select} ORDER BY hk, rk LIMIT ?", (owner, limit))
    else:
        rows = conn.execute(
            f"{select} AND (hk, rk) > (?, ?) ORDER BY hk, rk LIMIT ?",
            (owner, after[0], after[1], limit),
        )
    found: list[ItemRow] = rows.fetchall()
    return found


# -- exports and imports -----------------------------------------------------------------
def load_transfers(conn: sqlite3.Connection, kind: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT record FROM ddb_transfers WHERE kind = ? ORDER BY rowid", (kind,)
    ).fetchall()
    return [orjson.loads(row[0]) for row in rows]


def save_transfer(conn: sqlite3.Connection, arn: str, kind: str, record: dict[str, Any]) -> None:
    conn.execute(
        "INSERT INTO ddb_transfers (arn, kind, record) VALUES (?, ?, ?) "
        "ON CONFLICT (arn) DO UPDATE SET record = excluded.record",
        (arn, kind, orjson.dumps(record)),
    )
