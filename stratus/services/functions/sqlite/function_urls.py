"""SQLite implementation of the function URL configs' store: one JSON record per URL."""

from __future__ import annotations

import sqlite3

import orjson

from stratus.services.functions.function_urls import UrlConfig
from stratus.store.sqlite.database import SQLiteDatabase

FUNCTION_URLS_SCHEMA = """
CREATE TABLE function_urls (url_id TEXT PRIMARY KEY, record TEXT NOT NULL);
"""


class SQLiteUrlConfigStore:
    def __init__(self, db: SQLiteDatabase) -> None:
        self._db = db

    async def load(self) -> list[UrlConfig]:
        def read(conn: sqlite3.Connection) -> list[UrlConfig]:
            return [
                UrlConfig.from_record(orjson.loads(record))
                for (record,) in conn.execute("SELECT record FROM function_urls")
            ]

        return await self._db.read(read)

    async def put(self, config: UrlConfig) -> None:
        data = orjson.dumps(config.to_record()).decode()
        await self._db.write(
            lambda c: c.execute(
                "INSERT INTO function_urls (url_id, record) VALUES (?, ?) "
                "ON CONFLICT(url_id) DO UPDATE SET record = excluded.record",
                (config.url_id, data),
            )
        )

    async def delete(self, url_id: str) -> None:
        await self._db.write(
            lambda c: c.execute("DELETE FROM function_urls WHERE url_id = ?", (url_id,))
        )
