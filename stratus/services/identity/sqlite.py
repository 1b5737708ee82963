"""The identity records in SQLite: one table of JSON documents, and its migrations."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import orjson

from stratus.services.identity.repository import RecordKey, StoredRecord
from stratus.store.sqlite.database import SQLiteDatabase
from stratus.store.sqlite.migrations import Migration

__all__ = ["MIGRATIONS", "SQLiteIdentityRepository"]

MIGRATIONS = [
    Migration(
        1,
        "identity records (IAM entities, access keys, STS sessions)",
        """
        CREATE TABLE identity_records (
            kind TEXT NOT NULL,
            account TEXT NOT NULL,
            key TEXT NOT NULL,
            body BLOB NOT NULL,
            expires REAL,
            PRIMARY KEY (kind, account, key)
        );
        CREATE INDEX identity_records_expires ON identity_records (expires)
            WHERE expires IS NOT NULL;
        """,
    ),
]


class SQLiteIdentityRepository:
    def __init__(self, db: SQLiteDatabase) -> None:
        self._db = db

    async def load(self) -> list[StoredRecord]:
        def read(conn: sqlite3.Connection) -> list[StoredRecord]:
            rows = conn.execute(
                "SELECT kind, account, key, body, expires FROM identity_records"
            ).fetchall()
            return [
                StoredRecord(RecordKey(kind, account, key), orjson.loads(body), expires)
                for kind, account, key, body, expires in rows
            ]

        return await self._db.read(read)

    async def apply(self, puts: Sequence[StoredRecord], deletes: Sequence[RecordKey]) -> None:
        put_rows = [
            (r.at.kind, r.at.account, r.at.key, orjson.dumps(r.body), r.expires) for r in puts
        ]
        delete_rows = [(d.kind, d.account, d.key) for d in deletes]

        def write(conn: sqlite3.Connection) -> None:
            if delete_rows:
                conn.executemany(
                    "DELETE FROM identity_records WHERE kind = ? AND account = ? AND key = ?",
                    delete_rows,
                )
            if put_rows:
                conn.executemany(
                    "INSERT OR REPLACE INTO identity_records (kind, account, key, body, expires) "
                    "VALUES (?, ?, ?, ?, ?)",
                    put_rows,
                )

        await self._db.write(write)

    async def delete_expired(self, now: float) -> list[str]:
        def write(conn: sqlite3.Connection) -> list[str]:
            keys = [
                row[0]
                for row in conn.execute(
                    "SELECT key FROM identity_records WHERE expires IS NOT NULL AND expires < ?",
                    (now,),
                )
            ]
            conn.execute(
                "DELETE FROM identity_records WHERE expires IS NOT NULL AND expires < ?", (now,)
            )
            return keys

        return await self._db.write(write)
