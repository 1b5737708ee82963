"""How SQLite keeps function logs: an invocation's lines in one row, and databases written
one row per line (functions schema 5) carried over with their ids."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from stratus.runtime.logs import InvocationLog
from stratus.services.functions.sqlite.schema import FUNCTIONS_MIGRATIONS
from stratus.services.logs.repository import StoredLogEvent
from stratus.services.logs.sink import BufferedLogSink
from stratus.services.logs.sqlite import LINE_BITS, ROW_LINES, SQLiteLogStore
from stratus.store.sqlite.database import SQLiteDatabase
from stratus.store.sqlite.migrations import apply_migrations

FN = "arn:aws:lambda:us-east-1:000000000000:function:fn"


def _rows(path: Path) -> list[tuple[int, str, int, str]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT id, function_name, lines, message FROM log_records ORDER BY id"
        ).fetchall()
    finally:
        conn.close()


async def _open(path: Path) -> tuple[SQLiteDatabase, SQLiteLogStore]:
    db = SQLiteDatabase(path, {"functions": FUNCTIONS_MIGRATIONS})
    await db.open()
    return db, SQLiteLogStore(db)


async def _page_all(store: SQLiteLogStore, after_id: int, limit: int) -> list[StoredLogEvent]:
    events: list[StoredLogEvent] = []
    while page := await store.query(FN, after_id=after_id, limit=limit):
        events.extend(page)
        after_id = page[-1].id
    return events


def test_an_invocation_is_one_row_and_its_lines_are_events(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"

    async def scenario() -> list[StoredLogEvent]:
        db, store = await _open(path)
        sink = BufferedLogSink(store, interval=60)
        for n in range(3):
            body = f"hello {n}\n\nsecond\r\nthird" if n == 1 else ""  # blank lines are no events
            sink.emit(FN, "s", InvocationLog(f"r{n}", "$LATEST", body, 1.0, 128, 40, None, "", 7))
        sink.flush()
        await db.write(lambda conn: None)
        events = await store.query(FN)
        await db.close()
        return events

    events = asyncio.run(scenario())
    rows = _rows(path)
    assert [lines for _, _, lines, _ in rows] == [3, 6, 3]
    assert rows[1][3].split("\n")[1:4] == ["hello 1", "second", "third"]
    assert [e.id for e in events] == [
        (row_id << LINE_BITS) + index for row_id, _, lines, _ in rows for index in range(lines)
    ]
    assert [e.message for e in events][3:9] == [
        "START RequestId: r1 Version: $LATEST",
        "hello 1",
        "second",
        "third",
        "END RequestId: r1",
        events[8].message,
    ]
    assert events[8].message.startswith("REPORT RequestId: r1\t")


def test_a_log_longer_than_a_row_takes_consecutive_rows(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    lines = [f"l{n}" for n in range(2 * ROW_LINES + 1)]

    async def scenario() -> list[StoredLogEvent]:
        db, store = await _open(path)
        store.append_lines_nowait([(FN, "s", 1, lines)])
        await db.write(lambda conn: None)
        events = await _page_all(store, 0, 999)
        await db.close()
        return events

    events = asyncio.run(scenario())
    assert [lines for _, _, lines, _ in _rows(path)] == [ROW_LINES, ROW_LINES, 1]
    assert [e.message for e in events] == lines


def test_new_databases_do_without_autoincrement(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "db.sqlite", isolation_level=None)
    apply_migrations(conn, {"functions": FUNCTIONS_MIGRATIONS})
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert "log_events" not in tables and "log_records" in tables
    assert (
        "AUTOINCREMENT"
        not in conn.execute("SELECT sql FROM sqlite_master WHERE name = 'log_records'").fetchone()[
            0
        ]
    )
    assert conn.execute("SELECT last_id FROM log_legacy").fetchall() == [(0,)]


def _old_database(path: Path) -> None:
    """A data directory of the previous schema (functions 5): one row per line, an
    AUTOINCREMENT id; an access log's line may hold a line break."""
    conn = sqlite3.connect(path, isolation_level=None)
    apply_migrations(conn, {"functions": FUNCTIONS_MIGRATIONS[:5]})
    rows = [
        (FN, "s1", 10, "START old"),
        ("other", "s1", 11, "not fn's"),
        (FN, "s1", 12, "printed old"),
        ("group:000000000000:us-east-1:access", "api", 13, "two\nlines"),
        (FN, "s2", 14, "END old"),
    ]
    conn.executemany(
        "INSERT INTO log_events (function_name, stream, timestamp_ms, message) VALUES (?, ?, ?, ?)",
        rows,
    )
    conn.close()


def _messages(events: list[StoredLogEvent]) -> list[str]:
    return [event.message for event in events]


def test_lines_stored_one_per_row_keep_their_ids_after_the_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    _old_database(path)
    access = "group:000000000000:us-east-1:access"

    async def scenario() -> tuple[dict[str, list[StoredLogEvent]], object, object]:
        db, store = await _open(path)
        reads = {"old": await store.query(FN)}
        store.append_lines_nowait([(FN, "s1", 20, ["START new", "printed new", "END new"])])
        store.append_batch_nowait([(access, "api", [(21, "a\nb")])])
        await db.write(lambda conn: None)
        reads["all"] = await store.query(FN)
        reads["after an old token"] = await store.query(FN, after_id=3)
        reads["paged"] = await _page_all(store, 0, 2)
        reads["printed"] = await store.query(FN, contains="printed")
        reads["window"] = await store.query(FN, start_ms=12, end_ms=20)
        reads["access"] = await store.query(access)
        streams, keys = await store.streams(FN), await store.keys_with_prefix("group:")
        await db.close()
        return reads, streams, keys

    reads, streams, keys = asyncio.run(scenario())
    old = [(e.id, e.stream, e.timestamp_ms, e.message) for e in reads["old"]]
    assert old == [
        (1, "s1", 10, "START old"),
        (3, "s1", 12, "printed old"),
        (5, "s2", 14, "END old"),
    ]
    messages = _messages(reads["all"])
    assert messages == [
        "START old",
        "printed old",
        "END old",
        "START new",
        "printed new",
        "END new",
    ]
    ids = [e.id for e in reads["all"]]
    assert ids[:3] == [1, 3, 5] and ids[3] > 5 and ids == sorted(set(ids))
    assert _messages(reads["after an old token"]) == messages[2:]
    assert reads["paged"] == reads["all"]
    assert _messages(reads["printed"]) == ["printed old", "printed new"]
    assert _messages(reads["window"]) == messages[1:]
    assert _messages(reads["access"]) == ["two\nlines", "a\nb"]
    assert streams == [("s1", 10, 20), ("s2", 14, 14)]
    assert keys == [access]
    conn = sqlite3.connect(path)
    sequences = conn.execute("SELECT name FROM sqlite_sequence").fetchall()
    conn.close()
    assert ("log_events",) not in sequences
