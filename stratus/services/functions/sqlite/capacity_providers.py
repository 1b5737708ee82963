"""SQLite repository of Lambda capacity providers: one JSON record per ARN.

Its table is the functions component's migration 8 (``schema.py`` beside it).
"""

from __future__ import annotations

from stratus.services.functions.sqlite.arn_records import SQLiteArnRecords

CAPACITY_PROVIDERS_SCHEMA = (
    "CREATE TABLE capacity_providers (arn TEXT PRIMARY KEY, record TEXT NOT NULL)"
)


class SQLiteCapacityProviderStore(SQLiteArnRecords):
    table = "capacity_providers"
