"""The buffered log sink: lines reach the store in batches, and nothing is left behind."""

from __future__ import annotations

import asyncio
from pathlib import Path

from stratus.runtime.logs import InvocationLog
from stratus.services.functions.sqlite.schema import FUNCTIONS_MIGRATIONS
from stratus.services.logs.sink import FLUSH_INVOCATIONS, BufferedLogSink
from stratus.services.logs.sqlite import SQLiteLogStore
from stratus.store.sqlite.database import SQLiteDatabase


def _log(request_id: str, body: str) -> InvocationLog:
    return InvocationLog(request_id, "$LATEST", body, 1.0, 128, 40, None, "", 1000)


def test_lines_are_flushed_together_after_the_interval(tmp_path: Path) -> None:
    async def scenario() -> tuple[int, int, list[str]]:
        db = SQLiteDatabase(tmp_path / "db.sqlite", {"functions": FUNCTIONS_MIGRATIONS})
        await db.open()
        store = SQLiteLogStore(db)
        sink = BufferedLogSink(store, interval=0.05)
        commits_before = db.statistics().commits
        for n in range(20):
            sink.emit("fn", "stream", _log(f"request-{n}", f"line {n}"))
        assert await store.query("fn") == []  # still buffered
        await asyncio.sleep(0.2)
        events = await store.query("fn")
        commits = db.statistics().commits - commits_before
        await db.close()
        return len(events), commits, [e.message for e in events]

    count, commits, messages = asyncio.run(scenario())
    assert count == 20 * 4  # START, the line, END, REPORT
    assert commits == 1
    assert [m for m in messages if m.startswith("line")] == [f"line {n}" for n in range(20)]
    assert messages[:3] == [
        "START RequestId: request-0 Version: $LATEST",
        "line 0",
        "END RequestId: request-0",
    ]


def test_many_lines_flush_at_once_and_flush_empties_the_buffer(tmp_path: Path) -> None:
    async def scenario() -> tuple[int, int]:
        db = SQLiteDatabase(tmp_path / "db.sqlite", {"functions": FUNCTIONS_MIGRATIONS})
        await db.open()
        store = SQLiteLogStore(db)
        sink = BufferedLogSink(store, interval=60)
        for n in range(FLUSH_INVOCATIONS):  # a full batch goes at once
            sink.emit("fn", "s", _log(f"r{n}", "x"))
        sink.emit("fn", "s", _log("last", "tail"))
        sink.flush()  # what a clean stop does
        await db.close()  # the writer drains its queue before closing
        db2 = SQLiteDatabase(tmp_path / "db.sqlite", {"functions": FUNCTIONS_MIGRATIONS})
        await db2.open()
        events = await SQLiteLogStore(db2).query("fn", limit=10 * FLUSH_INVOCATIONS)
        await db2.close()
        return len(events), sum(e.message == "tail" for e in events)

    assert asyncio.run(scenario()) == ((FLUSH_INVOCATIONS + 1) * 4, 1)


def test_only_subscribed_functions_reach_their_tap(tmp_path: Path) -> None:
    """``taps`` holds the functions whose group has a subscription filter: their lines
    go there too, as the invocation's log (START to REPORT); others only to the store."""

    async def scenario() -> tuple[list[tuple[str, str, int, list[str]]], int]:
        db = SQLiteDatabase(tmp_path / "db.sqlite", {"functions": FUNCTIONS_MIGRATIONS})
        await db.open()
        store = SQLiteLogStore(db)
        sink = BufferedLogSink(store, interval=60)
        tapped: list[tuple[str, str, int, list[str]]] = []
        sink.taps["subscribed"] = lambda fid, stream, ts, lines: tapped.append(
            (fid, stream, ts, lines)
        )
        sink.emit("subscribed", "s1", _log("r1", "hello"))
        sink.emit("quiet", "s2", _log("r2", "unseen"))
        sink.flush()
        await db.close()
        db2 = SQLiteDatabase(tmp_path / "db.sqlite", {"functions": FUNCTIONS_MIGRATIONS})
        await db2.open()
        stored = len(await SQLiteLogStore(db2).query("quiet"))
        await db2.close()
        return tapped, stored

    tapped, stored = asyncio.run(scenario())
    assert [(fid, stream, ts) for fid, stream, ts, _ in tapped] == [("subscribed", "s1", 1000)]
    lines = tapped[0][3]
    assert lines[0].startswith("START RequestId: r1") and lines[1] == "hello"
    assert stored == 4  # the other function's lines were stored all the same
