"""SQLite repository of Lambda code signing configs: one JSON record per ARN.

Its table is the functions component's migration 2 (``schema.py`` beside it).
"""

from __future__ import annotations

from stratus.services.functions.sqlite.arn_records import SQLiteArnRecords


class SQLiteCodeSigningStore(SQLiteArnRecords):
    table = "code_signing_configs"
