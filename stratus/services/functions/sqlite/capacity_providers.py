"""SQLite repository of Lambda capacity providers: one JSON record per ARN.

Its table is the functions component's migration 8 (``schema.py`` beside it).
"""

from __future__ import annotations

import sqlite3

import orjson

from stratus.store.records import Record
from stratus.store.sqlite.database import SQLiteDatabase

CAPACITY_PROVIDERS_SCHEMA = (
    "CREATE TABLE capacity_providers (arn TEXT PRIMARY KEY, record TEXT NOT NULL)"
)


class SQLiteCapacityProviderStore:
    def __init__(self, db: SQLiteDatabase) -> None:
        self._db = db

    async def load(self) -> list[Record]:
        def read(conn: sqlite3.Connection) -> list[Record]:
            rows = conn.execute("SELECT record FROM capacity_providers ORDER BY arn")
            return [orjson.loads(record) for (record,) in rows]

        return await self._db.read(read)

    async def put(self, arn: str, record: Record) -> None:
        data = orjson.dumps(record).decode()
        await self._db.write(
            lambda c: c.execute(
                "INSERT INTO capacity_providers (arn, record) VALUES (?, ?) "
                "ON CONFLICT(arn) DO UPDATE SET record = excluded.record",
                (arn, data),
            )
        )

    async def delete(self, arn: str) -> None:
        await self._db.write(
            lambda c: c.execute("DELETE FROM capacity_providers WHERE arn = ?", (arn,))
        )
