"""The event bus's records in SQLite (JSON documents) and its migrations."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

import orjson

from stratus.services.events.model import Bus, Rule
from stratus.services.events.outbox import Delivery
from stratus.services.events.repository import ArchivedEvent, ArchiveStatistics, Snapshot
from stratus.store.sqlite.bulk import insert_rows
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
    Migration(
        2,
        "archives, replays, connections, API destinations; archived events",
        """
        CREATE TABLE events_records (
            arn TEXT PRIMARY KEY, kind TEXT NOT NULL, body BLOB NOT NULL
        );
        CREATE TABLE events_archived (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            archive TEXT NOT NULL,
            time REAL NOT NULL,
            ingested REAL NOT NULL,
            event BLOB NOT NULL
        );
        CREATE INDEX events_archived_by_archive ON events_archived (archive, seq);
        CREATE INDEX events_archived_by_age ON events_archived (archive, ingested);
        """,
    ),
]


def _delivery_rows(deliveries: Sequence[Delivery]) -> list[tuple[str, float, bytes]]:
    return [(d.delivery_id, d.due, orjson.dumps(d.to_document())) for d in deliveries]


def insert_deliveries(conn: sqlite3.Connection, deliveries: Sequence[Delivery]) -> None:
    """Add outbox rows inside someone's write (a schedule's firing uses it too)."""
    insert_rows(
        conn,
        "events_deliveries",
        _delivery_rows(deliveries),
        ("id", "due", "body"),
        replace=True,
    )


def _insert_archived(conn: sqlite3.Connection, archived: Sequence[ArchivedEvent]) -> None:
    insert_rows(
        conn,
        "events_archived",
        [(a.archive_arn, a.time, a.ingested, a.event) for a in archived],
        ("archive", "time", "ingested", "event"),
    )


def _put_record(conn: sqlite3.Connection, kind: str, arn: str, document: dict[str, Any]) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO events_records (arn, kind, body) VALUES (?, ?, ?)",
        (arn, kind, orjson.dumps(document)),
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
            for kind, body in conn.execute("SELECT kind, body FROM events_records ORDER BY rowid"):
                snapshot.records.setdefault(kind, []).append(orjson.loads(body))
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

    async def commit_events(
        self, deliveries: Sequence[Delivery], archived: Sequence[ArchivedEvent]
    ) -> None:
        if not deliveries and not archived:
            return

        def write(conn: sqlite3.Connection) -> None:
            insert_deliveries(conn, deliveries)
            _insert_archived(conn, archived)

        await self._db.write(write)

    async def put_record(self, kind: str, arn: str, document: dict[str, Any]) -> None:
        await self._db.write(lambda conn: _put_record(conn, kind, arn, document))

    async def delete_record(self, arn: str) -> None:
        await self._db.write(
            lambda conn: conn.execute("DELETE FROM events_records WHERE arn = ?", (arn,))
        )

    async def delete_archive(self, arn: str) -> None:
        def write(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM events_records WHERE arn = ?", (arn,))
            conn.execute("DELETE FROM events_archived WHERE archive = ?", (arn,))

        await self._db.write(write)

    async def archive_statistics(self, arn: str) -> ArchiveStatistics:
        def read(conn: sqlite3.Connection) -> ArchiveStatistics:
            count, size = conn.execute(
                "SELECT COUNT(*), COALESCE(SUM(LENGTH(event)), 0) FROM events_archived"
                " WHERE archive = ?",
                (arn,),
            ).fetchone()
            return ArchiveStatistics(int(count), int(size))

        return await self._db.read(read)

    async def archived_events(
        self,
        arn: str,
        start: float,
        end: float,
        after_seq: int,
        limit: int,
        max_bytes: int = 4 * 1024 * 1024,
    ) -> list[ArchivedEvent]:
        def read(conn: sqlite3.Connection) -> list[ArchivedEvent]:
            rows = conn.execute(
                "SELECT seq, time, ingested, event FROM events_archived"
                " WHERE archive = ? AND seq > ? AND time >= ? AND time < ?"
                " ORDER BY seq LIMIT ?",
                (arn, after_seq, start, end, limit),
            )
            found: list[ArchivedEvent] = []
            size = 0
            for seq, moment, ingested, event in rows:
                found.append(ArchivedEvent(arn, moment, ingested, bytes(event), seq))
                size += len(event)
                if size >= max_bytes:
                    break
            return found

        return await self._db.read(read)

    async def purge_archive(self, arn: str, ingested_before: float) -> int:
        def write(conn: sqlite3.Connection) -> int:
            cursor = conn.execute(
                "DELETE FROM events_archived WHERE archive = ? AND ingested < ?",
                (arn, ingested_before),
            )
            return int(cursor.rowcount)

        return await self._db.write(write)

    async def replay_progress(
        self, arn: str, document: dict[str, Any], deliveries: Sequence[Delivery]
    ) -> None:
        def write(conn: sqlite3.Connection) -> None:
            _put_record(conn, "replay", arn, document)
            insert_deliveries(conn, deliveries)

        await self._db.write(write)
