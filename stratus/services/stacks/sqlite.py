"""SQLite persistence of stacks: one JSON document per stack and per change set, events
appended in order. A stack is small and written whole after every step."""

from __future__ import annotations

from typing import Any

import orjson

from stratus.services.stacks.repository import Table
from stratus.store.sqlite.database import SQLiteDatabase
from stratus.store.sqlite.migrations import Migration

__all__ = ["STACKS_MIGRATIONS", "SQLiteStackStore"]

STACKS_MIGRATIONS = [
    Migration(
        1,
        "CloudFormation stacks, change sets and events",
        "CREATE TABLE cfn_stacks (stack_id TEXT PRIMARY KEY, record TEXT NOT NULL);"
        "CREATE TABLE cfn_change_sets (change_set_id TEXT PRIMARY KEY, record TEXT NOT NULL);"
        "CREATE TABLE cfn_events (seq INTEGER PRIMARY KEY AUTOINCREMENT, stack_id TEXT NOT NULL, "
        "record TEXT NOT NULL);"
        "CREATE INDEX cfn_events_stack ON cfn_events (stack_id, seq);",
    ),
    Migration(
        2,
        "custom resource requests awaiting their response",
        "CREATE TABLE cfn_custom_requests (token TEXT PRIMARY KEY, stack_id TEXT NOT NULL, "
        "record TEXT NOT NULL);",
    ),
    Migration(
        3,
        "StackSets: each set with its instances and operations as one document",
        "CREATE TABLE cfn_stack_sets (stack_set_id TEXT PRIMARY KEY, record TEXT NOT NULL);",
    ),
]


class SQLiteStackStore:
    def __init__(self, db: SQLiteDatabase) -> None:
        self._db = db

    async def load(self, table: Table) -> list[dict[str, Any]]:
        assert table in ("cfn_stacks", "cfn_change_sets")
        rows = await self._db.read(lambda c: c.execute(f"SELECT record FROM {table}").fetchall())
        return [orjson.loads(row[0]) for row in rows]

    async def load_events(self) -> list[dict[str, Any]]:
        rows = await self._db.read(
            lambda c: c.execute("SELECT record FROM cfn_events ORDER BY seq").fetchall()
        )
        return [orjson.loads(row[0]) for row in rows]

    async def put_stack(self, stack_id: str, record: dict[str, Any]) -> None:
        text = orjson.dumps(record).decode()
        await self._db.write(
            lambda c: c.execute(
                "INSERT OR REPLACE INTO cfn_stacks (stack_id, record) VALUES (?, ?)",
                (stack_id, text),
            )
        )

    async def put_change_set(self, change_set_id: str, record: dict[str, Any]) -> None:
        text = orjson.dumps(record).decode()
        await self._db.write(
            lambda c: c.execute(
                "INSERT OR REPLACE INTO cfn_change_sets (change_set_id, record) VALUES (?, ?)",
                (change_set_id, text),
            )
        )

    async def delete_change_set(self, change_set_id: str) -> None:
        await self._db.write(
            lambda c: c.execute(
                "DELETE FROM cfn_change_sets WHERE change_set_id = ?", (change_set_id,)
            )
        )

    async def add_event(self, stack_id: str, record: dict[str, Any]) -> None:
        text = orjson.dumps(record).decode()
        await self._db.write(
            lambda c: c.execute(
                "INSERT INTO cfn_events (stack_id, record) VALUES (?, ?)", (stack_id, text)
            )
        )

    async def load_pending(self) -> list[dict[str, Any]]:
        rows = await self._db.read(
            lambda c: c.execute("SELECT record FROM cfn_custom_requests").fetchall()
        )
        return [orjson.loads(row[0]) for row in rows]

    async def put_pending(self, token: str, stack_id: str, record: dict[str, Any]) -> None:
        text = orjson.dumps(record).decode()
        await self._db.write(
            lambda c: c.execute(
                "INSERT OR REPLACE INTO cfn_custom_requests (token, stack_id, record) "
                "VALUES (?, ?, ?)",
                (token, stack_id, text),
            )
        )

    async def delete_pending(self, token: str) -> None:
        await self._db.write(
            lambda c: c.execute("DELETE FROM cfn_custom_requests WHERE token = ?", (token,))
        )

    async def load_stack_sets(self) -> list[dict[str, Any]]:
        rows = await self._db.read(
            lambda c: c.execute("SELECT record FROM cfn_stack_sets").fetchall()
        )
        return [orjson.loads(row[0]) for row in rows]

    async def put_stack_set(self, stack_set_id: str, record: dict[str, Any]) -> None:
        text = orjson.dumps(record).decode()
        await self._db.write(
            lambda c: c.execute(
                "INSERT OR REPLACE INTO cfn_stack_sets (stack_set_id, record) VALUES (?, ?)",
                (stack_set_id, text),
            )
        )
