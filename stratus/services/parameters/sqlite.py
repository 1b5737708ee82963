"""The parameter store in SQLite: one row per parameter, its versions in one document."""

from __future__ import annotations

import sqlite3

import orjson

from stratus.services.parameters.model import Parameter
from stratus.store.sqlite.database import SQLiteDatabase
from stratus.store.sqlite.migrations import Migration

__all__ = ["MIGRATIONS", "SQLiteParametersRepository"]

MIGRATIONS = [
    Migration(
        1,
        "parameters",
        """
        CREATE TABLE ssm_parameters (
            account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
            body BLOB NOT NULL,
            PRIMARY KEY (account, region, name)
        );
        """,
    ),
]


class SQLiteParametersRepository:
    def __init__(self, db: SQLiteDatabase) -> None:
        self._db = db

    async def load(self) -> list[Parameter]:
        def read(conn: sqlite3.Connection) -> list[Parameter]:
            return [
                Parameter.from_document(orjson.loads(body))
                for (body,) in conn.execute("SELECT body FROM ssm_parameters")
            ]

        return await self._db.read(read)

    async def put(self, parameter: Parameter) -> None:
        row = (
            parameter.account,
            parameter.region,
            parameter.name,
            orjson.dumps(parameter.to_document()),
        )
        await self._db.write(
            lambda conn: conn.execute(
                "INSERT OR REPLACE INTO ssm_parameters (account, region, name, body) "
                "VALUES (?, ?, ?, ?)",
                row,
            )
        )

    async def delete(self, account: str, region: str, names: list[str]) -> None:
        rows = [(account, region, name) for name in names]
        await self._db.write(
            lambda conn: conn.executemany(
                "DELETE FROM ssm_parameters WHERE account = ? AND region = ? AND name = ?", rows
            )
        )
