"""SQLite implementation of LogStore: log lines are appended without waiting."""

from __future__ import annotations

import sqlite3

from stratus.services.logs.repository import StoredLogEvent
from stratus.store.sqlite.database import SQLiteDatabase


class SQLiteLogStore:
    def __init__(self, db: SQLiteDatabase) -> None:
        self._db = db

    def append_batch_nowait(self, batch: list[tuple[str, str, list[tuple[int, str]]]]) -> None:
        rows = [
            (function_name, stream, ts, message)
            for function_name, stream, events in batch
            for ts, message in events
        ]

        def insert(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "INSERT INTO log_events (function_name, stream, timestamp_ms, message) "
                "VALUES (?, ?, ?, ?)",
                rows,
            )

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
        sql = ["SELECT id, function_name, stream, timestamp_ms, message FROM log_events"]
        sql.append("WHERE function_name = ? AND id > ?")
        args: list[object] = [function_name, after_id]
        if start_ms is not None:
            sql.append("AND timestamp_ms >= ?")
            args.append(start_ms)
        if end_ms is not None:
            sql.append("AND timestamp_ms <= ?")
            args.append(end_ms)
        if stream is not None:
            sql.append("AND stream = ?")
            args.append(stream)
        if contains:
            sql.append("AND instr(message, ?) > 0")
            args.append(contains)
        sql.append("ORDER BY id LIMIT ?")
        args.append(limit)
        statement = " ".join(sql)

        def read(conn: sqlite3.Connection) -> list[StoredLogEvent]:
            return [StoredLogEvent(*row) for row in conn.execute(statement, args)]

        return await self._db.read(read)

    async def streams(self, function_name: str) -> list[tuple[str, int, int]]:
        def read(conn: sqlite3.Connection) -> list[tuple[str, int, int]]:
            return [
                (r[0], r[1], r[2])
                for r in conn.execute(
                    "SELECT stream, MIN(timestamp_ms), MAX(timestamp_ms) FROM log_events "
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
                    "SELECT DISTINCT function_name FROM log_events "
                    "WHERE function_name >= ? AND function_name < ?",
                    (prefix, upper),
                )
            ]

        return await self._db.read(read)
