"""SQLite implementation of :class:`~stratus.services.event_sources.repository.MappingStore`.

The table belongs to the functions component (which owns the engine): its migration is
``EVENT_SOURCE_MAPPINGS_SCHEMA``, applied as one of ``FUNCTIONS_MIGRATIONS``.
"""

from __future__ import annotations

from typing import Any

import orjson

from stratus.store.sqlite.database import SQLiteDatabase

EVENT_SOURCE_MAPPINGS_SCHEMA = """
CREATE TABLE event_source_mappings (uuid TEXT PRIMARY KEY, record TEXT NOT NULL);
"""


class SQLiteMappingStore:
    def __init__(self, db: SQLiteDatabase) -> None:
        self._db = db

    async def load(self) -> list[dict[str, Any]]:
        rows = await self._db.read(
            lambda c: c.execute("SELECT record FROM event_source_mappings").fetchall()
        )
        return [orjson.loads(row[0]) for row in rows]

    async def put(self, uuid: str, record: dict[str, Any]) -> None:
        text = orjson.dumps(record).decode()
        await self._db.write(
            lambda c: c.execute(
                "INSERT OR REPLACE INTO event_source_mappings (uuid, record) VALUES (?, ?)",
                (uuid, text),
            )
        )

    async def delete(self, uuid: str) -> None:
        await self._db.write(
            lambda c: c.execute("DELETE FROM event_source_mappings WHERE uuid = ?", (uuid,))
        )
