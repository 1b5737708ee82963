"""SQLite repository of Lambda code signing configs: one JSON record per ARN.

Its table is the functions component's migration 2 (``schema.py`` beside it).
"""

from __future__ import annotations

import sqlite3

import orjson

from stratus.store.records import Record
from stratus.store.sqlite.database import SQLiteDatabase


class SQLiteCodeSigningStore:
    def __init__(self, db: SQLiteDatabase) -> None:
        self._db = db

    async def load(self) -> list[Record]:
        def read(conn: sqlite3.Connection) -> list[Record]:
            rows = conn.execute("SELECT record FROM code_signing_configs ORDER BY arn")
            return [orjson.loads(record) for (record,) in rows]

        return await self._db.read(read)

    async def put(self, arn: str, record: Record) -> None:
        data = orjson.dumps(record).decode()
        await self._db.write(
            lambda c: c.execute(
                "INSERT INTO code_signing_configs (arn, record) VALUES (?, ?) "
                "ON CONFLICT(arn) DO UPDATE SET record = excluded.record",
                (arn, data),
            )
        )

    async def delete(self, arn: str) -> None:
        await self._db.write(
            lambda c: c.execute("DELETE FROM code_signing_configs WHERE arn = ?", (arn,))
        )
