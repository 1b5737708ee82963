"""One JSON record per ARN in a table of its own: what the functions component keeps
for code signing configs and capacity providers alike."""

from __future__ import annotations

import sqlite3

import orjson

from stratus.store.records import Record
from stratus.store.sqlite.database import SQLiteDatabase


class SQLiteArnRecords:
    """Load, put and delete the records of ``table`` (``arn TEXT PRIMARY KEY, record
    TEXT``); subclasses name the table."""

    table: str

    def __init__(self, db: SQLiteDatabase) -> None:
        self._db = db

    async def load(self) -> list[Record]:
        def read(conn: sqlite3.Connection) -> list[Record]:
            rows = conn.execute(f"SELECT record FROM {self.table} ORDER BY arn")
            return [orjson.loads(record) for (record,) in rows]

        return await self._db.read(read)

    async def put(self, arn: str, record: Record) -> None:
        data = orjson.dumps(record).decode()
        await self._db.write(
            lambda c: c.execute(
                f"INSERT INTO {self.table} (arn, record) VALUES (?, ?) "
                "ON CONFLICT(arn) DO UPDATE SET record = excluded.record",
                (arn, data),
            )
        )

    async def delete(self, arn: str) -> None:
        await self._db.write(lambda c: c.execute(f"DELETE FROM {self.table} WHERE arn = ?", (arn,)))
