"""The toy's domain: named queues of message bodies in the platform's SQLite store."""

from __future__ import annotations

import sqlite3
import uuid

from stratus.store.sqlite.database import SQLiteDatabase
from stratus.store.sqlite.migrations import Migration

MIGRATIONS = [
    Migration(
        1,
        "toy queues and their messages",
        """
        CREATE TABLE toy_queues (name TEXT PRIMARY KEY);
        CREATE TABLE toy_messages (
            id TEXT PRIMARY KEY, queue TEXT NOT NULL, body TEXT NOT NULL
        );
        """,
    ),
]


class QueueMissing(Exception):
    """The toy's own error: services never raise AWS-shaped errors."""


class ToyQueues:
    def __init__(self, db: SQLiteDatabase) -> None:
        self._db = db
        self.queues: set[str] = set()

    async def load(self) -> None:
        rows = await self._db.read(lambda c: c.execute("SELECT name FROM toy_queues").fetchall())
        self.queues = {name for (name,) in rows}

    async def create(self, name: str) -> None:
        await self._db.write(
            lambda c: c.execute("INSERT OR IGNORE INTO toy_queues VALUES (?)", (name,))
        )
        self.queues.add(name)

    async def send(self, name: str, body: str) -> str:
        if name not in self.queues:
            raise QueueMissing("The specified queue does not exist.")
        message_id = str(uuid.uuid4())

        def insert(conn: sqlite3.Connection) -> None:
            conn.execute("INSERT INTO toy_messages VALUES (?, ?, ?)", (message_id, name, body))

        await self._db.write(insert)
        return message_id

    async def bodies(self, name: str) -> list[str]:
        rows = await self._db.read(
            lambda c: c.execute("SELECT body FROM toy_messages WHERE queue = ?", (name,)).fetchall()
        )
        return [body for (body,) in rows]
