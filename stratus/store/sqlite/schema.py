"""The schema of the platform database, as an ordered list of migrations."""

from __future__ import annotations

from stratus.store.sqlite.migrations import Migration

MIGRATIONS: list[Migration] = [
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
        "state machines, executions and their history, activities",
        """
        CREATE TABLE state_machines (
            arn TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, record TEXT NOT NULL
        );
        CREATE TABLE executions (
            arn TEXT PRIMARY KEY,
            machine_arn TEXT NOT NULL,
            name TEXT NOT NULL,
            status TEXT NOT NULL,
            start_ms INTEGER NOT NULL,
            stop_ms INTEGER,
            record TEXT NOT NULL,
            state TEXT,
            outstanding TEXT NOT NULL DEFAULT '{}'
        );
        CREATE UNIQUE INDEX executions_name ON executions (machine_arn, name);
        CREATE INDEX executions_status ON executions (status);
        CREATE INDEX executions_machine ON executions (machine_arn, start_ms);
        CREATE TABLE history_events (
            execution_arn TEXT NOT NULL,
            id INTEGER NOT NULL,
            event TEXT NOT NULL,
            PRIMARY KEY (execution_arn, id)
        ) WITHOUT ROWID;
        CREATE TABLE activities (arn TEXT PRIMARY KEY, name TEXT NOT NULL, record TEXT NOT NULL);
        CREATE TABLE activity_tasks (
            token TEXT PRIMARY KEY,
            activity_arn TEXT NOT NULL,
            input TEXT NOT NULL,
            created_ms INTEGER NOT NULL,
            taken INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX activity_tasks_queue ON activity_tasks (activity_arn, taken, created_ms);
        """,
    ),
    Migration(
        3,
        "Lambda code signing configs (account-level)",
        """
        CREATE TABLE code_signing_configs (arn TEXT PRIMARY KEY, record TEXT NOT NULL);
        """,
    ),
]
