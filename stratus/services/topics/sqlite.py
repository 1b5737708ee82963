"""The topics service's records in SQLite: JSON documents, and its migrations."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import orjson

from stratus.services.topics.model import (
    Delivery,
    PlatformApplication,
    PlatformEndpoint,
    SentMessage,
    SmsSettings,
    Subscription,
    Topic,
)
from stratus.services.topics.repository import Snapshot
from stratus.store.sqlite.bulk import insert_rows
from stratus.store.sqlite.database import SQLiteDatabase
from stratus.store.sqlite.migrations import Migration

__all__ = ["MIGRATIONS", "SQLiteTopicsRepository"]

MIGRATIONS = [
    Migration(
        1,
        "topics, subscriptions and pending deliveries",
        """
        CREATE TABLE sns_topics (arn TEXT PRIMARY KEY, body BLOB NOT NULL);
        CREATE TABLE sns_subscriptions (
            arn TEXT PRIMARY KEY,
            topic_arn TEXT NOT NULL,
            body BLOB NOT NULL
        );
        CREATE INDEX sns_subscriptions_topic ON sns_subscriptions (topic_arn);
        CREATE TABLE sns_deliveries (
            id TEXT PRIMARY KEY,
            subscription_arn TEXT NOT NULL,
            due REAL NOT NULL,
            body BLOB NOT NULL
        );
        CREATE INDEX sns_deliveries_subscription ON sns_deliveries (subscription_arn);
        """,
    ),
    Migration(
        2,
        "platform applications and endpoints, SMS settings, messages sent to devices",
        """
        CREATE TABLE sns_platform_applications (arn TEXT PRIMARY KEY, body BLOB NOT NULL);
        CREATE TABLE sns_platform_endpoints (
            arn TEXT PRIMARY KEY,
            application_arn TEXT NOT NULL,
            body BLOB NOT NULL
        );
        CREATE INDEX sns_platform_endpoints_application
            ON sns_platform_endpoints (application_arn);
        CREATE TABLE sns_sms_settings (scope TEXT PRIMARY KEY, body BLOB NOT NULL);
        CREATE TABLE sns_sent (seq INTEGER PRIMARY KEY AUTOINCREMENT, body BLOB NOT NULL);
        """,
    ),
]


class SQLiteTopicsRepository:
    def __init__(self, db: SQLiteDatabase) -> None:
        self._db = db

    async def load(self) -> Snapshot:
        def read(conn: sqlite3.Connection) -> Snapshot:
            snapshot = Snapshot()
            for (body,) in conn.execute("SELECT body FROM sns_topics"):
                snapshot.topics.append(Topic.from_document(orjson.loads(body)))
            for (body,) in conn.execute("SELECT body FROM sns_subscriptions"):
                snapshot.subscriptions.append(Subscription.from_document(orjson.loads(body)))
            for (body,) in conn.execute("SELECT body FROM sns_deliveries ORDER BY due"):
                snapshot.deliveries.append(Delivery.from_document(orjson.loads(body)))
            for (body,) in conn.execute("SELECT body FROM sns_platform_applications"):
                snapshot.applications.append(PlatformApplication.from_document(orjson.loads(body)))
            for (body,) in conn.execute("SELECT body FROM sns_platform_endpoints"):
                snapshot.endpoints.append(PlatformEndpoint.from_document(orjson.loads(body)))
            for (body,) in conn.execute("SELECT body FROM sns_sms_settings"):
                snapshot.sms.append(SmsSettings.from_document(orjson.loads(body)))
            return snapshot

        return await self._db.read(read)

    async def put_topic(self, topic: Topic) -> None:
        row = (topic.arn, orjson.dumps(topic.to_document()))
        await self._db.write(
            lambda conn: conn.execute(
                "INSERT OR REPLACE INTO sns_topics (arn, body) VALUES (?, ?)", row
            )
        )

    async def delete_topic(self, arn: str) -> None:
        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                "DELETE FROM sns_deliveries WHERE subscription_arn IN "
                "(SELECT arn FROM sns_subscriptions WHERE topic_arn = ?)",
                (arn,),
            )
            conn.execute("DELETE FROM sns_subscriptions WHERE topic_arn = ?", (arn,))
            conn.execute("DELETE FROM sns_topics WHERE arn = ?", (arn,))

        await self._db.write(write)

    async def put_subscription(self, subscription: Subscription) -> None:
        row = (
            subscription.arn,
            subscription.topic_arn,
            orjson.dumps(subscription.to_document()),
        )
        await self._db.write(
            lambda conn: conn.execute(
                "INSERT OR REPLACE INTO sns_subscriptions (arn, topic_arn, body) VALUES (?, ?, ?)",
                row,
            )
        )

    async def delete_subscription(self, arn: str) -> None:
        def write(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM sns_deliveries WHERE subscription_arn = ?", (arn,))
            conn.execute("DELETE FROM sns_subscriptions WHERE arn = ?", (arn,))

        await self._db.write(write)

    async def add_deliveries(self, deliveries: Sequence[Delivery], topic: Topic | None) -> None:
        rows = [_delivery_row(delivery) for delivery in deliveries]
        topic_row = (topic.arn, orjson.dumps(topic.to_document())) if topic is not None else None

        def write(conn: sqlite3.Connection) -> None:
            insert_rows(conn, "sns_deliveries", rows, ("id", "subscription_arn", "due", "body"))
            if topic_row is not None:
                conn.execute(
                    "INSERT OR REPLACE INTO sns_topics (arn, body) VALUES (?, ?)", topic_row
                )

        await self._db.write(write)

    async def update_delivery(self, delivery: Delivery) -> None:
        row = _delivery_row(delivery)
        await self._db.write(
            lambda conn: conn.execute(
                "INSERT OR REPLACE INTO sns_deliveries (id, subscription_arn, due, body) "
                "VALUES (?, ?, ?, ?)",
                row,
            )
        )

    async def delete_delivery(self, delivery_id: str) -> None:
        await self._db.write(
            lambda conn: conn.execute("DELETE FROM sns_deliveries WHERE id = ?", (delivery_id,))
        )

    # -- mobile push and SMS -------------------------------------------------------------
    async def put_application(self, application: PlatformApplication) -> None:
        row = (application.arn, orjson.dumps(application.to_document()))
        await self._db.write(
            lambda conn: conn.execute(
                "INSERT OR REPLACE INTO sns_platform_applications (arn, body) VALUES (?, ?)", row
            )
        )

    async def delete_application(self, arn: str) -> None:
        def write(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM sns_platform_endpoints WHERE application_arn = ?", (arn,))
            conn.execute("DELETE FROM sns_platform_applications WHERE arn = ?", (arn,))

        await self._db.write(write)

    async def put_endpoint(self, endpoint: PlatformEndpoint) -> None:
        row = (endpoint.arn, endpoint.application_arn, orjson.dumps(endpoint.to_document()))
        await self._db.write(
            lambda conn: conn.execute(
                "INSERT OR REPLACE INTO sns_platform_endpoints (arn, application_arn, body) "
                "VALUES (?, ?, ?)",
                row,
            )
        )

    async def delete_endpoint(self, arn: str) -> None:
        await self._db.write(
            lambda conn: conn.execute("DELETE FROM sns_platform_endpoints WHERE arn = ?", (arn,))
        )

    async def put_sms(self, settings: SmsSettings, sent: SentMessage | None = None) -> None:
        row = (settings.key, orjson.dumps(settings.to_document()))
        sent_row = (orjson.dumps(sent.to_document()),) if sent is not None else None

        def write(conn: sqlite3.Connection) -> None:
            conn.execute("INSERT OR REPLACE INTO sns_sms_settings (scope, body) VALUES (?, ?)", row)
            if sent_row is not None:
                conn.execute("INSERT INTO sns_sent (body) VALUES (?)", sent_row)

        await self._db.write(write)

    async def add_sent(self, message: SentMessage) -> None:
        row = (orjson.dumps(message.to_document()),)
        await self._db.write(
            lambda conn: conn.execute("INSERT INTO sns_sent (body) VALUES (?)", row)
        )

    async def sent(self, after: int, limit: int) -> list[tuple[int, SentMessage]]:
        def read(conn: sqlite3.Connection) -> list[tuple[int, SentMessage]]:
            rows = conn.execute(
                "SELECT seq, body FROM sns_sent WHERE seq > ? ORDER BY seq LIMIT ?", (after, limit)
            )
            return [(seq, SentMessage.from_document(orjson.loads(body))) for seq, body in rows]

        return await self._db.read(read)


def _delivery_row(delivery: Delivery) -> tuple[str, str, float, bytes]:
    return (
        delivery.delivery_id,
        delivery.subscription_arn,
        delivery.due,
        orjson.dumps(delivery.to_document()),
    )
