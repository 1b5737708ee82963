"""SQLite storage of durable executions: the execution row, its operations (one row
each, rewritten when the operation changes) and its history (append-only).

One checkpoint is one write job: the execution row, every operation it changed and the
events it made commit together (group-committed with other writers' jobs), so an
acknowledged checkpoint is whole on disk or absent.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

import orjson

from stratus.services.durable.model import Event, Execution, Operation
from stratus.store.sqlite.bulk import insert_rows
from stratus.store.sqlite.database import SQLiteDatabase
from stratus.store.sqlite.migrations import Migration

__all__ = ["DURABLE_MIGRATIONS", "SQLiteDurableStore"]

DURABLE_MIGRATIONS = [
    Migration(
        1,
        "durable executions, their operations and history",
        """
        CREATE TABLE durable_executions (
            arn TEXT PRIMARY KEY,
            function_arn TEXT NOT NULL,
            name TEXT NOT NULL,
            status TEXT NOT NULL,
            start REAL NOT NULL,
            record TEXT NOT NULL
        );
        CREATE INDEX durable_executions_by_function
            ON durable_executions (function_arn, start);
        CREATE UNIQUE INDEX durable_executions_by_name
            ON durable_executions (function_arn, name);
        CREATE INDEX durable_executions_running ON durable_executions (status);
        CREATE TABLE durable_operations (
            arn TEXT NOT NULL,
            op_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            record TEXT NOT NULL,
            PRIMARY KEY (arn, op_id)
        ) WITHOUT ROWID;
        CREATE TABLE durable_events (
            arn TEXT NOT NULL,
            event_id INTEGER NOT NULL,
            record TEXT NOT NULL,
            PRIMARY KEY (arn, event_id)
        ) WITHOUT ROWID;
        """,
    )
]


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


class SQLiteDurableStore:
    def __init__(self, db: SQLiteDatabase) -> None:
        self._db = db

    async def save(
        self, execution: Execution, operations: Iterable[Operation], events: Iterable[Event]
    ) -> None:
        row = (
            execution.arn,
            execution.function_arn,
            execution.name,
            execution.status,
            execution.start,
            _dumps(execution.record()),
        )
        ops = [(execution.arn, op["Id"], op.get("_seq", 0), _dumps(op)) for op in operations]
        evs = [(execution.arn, ev["EventId"], _dumps(ev)) for ev in events]

        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO durable_executions (arn, function_arn, name, status, start, record)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (arn) DO UPDATE SET"
                " status = excluded.status, record = excluded.record",
                row,
            )
            if ops:
                insert_rows(
                    conn,
                    "durable_operations",
                    ops,
                    ("arn", "op_id", "seq", "record"),
                    replace=True,
                )
            if evs:
                insert_rows(
                    conn, "durable_events", evs, ("arn", "event_id", "record"), replace=True
                )

        await self._db.write(write)

    async def load_running(self) -> list[Execution]:
        def read(conn: sqlite3.Connection) -> list[Execution]:
            rows = conn.execute(
                "SELECT arn, record FROM durable_executions WHERE status IN ('RUNNING', 'PAUSED')"
            ).fetchall()
            return [_execution(conn, arn, record) for arn, record in rows]

        return await self._db.read(read)

    async def get(self, arn: str) -> Execution | None:
        def read(conn: sqlite3.Connection) -> Execution | None:
            row = conn.execute(
                "SELECT record FROM durable_executions WHERE arn = ?", (arn,)
            ).fetchone()
            return None if row is None else _execution(conn, arn, row[0])

        return await self._db.read(read)

    async def find_by_name(self, function_arn: str, name: str) -> Execution | None:
        def read(conn: sqlite3.Connection) -> Execution | None:
            row = conn.execute(
                "SELECT arn, record FROM durable_executions WHERE function_arn = ? AND name = ?",
                (function_arn, name),
            ).fetchone()
            return None if row is None else _execution(conn, row[0], row[1])

        return await self._db.read(read)

    async def list_by_function(self, function_arn: str) -> list[dict[str, Any]]:
        def read(conn: sqlite3.Connection) -> list[dict[str, Any]]:
            rows = conn.execute(
                "SELECT record FROM durable_executions WHERE function_arn = ? ORDER BY start",
                (function_arn,),
            ).fetchall()
            return [orjson.loads(r[0]) for r in rows]

        return await self._db.read(read)

    async def list_all(self) -> list[dict[str, Any]]:
        def read(conn: sqlite3.Connection) -> list[dict[str, Any]]:
            rows = conn.execute("SELECT record FROM durable_executions ORDER BY start").fetchall()
            return [orjson.loads(r[0]) for r in rows]

        return await self._db.read(read)

    async def events(self, arn: str) -> list[Event]:
        def read(conn: sqlite3.Connection) -> list[Event]:
            rows = conn.execute(
                "SELECT record FROM durable_events WHERE arn = ? ORDER BY event_id", (arn,)
            ).fetchall()
            return [orjson.loads(r[0]) for r in rows]

        return await self._db.read(read)

    async def delete(self, arn: str) -> None:
        def write(conn: sqlite3.Connection) -> None:
            for table in ("durable_executions", "durable_operations", "durable_events"):
                conn.execute(f"DELETE FROM {table} WHERE arn = ?", (arn,))

        await self._db.write(write)


def _execution(conn: sqlite3.Connection, arn: str, record: str) -> Execution:
    rows = conn.execute(
        "SELECT record FROM durable_operations WHERE arn = ? ORDER BY seq", (arn,)
    ).fetchall()
    ops: dict[str, Operation] = {}
    for (text,) in rows:
        op = orjson.loads(text)
        ops[op["Id"]] = op
    return Execution.from_record(orjson.loads(record), ops)
