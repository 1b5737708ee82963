"""SQLite persistence of APIs: one JSON document per API (or API key, usage plan).

An API is read and written whole: they are small, change rarely and are served from
memory, so one row per aggregate keeps every change one atomic write.
"""

from __future__ import annotations

from typing import Any

import orjson

from stratus.store.sqlite.database import SQLiteDatabase
from stratus.store.sqlite.migrations import Migration

APIS_MIGRATIONS = [
    Migration(
        1,
        "API Gateway documents",
        "CREATE TABLE api_documents (kind TEXT NOT NULL, id TEXT NOT NULL, "
        "record TEXT NOT NULL, PRIMARY KEY (kind, id));",
    ),
]


class SQLiteApiStore:
    def __init__(self, db: SQLiteDatabase) -> None:
        self._db = db

    async def load(self, kind: str) -> list[dict[str, Any]]:
        rows = await self._db.read(
            lambda c: c.execute(
                "SELECT record FROM api_documents WHERE kind = ?", (kind,)
            ).fetchall()
        )
        return [orjson.loads(row[0]) for row in rows]

    async def put(self, kind: str, key: str, record: dict[str, Any]) -> None:
        text = orjson.dumps(record).decode()
        await self._db.write(
            lambda c: c.execute(
                "INSERT OR REPLACE INTO api_documents (kind, id, record) VALUES (?, ?, ?)",
                (kind, key, text),
            )
        )

    async def delete(self, kind: str, key: str) -> None:
        await self._db.write(
            lambda c: c.execute("DELETE FROM api_documents WHERE kind = ? AND id = ?", (kind, key))
        )
