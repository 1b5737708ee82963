"""The SQLite engine's own promises, beyond the repositories' contract (tests/store/contract)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from stratus.services.functions.sqlite.schema import FUNCTIONS_MIGRATIONS
from stratus.store.errors import StoreError
from stratus.store.sqlite.database import SQLiteDatabase


def test_a_file_that_is_not_a_database_fails_to_open_with_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "stratus.db"
    path.write_bytes(b"not a database: " + b"x" * 200)

    async def scenario() -> None:
        await SQLiteDatabase(path).open({"functions": FUNCTIONS_MIGRATIONS})

    with pytest.raises(StoreError, match="not a database") as caught:
        asyncio.run(scenario())
    assert not isinstance(caught.value, sqlite3.Error)
    assert isinstance(caught.value.__cause__, sqlite3.DatabaseError)
