"""SQLite implementation of FunctionStore: one JSON record per row."""

from __future__ import annotations

import sqlite3

import orjson

from stratus.services.functions.repository import FunctionsSnapshot
from stratus.store.records import Record
from stratus.store.sqlite.database import SQLiteDatabase


class SQLiteFunctionStore:
    def __init__(self, db: SQLiteDatabase) -> None:
        self._db = db

    async def load(self) -> FunctionsSnapshot:
        def read(conn: sqlite3.Connection) -> FunctionsSnapshot:
            snap = FunctionsSnapshot()
            for name, record in conn.execute("SELECT name, record FROM functions"):
                snap.functions[name] = orjson.loads(record)
            for name, version, record in conn.execute(
                "SELECT name, version, record FROM function_versions"
            ):
                snap.versions.setdefault(name, {})[version] = orjson.loads(record)
            for name, alias, record in conn.execute(
                "SELECT name, alias, record FROM function_aliases"
            ):
                snap.aliases.setdefault(name, {})[alias] = orjson.loads(record)
            for name, version, record in conn.execute(
                "SELECT name, version, record FROM layer_versions"
            ):
                snap.layers.setdefault(name, {})[int(version)] = orjson.loads(record)
            return snap

        return await self._db.read(read)

    async def put_function(self, name: str, record: Record) -> None:
        data = orjson.dumps(record).decode()
        await self._db.write(
            lambda c: c.execute(
                "INSERT INTO functions (name, record) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET record = excluded.record",
                (name, data),
            )
        )

    async def delete_function(self, name: str) -> None:
        def delete(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM functions WHERE name = ?", (name,))
            conn.execute("DELETE FROM function_versions WHERE name = ?", (name,))
            conn.execute("DELETE FROM function_aliases WHERE name = ?", (name,))

        await self._db.write(delete)

    async def put_version(self, name: str, version: str, record: Record) -> None:
        data = orjson.dumps(record).decode()
        await self._db.write(
            lambda c: c.execute(
                "INSERT OR REPLACE INTO function_versions (name, version, record) VALUES (?, ?, ?)",
                (name, version, data),
            )
        )

    async def delete_version(self, name: str, version: str) -> None:
        await self._db.write(
            lambda c: c.execute(
                "DELETE FROM function_versions WHERE name = ? AND version = ?", (name, version)
            )
        )

    async def put_alias(self, name: str, alias: str, record: Record) -> None:
        data = orjson.dumps(record).decode()
        await self._db.write(
            lambda c: c.execute(
                "INSERT OR REPLACE INTO function_aliases (name, alias, record) VALUES (?, ?, ?)",
                (name, alias, data),
            )
        )

    async def delete_alias(self, name: str, alias: str) -> None:
        await self._db.write(
            lambda c: c.execute(
                "DELETE FROM function_aliases WHERE name = ? AND alias = ?", (name, alias)
            )
        )

    async def put_layer_version(self, name: str, version: int, record: Record) -> None:
        data = orjson.dumps(record).decode()
        await self._db.write(
            lambda c: c.execute(
                "INSERT OR REPLACE INTO layer_versions (name, version, record) VALUES (?, ?, ?)",
                (name, version, data),
            )
        )

    async def delete_layer_version(self, name: str, version: int) -> None:
        await self._db.write(
            lambda c: c.execute(
                "DELETE FROM layer_versions WHERE name = ? AND version = ?", (name, version)
            )
        )
