"""The functions component's SQLite schema (functions, versions, aliases, layers, queued
Event invocations and function log lines), as its ordered migrations."""

from __future__ import annotations

import sqlite3

import orjson

from stratus.services.event_sources.sqlite import EVENT_SOURCE_MAPPINGS_SCHEMA
from stratus.services.functions.sqlite.capacity_providers import CAPACITY_PROVIDERS_SCHEMA
from stratus.services.functions.sqlite.function_urls import FUNCTION_URLS_SCHEMA
from stratus.store.sqlite.migrations import Migration

FUNCTIONS_MIGRATIONS: list[Migration] = [
    Migration(
        1,
        "functions, versions, aliases, layers, async invocations, logs",
        """
        CREATE TABLE functions (name TEXT PRIMARY KEY, record TEXT NOT NULL);
        CREATE TABLE function_versions (
            name TEXT NOT NULL, version TEXT NOT NULL, record TEXT NOT NULL,
            PRIMARY KEY (name, version)
        );
        CREATE TABLE function_aliases (
            name TEXT NOT NULL, alias TEXT NOT NULL, record TEXT NOT NULL,
            PRIMARY KEY (name, alias)
        );
        CREATE TABLE layer_versions (
            name TEXT NOT NULL, version INTEGER NOT NULL, record TEXT NOT NULL,
            PRIMARY KEY (name, version)
        );
        CREATE TABLE async_invocations (
            id TEXT PRIMARY KEY,
            function_name TEXT NOT NULL,
            qualifier TEXT NOT NULL,
            payload BLOB NOT NULL,
            client_context TEXT,
            enqueued_ms INTEGER NOT NULL,
            next_attempt_ms INTEGER NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX async_invocations_due ON async_invocations (next_attempt_ms);
        CREATE TABLE log_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            function_name TEXT NOT NULL,
            stream TEXT NOT NULL,
            timestamp_ms INTEGER NOT NULL,
            message TEXT NOT NULL
        );
        CREATE INDEX log_events_function ON log_events (function_name, id);
        """,
    ),
    Migration(
        2,
        "Lambda code signing configs (account-level)",
        """
        CREATE TABLE code_signing_configs (arn TEXT PRIMARY KEY, record TEXT NOT NULL);
        """,
    ),
]


# Records always carry their ARN; these are only for a record damaged beyond that.
_LEGACY_ARN = "arn:aws:lambda:us-east-1:000000000000:function:{}"
_LEGACY_LAYER_ARN = "arn:aws:lambda:us-east-1:000000000000:layer:{}"


def _key_by_arn(conn: sqlite3.Connection) -> None:
    """Functions and layers were keyed by plain name (one namespace for the server); they
    are keyed by their unqualified ARN now, so each account and region has its own names.
    Every row that names a function or layer is rewritten with the ARN its record holds."""
    renames = {
        name: orjson.loads(record).get("config", {}).get("arn") or _LEGACY_ARN.format(name)
        for name, record in conn.execute("SELECT name, record FROM functions")
    }
    for table in ("functions", "function_versions", "function_aliases"):
        conn.executemany(
            f"UPDATE {table} SET name = ? WHERE name = ?",
            [(arn, name) for name, arn in renames.items()],
        )
    for table in ("async_invocations", "log_events"):
        conn.executemany(
            f"UPDATE {table} SET function_name = ? WHERE function_name = ?",
            [(arn, name) for name, arn in renames.items()],
        )
    layers = {
        name: orjson.loads(record).get("arn") or _LEGACY_LAYER_ARN.format(name)
        for name, record in conn.execute("SELECT name, record FROM layer_versions")
    }
    conn.executemany(
        "UPDATE layer_versions SET name = ? WHERE name = ?",
        [(arn, name) for name, arn in layers.items()],
    )


FUNCTIONS_MIGRATIONS.append(
    Migration(3, "functions and layers keyed by ARN (accounts and regions)", _key_by_arn)
)

FUNCTIONS_MIGRATIONS.append(
    Migration(4, "Lambda event source mappings", EVENT_SOURCE_MAPPINGS_SCHEMA)
)

FUNCTIONS_MIGRATIONS.append(Migration(5, "Lambda function URL configs", FUNCTION_URLS_SCHEMA))

# Version 1 stored one row per log line, its id an AUTOINCREMENT key: three rows (and
# three updates of ``sqlite_sequence``) per invocation, the writer thread's largest cost
# under load. A row now holds the lines one writer appended together (an invocation's
# log): ``lines`` of them, joined by "\n" in ``message``; their event ids are
# ``id * 2**20 + line`` (services/logs/sqlite.py). Rows are never deleted, so a plain
# INTEGER PRIMARY KEY (the largest id + 1) keeps ids increasing without AUTOINCREMENT.
# Version 1's rows are copied as they were, one line each, and ``log_legacy`` keeps the
# last of their ids: their event id stays their row id, below every id written since, so
# the tokens and event ids handed out before the upgrade still point where they did.
FUNCTIONS_MIGRATIONS.append(
    Migration(
        6,
        "function log lines stored per invocation, not per line",
        """
        CREATE TABLE log_records (
            id INTEGER PRIMARY KEY,
            function_name TEXT NOT NULL,
            stream TEXT NOT NULL,
            timestamp_ms INTEGER NOT NULL,
            lines INTEGER NOT NULL,
            message TEXT NOT NULL
        );
        INSERT INTO log_records (id, function_name, stream, timestamp_ms, lines, message)
            SELECT id, function_name, stream, timestamp_ms, 1, message FROM log_events;
        CREATE TABLE log_legacy (last_id INTEGER NOT NULL);
        INSERT INTO log_legacy SELECT COALESCE(MAX(id), 0) FROM log_events;
        DROP TABLE log_events;
        CREATE INDEX log_records_function ON log_records (function_name, id);
        """,
    )
)

# Events a caller puts (PutLogEvents) carry the time they were received, which AWS
# answers as ``ingestionTime``; a function's lines leave it NULL (their timestamp is it).
FUNCTIONS_MIGRATIONS.append(
    Migration(
        7,
        "log events' ingestion time",
        "ALTER TABLE log_records ADD COLUMN ingestion_ms INTEGER",
    )
)

FUNCTIONS_MIGRATIONS.append(Migration(8, "Lambda capacity providers", CAPACITY_PROVIDERS_SCHEMA))
