"""The functions component's SQLite schema (functions, versions, aliases, layers, queued
Event invocations and function log lines), as its ordered migrations."""

from __future__ import annotations

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
