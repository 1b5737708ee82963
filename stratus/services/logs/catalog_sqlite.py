"""SQLite tables of the Logs API's catalog: groups, streams, subscription and metric
filters (the events themselves are rows of ``log_records``, keyed like other writers'
groups). Every change is one awaited write, so what the API acknowledged is stored."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field

from stratus.services.logs.records import (
    DataProtectionRecord,
    LogGroupRecord,
    LogStreamRecord,
    MetricFilterRecord,
    ResourcePolicyRecord,
    SubscriptionFilterRecord,
)
from stratus.services.scope import Scope
from stratus.store.sqlite.database import SQLiteDatabase
from stratus.store.sqlite.migrations import Migration

__all__ = ["LOGS_MIGRATIONS", "CatalogSnapshot", "SQLiteLogCatalogStore"]

LOGS_MIGRATIONS = [
    Migration(
        1,
        "CloudWatch Logs groups, streams and filters",
        """
        CREATE TABLE logs_groups (
            account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
            created_ms INTEGER NOT NULL, retention_days INTEGER, kms_key_id TEXT,
            group_class TEXT NOT NULL, deletion_protection INTEGER NOT NULL,
            tags TEXT NOT NULL, stored_bytes INTEGER NOT NULL,
            PRIMARY KEY (account, region, name)
        );
        CREATE TABLE logs_streams (
            account TEXT NOT NULL, region TEXT NOT NULL, group_name TEXT NOT NULL,
            name TEXT NOT NULL, created_ms INTEGER NOT NULL,
            PRIMARY KEY (account, region, group_name, name)
        );
        CREATE TABLE logs_filters (
            account TEXT NOT NULL, region TEXT NOT NULL, group_name TEXT NOT NULL,
            kind TEXT NOT NULL, name TEXT NOT NULL, document TEXT NOT NULL,
            PRIMARY KEY (account, region, group_name, kind, name)
        );
        """,
    ),
    Migration(
        2,
        "CloudWatch Logs Insights queries and query definitions",
        """
        CREATE TABLE logs_query_definitions (
            account TEXT NOT NULL, region TEXT NOT NULL, id TEXT NOT NULL,
            document TEXT NOT NULL,
            PRIMARY KEY (account, region, id)
        );
        CREATE TABLE logs_queries (
            id TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL,
            created_ms INTEGER NOT NULL, document TEXT NOT NULL
        );
        """,
    ),
    Migration(
        3,
        "CloudWatch Logs resource and data protection policies, export tasks",
        """
        CREATE TABLE logs_resource_policies (
            account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
            resource_arn TEXT NOT NULL, document TEXT NOT NULL, updated_ms INTEGER NOT NULL,
            revision_id TEXT NOT NULL,
            PRIMARY KEY (account, region, resource_arn, name)
        );
        CREATE TABLE logs_data_protection (
            account TEXT NOT NULL, region TEXT NOT NULL, group_name TEXT NOT NULL,
            document TEXT NOT NULL, updated_ms INTEGER NOT NULL,
            PRIMARY KEY (account, region, group_name)
        );
        CREATE TABLE logs_export_tasks (
            id TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL,
            document TEXT NOT NULL
        );
        """,
    ),
    Migration(
        4,
        "CloudWatch Logs destinations and account policies",
        """
        CREATE TABLE logs_account_items (
            account TEXT NOT NULL, region TEXT NOT NULL, kind TEXT NOT NULL,
            item TEXT NOT NULL, document TEXT NOT NULL,
            PRIMARY KEY (account, region, kind, item)
        );
        """,
    ),
]

Write = Callable[[sqlite3.Connection], object]


@dataclass(slots=True)
class CatalogSnapshot:
    groups: dict[Scope, dict[str, LogGroupRecord]] = field(default_factory=dict)
    streams: dict[tuple[Scope, str], dict[str, LogStreamRecord]] = field(default_factory=dict)
    subscriptions: dict[tuple[Scope, str], dict[str, SubscriptionFilterRecord]] = field(
        default_factory=dict
    )
    metrics: dict[tuple[Scope, str], dict[str, MetricFilterRecord]] = field(default_factory=dict)
    #: (resource ARN or "" for the account's, policy name) -> policy
    resource_policies: dict[Scope, dict[tuple[str, str], ResourcePolicyRecord]] = field(
        default_factory=dict
    )
    data_protection: dict[tuple[Scope, str], DataProtectionRecord] = field(default_factory=dict)


def _group_row(scope: Scope, g: LogGroupRecord) -> tuple[object, ...]:
    return (
        scope.account,
        scope.region,
        g.name,
        g.created_ms,
        g.retention_days,
        g.kms_key_id,
        g.group_class,
        int(g.deletion_protection),
        json.dumps(g.tags),
        g.stored_bytes,
    )


class SQLiteLogCatalogStore:
    def __init__(self, db: SQLiteDatabase) -> None:
        self._db = db

    async def load(self) -> CatalogSnapshot:
        def read(conn: sqlite3.Connection) -> CatalogSnapshot:
            snap = CatalogSnapshot()
            for row in conn.execute("SELECT * FROM logs_groups"):
                scope = Scope(row[0], row[1])
                snap.groups.setdefault(scope, {})[row[2]] = LogGroupRecord(
                    row[2], row[3], row[4], row[5], row[6], bool(row[7]), json.loads(row[8]), row[9]
                )
            for account, region, group, name, created in conn.execute("SELECT * FROM logs_streams"):
                key = (Scope(account, region), group)
                snap.streams.setdefault(key, {})[name] = LogStreamRecord(group, name, created)
            for account, region, group, kind, name, document in conn.execute(
                "SELECT * FROM logs_filters"
            ):
                key = (Scope(account, region), group)
                doc = json.loads(document)
                if kind == "subscription":
                    snap.subscriptions.setdefault(key, {})[name] = SubscriptionFilterRecord(**doc)
                else:
                    snap.metrics.setdefault(key, {})[name] = MetricFilterRecord(**doc)
            for account, region, name, arn, document, updated, revision in conn.execute(
                "SELECT * FROM logs_resource_policies"
            ):
                policy = ResourcePolicyRecord(name, document, updated, arn, revision)
                snap.resource_policies.setdefault(Scope(account, region), {})[(arn, name)] = policy
            for account, region, group, document, updated in conn.execute(
                "SELECT * FROM logs_data_protection"
            ):
                protection = DataProtectionRecord(group, document, updated)
                snap.data_protection[(Scope(account, region), group)] = protection
            return snap

        return await self._db.read(read)

    async def write(self, fn: Write) -> None:
        await self._db.write(fn)

    # The statements below are composed into one write by the catalog.

    @staticmethod
    def put_group(scope: Scope, group: LogGroupRecord) -> Write:
        row = _group_row(scope, group)
        return lambda conn: (
            # stored_bytes is only ever added to (add_bytes): a settings change written
            # while events go in must not write back an older count.
            conn.execute(
                "INSERT INTO logs_groups VALUES (?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT (account, region, name) DO UPDATE SET "
                "retention_days = excluded.retention_days, kms_key_id = excluded.kms_key_id, "
                "group_class = excluded.group_class, "
                "deletion_protection = excluded.deletion_protection, tags = excluded.tags",
                row,
            )
        )

    @staticmethod
    def add_bytes(scope: Scope, name: str, delta: int) -> Write:
        """Grow (or shrink) a group's stored bytes in place: concurrent writers add up."""
        args = (delta, scope.account, scope.region, name)
        return lambda conn: conn.execute(
            "UPDATE logs_groups SET stored_bytes = MAX(0, stored_bytes + ?) "
            "WHERE account=? AND region=? AND name=?",
            args,
        )

    @staticmethod
    def delete_group(scope: Scope, name: str) -> Write:
        def run(conn: sqlite3.Connection) -> None:
            args = (scope.account, scope.region, name)
            conn.execute("DELETE FROM logs_groups WHERE account=? AND region=? AND name=?", args)
            for table in ("logs_streams", "logs_filters", "logs_data_protection"):
                conn.execute(
                    f"DELETE FROM {table} WHERE account=? AND region=? AND group_name=?", args
                )

        return run

    @staticmethod
    def put_stream(scope: Scope, stream: LogStreamRecord) -> Write:
        row = (scope.account, scope.region, stream.group, stream.name, stream.created_ms)
        return lambda conn: conn.execute(
            "INSERT OR REPLACE INTO logs_streams VALUES (?,?,?,?,?)", row
        )

    @staticmethod
    def delete_stream(scope: Scope, group: str, name: str) -> Write:
        args = (scope.account, scope.region, group, name)
        return lambda conn: conn.execute(
            "DELETE FROM logs_streams WHERE account=? AND region=? AND group_name=? AND name=?",
            args,
        )

    @staticmethod
    def put_filter(
        scope: Scope, kind: str, record: SubscriptionFilterRecord | MetricFilterRecord
    ) -> Write:
        document = json.dumps({name: getattr(record, name) for name in record.__dataclass_fields__})
        row = (scope.account, scope.region, record.group, kind, record.name, document)
        return lambda conn: conn.execute(
            "INSERT OR REPLACE INTO logs_filters VALUES (?,?,?,?,?,?)", row
        )

    @staticmethod
    def delete_filter(scope: Scope, group: str, kind: str, name: str) -> Write:
        args = (scope.account, scope.region, group, kind, name)
        return lambda conn: conn.execute(
            "DELETE FROM logs_filters WHERE account=? AND region=? AND group_name=? "
            "AND kind=? AND name=?",
            args,
        )

    @staticmethod
    def put_resource_policy(scope: Scope, policy: ResourcePolicyRecord) -> Write:
        row = (
            scope.account,
            scope.region,
            policy.name,
            policy.resource_arn,
            policy.document,
            policy.updated_ms,
            policy.revision_id,
        )
        return lambda conn: conn.execute(
            "INSERT OR REPLACE INTO logs_resource_policies VALUES (?,?,?,?,?,?,?)", row
        )

    @staticmethod
    def delete_resource_policy(scope: Scope, resource_arn: str, name: str) -> Write:
        args = (scope.account, scope.region, resource_arn, name)
        return lambda conn: conn.execute(
            "DELETE FROM logs_resource_policies WHERE account=? AND region=? "
            "AND resource_arn=? AND name=?",
            args,
        )

    @staticmethod
    def put_data_protection(scope: Scope, policy: DataProtectionRecord) -> Write:
        row = (scope.account, scope.region, policy.group, policy.document, policy.updated_ms)
        return lambda conn: conn.execute(
            "INSERT OR REPLACE INTO logs_data_protection VALUES (?,?,?,?,?)", row
        )

    @staticmethod
    def delete_data_protection(scope: Scope, group: str) -> Write:
        args = (scope.account, scope.region, group)
        return lambda conn: conn.execute(
            "DELETE FROM logs_data_protection WHERE account=? AND region=? AND group_name=?",
            args,
        )
