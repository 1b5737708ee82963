"""The schedules service's records in SQLite and its migrations. A firing writes the
schedule's next time and the event bus's outbox rows in one transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import orjson

from stratus.services.events.outbox import Delivery
from stratus.services.events.sqlite import insert_deliveries
from stratus.services.schedules.model import Group, Schedule
from stratus.store.sqlite.database import SQLiteDatabase
from stratus.store.sqlite.migrations import Migration

__all__ = ["MIGRATIONS", "SQLiteSchedulesRepository"]

MIGRATIONS = [
    Migration(
        1,
        "schedule groups and schedules",
        """
        CREATE TABLE scheduler_groups (arn TEXT PRIMARY KEY, body BLOB NOT NULL);
        CREATE TABLE scheduler_schedules (
            arn TEXT PRIMARY KEY, group_arn TEXT NOT NULL, body BLOB NOT NULL
        );
        CREATE INDEX scheduler_schedules_group ON scheduler_schedules (group_arn);
        """,
    ),
]


class SQLiteSchedulesRepository:
    def __init__(self, db: SQLiteDatabase) -> None:
        self._db = db

    async def load(self) -> tuple[list[Group], list[Schedule]]:
        def read(conn: sqlite3.Connection) -> tuple[list[Group], list[Schedule]]:
            groups = [
                Group.from_document(orjson.loads(body))
                for (body,) in conn.execute("SELECT body FROM scheduler_groups")
            ]
            schedules = [
                Schedule.from_document(orjson.loads(body))
                for (body,) in conn.execute("SELECT body FROM scheduler_schedules")
            ]
            return groups, schedules

        return await self._db.read(read)

    async def put_group(self, group: Group) -> None:
        row = (group.arn, orjson.dumps(group.to_document()))
        await self._db.write(
            lambda conn: conn.execute(
                "INSERT OR REPLACE INTO scheduler_groups (arn, body) VALUES (?, ?)", row
            )
        )

    async def delete_group(self, group_arn: str, schedule_arns: Sequence[str]) -> None:
        def write(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "DELETE FROM scheduler_schedules WHERE arn = ?", [(arn,) for arn in schedule_arns]
            )
            conn.execute("DELETE FROM scheduler_groups WHERE arn = ?", (group_arn,))

        await self._db.write(write)

    async def put_schedule(self, schedule: Schedule, group_arn: str) -> None:
        row = (schedule.arn, group_arn, orjson.dumps(schedule.to_document()))
        await self._db.write(
            lambda conn: conn.execute(
                "INSERT OR REPLACE INTO scheduler_schedules (arn, group_arn, body) VALUES (?, ?, ?)",
                row,
            )
        )

    async def delete_schedule(self, arn: str) -> None:
        await self._db.write(
            lambda conn: conn.execute("DELETE FROM scheduler_schedules WHERE arn = ?", (arn,))
        )

    async def fire(
        self, schedule: Schedule, group_arn: str, deliveries: Sequence[Delivery], *, delete: bool
    ) -> None:
        """A firing: its deliveries, and the schedule's next time (or its deletion)."""
        row = (schedule.arn, group_arn, orjson.dumps(schedule.to_document()))

        def write(conn: sqlite3.Connection) -> None:
            insert_deliveries(conn, deliveries)
            if delete:
                conn.execute("DELETE FROM scheduler_schedules WHERE arn = ?", (schedule.arn,))
            else:
                conn.execute(
                    "INSERT OR REPLACE INTO scheduler_schedules (arn, group_arn, body) "
                    "VALUES (?, ?, ?)",
                    row,
                )

        await self._db.write(write)
