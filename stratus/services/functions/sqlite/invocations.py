"""SQLite implementation of AsyncInvocationStore."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping

from stratus.services.functions.repository import QueuedInvocation
from stratus.store.sqlite.database import SQLiteDatabase

_COLUMNS = (
    "id, function_name, qualifier, payload, enqueued_ms, next_attempt_ms, attempts, client_context"
)


class SQLiteAsyncInvocationStore:
    def __init__(self, db: SQLiteDatabase) -> None:
        self._db = db

    async def enqueue(self, invocation: QueuedInvocation) -> None:
        row = (
            invocation.id,
            invocation.function_name,
            invocation.qualifier,
            invocation.payload,
            invocation.enqueued_ms,
            invocation.next_attempt_ms,
            invocation.attempts,
            invocation.client_context,
        )
        await self._db.write(
            lambda c: c.execute(
                f"INSERT INTO async_invocations ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row
            )
        )

    async def due(
        self,
        now_ms: int,
        limit: int,
        exclude: set[str],
        caps: Mapping[str, int] | None = None,
    ) -> list[QueuedInvocation]:
        caps = dict(caps or {})
        skipped = sorted(name for name, cap in caps.items() if cap <= 0)
        where = "next_attempt_ms <= ?"
        if skipped:
            where += f" AND function_name NOT IN ({', '.join('?' * len(skipped))})"
        params: list[object] = [now_ms, *skipped]

        def read(conn: sqlite3.Connection) -> list[QueuedInvocation]:
            # Pick by (id, function) first: the payloads of the invocations a cap leaves
            # behind are never read.
            picked: list[str] = []
            taken: dict[str, int] = {}
            candidates = conn.execute(
                f"SELECT id, function_name FROM async_invocations WHERE {where} "
                "ORDER BY next_attempt_ms, rowid",
                params,
            )
            for id, function_name in candidates:
                if len(picked) >= limit:
                    break
                if id in exclude:
                    continue
                cap = caps.get(function_name)
                if cap is not None:
                    if taken.get(function_name, 0) >= cap:
                        continue
                    taken[function_name] = taken.get(function_name, 0) + 1
                picked.append(id)
            if not picked:
                return []
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM async_invocations "
                f"WHERE id IN ({', '.join('?' * len(picked))}) ORDER BY next_attempt_ms, rowid",
                picked,
            ).fetchall()
            return [
                QueuedInvocation(
                    id=r[0],
                    function_name=r[1],
                    qualifier=r[2],
                    payload=bytes(r[3]),
                    enqueued_ms=r[4],
                    next_attempt_ms=r[5],
                    attempts=r[6],
                    client_context=r[7],
                )
                for r in rows
            ]

        return await self._db.read(read)

    async def reschedule(self, id: str, attempts: int, next_attempt_ms: int) -> None:
        await self._db.write(
            lambda c: c.execute(
                "UPDATE async_invocations SET attempts = ?, next_attempt_ms = ? WHERE id = ?",
                (attempts, next_attempt_ms, id),
            )
        )

    async def remove(self, id: str) -> None:
        await self._db.write(
            lambda c: c.execute("DELETE FROM async_invocations WHERE id = ?", (id,))
        )

    async def pending(self) -> int:
        return await self._db.read(
            lambda c: int(c.execute("SELECT COUNT(*) FROM async_invocations").fetchone()[0])
        )
