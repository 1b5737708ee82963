"""The event bus's records in SQLite (JSON documents) and its migrations."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import orjson

from stratus.services.events.model import Bus, Rule
from stratus.services.events.outbox import Delivery
from stratus.services.events.repository import Snapshot
from stratus.store.sqlite.database import SQLiteDatabase
from stratus.store.sqlite.migrations import Migration

__all__ = ["MIGRATIONS", "SQLiteEventsRepository"]

MIGRATIONS = [
    Migration(
        1,
        "event buses, rules with their targets, pending deliveries",
        """
        CREATE TABLE events_buses (arn TEXT PRIMARY KEY, body BLOB NOT NULL);
        CREATE TABLE events_rules (arn TEXT PRIMARY KEY, body BLOB NOT NULL);
        CREATE TABLE events_deliveries (
            id TEXT PRIMARY KEY, due REAL NOT NULL, body BLOB NOT NULL
        );
        """,
    ),
]


def _delivery_rows(deliveries: Sequence[Delivery]) -> list[tuple[str, float, bytes]]:
    return [(d.delivery_id, d.due, orjson.dumps(d.to_document())) for d in deliveries]


def insert_deliveries(conn: sqlite3.Connection, deliveries: Sequence[Delivery]) -> None:
    """Add outbox rows inside someone's write (a schedule's firing uses it too)."""
    conn.executemany(
        "INSERT OR REPLACE INTO events_deliveries (id, due, body) VALUES (?, ?, ?)",
        _delivery_rows(deliveries),
    )


class SQLiteEventsRepository:
    def __init__(self, db: SQLiteDatabase) -> None:
        self._db = db

    async def load(self) -> Snapshot:
        def read(conn: sqlite3.Connection) -> Snapshot:
            snapshot = Snapshot()
            for (body,) in conn.execute("SELECT body FROM events_buses"):
                snapshot.buses.append(Bus.from_document(orjson.loads(body)))
            for (body,) in conn.execute("SELECT body FROM events_rules"):
                snapshot.rules.append(Rule.from_document(orjson.loads(body)))
            return snapshot

        return await self._db.read(read)

    async def load_deliveries(self) -> list[Delivery]:
        def read(conn: sqlite3.Connection) -> list[Delivery]:
            return [
                Delivery.from_document(orjson.loads(body))
                for (body,) in conn.execute(
                    "SELECT body FROM events_deliveries ORDER BY due, rowid"
                )
            ]

        return await self._db.read(read)

    async def put_bus(self, bus: Bus) -> None:
        row = (bus.arn, orjson.dumps(bus.to_document()))
        await self._db.write(
            lambda conn: conn.execute(
                "INSERT OR REPLACE INTO events_buses (arn, body) VALUES (?, ?)", row
            )
        )

    async def delete_bus(self, arn: str) -> None:
        await self._db.write(
            lambda conn: conn.execute("DELETE FROM events_buses WHERE arn = ?", (arn,))
        )

    async def put_rule(self, rule: Rule) -> None:
        row = (rule.arn, orjson.dumps(rule.to_document()))
        await self._db.write(
            lambda conn: conn.execute(
                "INSERT OR REPLACE INTO events_rules (arn, body) VALUES (?, ?)", row
            )
        )

    async def delete_rule(self, arn: str) -> None:
        await self._db.write(
            lambda conn: conn.execute("DELETE FROM events_rules WHERE arn = ?", (arn,))
        )

    async def fire_rule(self, rule: Rule, deliveries: Sequence[Delivery]) -> None:
        row = (rule.arn, orjson.dumps(rule.to_document()))

        def write(conn: sqlite3.Connection) -> None:
            conn.execute("INSERT OR REPLACE INTO events_rules (arn, body) VALUES (?, ?)", row)
            insert_deliveries(conn, deliveries)

        await self._db.write(write)

    async def add_deliveries(self, deliveries: Sequence[Delivery]) -> None:
        if deliveries:
            await self._db.write(lambda conn: insert_deliveries(conn, deliveries))

    async def update_delivery(self, delivery: Delivery) -> None:
        await self._db.write(lambda conn: insert_deliveries(conn, [delivery]))

    async def delete_delivery(self, delivery_id: str) -> None:
        await self._db.write(
            lambda conn: conn.execute("DELETE FROM events_deliveries WHERE id = ?", (delivery_id,))
        )
