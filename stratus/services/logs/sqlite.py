"""SQLite implementation of LogStore: log lines are appended without waiting.

One row per write, not per line: the lines one writer hands over together (an invocation's
log, all of one timestamp) are one row of ``log_records``, ``lines`` of them joined by
"\\n". Every line is still its own event to readers, with its own id:

    event id = row id * 2**LINE_BITS + the line's index in its row

so ids increase in store order, never change, and a reader can resume in the middle of a
row (``after_id`` names a row and a line). A row holds at most ``ROW_LINES`` lines; a
longer log is split over consecutive rows. Other writers' events (``append_batch_nowait``:
access logs, whose lines may differ in time or hold a line break) are a row each.

Rows written one line per row before this layout (functions migration 6, ``schema.py``)
keep their ids: a row id up to ``log_legacy.last_id`` is its one event's id, below the
first id of every row written since.

Why: an insert per row is most of what a log costs the writer thread (and the GIL it
shares with the event loop); three rows per invocation were the largest single item of
the server's CPU under load (``bench/log_sink.py``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from stratus.services.logs.repository import StoredLogEvent
from stratus.store.sqlite.bulk import insert_rows
from stratus.store.sqlite.database import SQLiteDatabase

#: Bits of an event id that number the line in its row: part of every id handed out,
#: so it never changes (2**20 lines per row; row ids up to 2**43 fit SQLite's integers).
LINE_BITS = 20
#: The most lines one row holds. Within the id's bound, and small enough that a reader
#: resuming inside a huge log splits a few thousand lines, not a million.
ROW_LINES = 4096

_COLUMNS = ("function_name", "stream", "timestamp_ms", "lines", "message")


def _first_row(after_id: int, legacy: int) -> int:
    """The first row that may hold an event after ``after_id``: the next row when that
    is a legacy row's id (every id up to ``legacy`` is), else the row it points into."""
    if after_id <= legacy:
        return after_id + 1
    return max(after_id >> LINE_BITS, legacy + 1)


class SQLiteLogStore:
    def __init__(self, db: SQLiteDatabase) -> None:
        self._db = db
        self._legacy: int | None = None  # see _legacy_last_id

    def append_batch_nowait(self, batch: list[tuple[str, str, list[tuple[int, str]]]]) -> None:
        # One row per event: these events differ in timestamp and may hold line breaks.
        rows = [
            (function_name, stream, ts, 1, message)
            for function_name, stream, events in batch
            for ts, message in events
        ]
        if rows:
            self._write_nowait(rows)

    def append_lines_nowait(self, batch: list[tuple[str, str, int, list[str]]]) -> None:
        rows: list[tuple[str, str, int, int, str]] = []
        for function_name, stream, ts, lines in batch:
            count = len(lines)
            if count <= ROW_LINES:
                if count:
                    rows.append((function_name, stream, ts, count, "\n".join(lines)))
                continue
            for start in range(0, count, ROW_LINES):
                part = lines[start : start + ROW_LINES]
                rows.append((function_name, stream, ts, len(part), "\n".join(part)))
        if rows:
            self._write_nowait(rows)

    def _write_nowait(self, rows: list[tuple[str, str, int, int, str]]) -> None:
        def insert(conn: sqlite3.Connection) -> None:
            insert_rows(conn, "log_records", rows, _COLUMNS)

        self._db.write_nowait(insert)

    async def query(
        self,
        function_name: str,
        *,
        after_id: int = 0,
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int = 1000,
        stream: str | None = None,
        contains: str | None = None,
    ) -> list[StoredLogEvent]:
        # The filters on a row's stream and time are exact; ``contains`` on a row is a
        # sieve, each of its lines is tested below.
        filters: list[str] = []
        args: list[object] = []
        if start_ms is not None:
            filters.append("AND timestamp_ms >= ?")
            args.append(start_ms)
        if end_ms is not None:
            filters.append("AND timestamp_ms <= ?")
            args.append(end_ms)
        if stream is not None:
            filters.append("AND stream = ?")
            args.append(stream)
        if contains:
            filters.append("AND instr(message, ?) > 0")
            args.append(contains)
        statement = " ".join(
            [
                "SELECT id, stream, timestamp_ms, lines, message, ingestion_ms FROM log_records",
                "WHERE function_name = ? AND id >= ?",
                *filters,
                "ORDER BY id",
            ]
        )

        def read(conn: sqlite3.Connection) -> list[StoredLogEvent]:
            events: list[StoredLogEvent] = []
            if limit == 0:
                return events
            legacy = self._legacy_last_id(conn)
            cursor = conn.execute(statement, [function_name, _first_row(after_id, legacy), *args])
            try:
                for row_id, row_stream, ts, lines, message, ingested in cursor:
                    if lines == 1:
                        event_id = row_id if row_id <= legacy else row_id << LINE_BITS
                        if event_id > after_id:
                            events.append(
                                StoredLogEvent(
                                    event_id, function_name, row_stream, ts, message, ingested or ts
                                )
                            )
                    else:
                        base = row_id << LINE_BITS
                        parts = message.split("\n")
                        # Lines up to ``after_id`` were read already (a page ended inside).
                        for index in range(max(0, after_id - base + 1), len(parts)):
                            line = parts[index]
                            if contains and contains not in line:
                                continue
                            events.append(
                                StoredLogEvent(
                                    base + index, function_name, row_stream, ts, line, ts
                                )
                            )
                            if len(events) == limit:
                                break
                    if len(events) == limit:  # (a negative limit is none, as in SQL)
                        break
            finally:
                cursor.close()
            return events

        return await self._db.read(read)

    def _legacy_last_id(self, conn: sqlite3.Connection) -> int:
        """The last row id written one line per row (before functions migration 6): fixed
        since, so read once."""
        if self._legacy is None:
            self._legacy = int(conn.execute("SELECT last_id FROM log_legacy").fetchone()[0])
        return self._legacy

    async def append_events(
        self,
        key: str,
        stream: str,
        events: list[tuple[int, str]],
        ingestion_ms: int,
        also: Callable[[sqlite3.Connection], object] | None = None,
    ) -> list[int]:
        """Append events (timestamp, message) of one stream, one row each, in one write
        the caller awaits (``also`` runs in it: the catalog's change that goes with
        them); answers their event ids."""
        rows = [(key, stream, ts, 1, message, ingestion_ms) for ts, message in events]

        def insert(conn: sqlite3.Connection) -> list[int]:
            insert_rows(conn, "log_records", rows, (*_COLUMNS, "ingestion_ms"))
            last = int(conn.execute("SELECT last_insert_rowid()").fetchone()[0])
            if also is not None:
                also(conn)
            # One writer, rows numbered largest + 1: the batch's ids are consecutive.
            return [(row_id << LINE_BITS) for row_id in range(last - len(rows) + 1, last + 1)]

        return await self._db.write(insert)

    async def delete(self, keys: list[str], before_ms: int | None = None) -> int:
        """Delete the events of ``keys`` (those older than ``before_ms`` when given);
        answers the bytes of messages deleted. The newest row of the table is never
        deleted but emptied: ids are the largest + 1, and a reused id would hide new
        events from readers who hold a token past it."""
        if not keys:
            return 0
        marks = ",".join("?" * len(keys))
        where = f"function_name IN ({marks})"
        args: list[object] = list(keys)
        if before_ms is not None:
            where += " AND timestamp_ms < ?"
            args.append(before_ms)

        def run(conn: sqlite3.Connection) -> int:
            size = conn.execute(
                f"SELECT COALESCE(SUM(length(CAST(message AS BLOB))), 0) FROM log_records "
                f"WHERE {where}",
                args,
            ).fetchone()[0]
            conn.execute(
                f"UPDATE log_records SET function_name = '', message = '', lines = 1 "
                f"WHERE id = (SELECT MAX(id) FROM log_records) AND {where}",
                args,
            )
            conn.execute(f"DELETE FROM log_records WHERE {where}", args)
            return int(size)

        return await self._db.write(run)

    async def delete_stream(self, key: str, stream: str) -> None:
        """Delete one stream's events (the newest row of the table emptied, as above)."""

        def run(conn: sqlite3.Connection) -> None:
            where = "function_name = ? AND stream = ?"
            conn.execute(
                "UPDATE log_records SET function_name = '', message = '', lines = 1 "
                f"WHERE id = (SELECT MAX(id) FROM log_records) AND {where}",
                (key, stream),
            )
            conn.execute(f"DELETE FROM log_records WHERE {where}", (key, stream))

        await self._db.write(run)

    async def stream_stats(self, key: str) -> list[tuple[str, int, int, int]]:
        """(stream, first timestamp, last timestamp, last ingestion) per stream."""

        def read(conn: sqlite3.Connection) -> list[tuple[str, int, int, int]]:
            return [
                (r[0], r[1], r[2], r[3])
                for r in conn.execute(
                    "SELECT stream, MIN(timestamp_ms), MAX(timestamp_ms), "
                    "MAX(COALESCE(ingestion_ms, timestamp_ms)) FROM log_records "
                    "WHERE function_name = ? GROUP BY stream ORDER BY MIN(id)",
                    (key,),
                )
            ]

        return await self._db.read(read)

    async def streams(self, function_name: str) -> list[tuple[str, int, int]]:
        def read(conn: sqlite3.Connection) -> list[tuple[str, int, int]]:
            return [
                (r[0], r[1], r[2])
                for r in conn.execute(
                    "SELECT stream, MIN(timestamp_ms), MAX(timestamp_ms) FROM log_records "
                    "WHERE function_name = ? GROUP BY stream ORDER BY MIN(id)",
                    (function_name,),
                )
            ]

        return await self._db.read(read)

    async def keys_with_prefix(self, prefix: str) -> list[str]:
        # A range rather than LIKE, so the (function_name, id) index serves it.
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)

        def read(conn: sqlite3.Connection) -> list[str]:
            return [
                str(r[0])
                for r in conn.execute(
                    "SELECT DISTINCT function_name FROM log_records "
                    "WHERE function_name >= ? AND function_name < ?",
                    (prefix, upper),
                )
            ]

        return await self._db.read(read)
