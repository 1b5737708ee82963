"""The SQLite engine's own promises, beyond the repositories' contract (tests/store/contract)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from stratus.services.functions.sqlite.schema import FUNCTIONS_MIGRATIONS
from stratus.store.errors import DuplicateKey, StoreError
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


def test_a_write_alone_that_fails_leaves_nothing_and_the_next_one_commits(
    tmp_path: Path,
) -> None:
    """A write with no other in its batch runs without a savepoint: its failure must still
    undo what it did before failing, and not hold the transaction for the next one."""

    def insert_then_fail(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO t VALUES (1)")
        raise ValueError("the write's own failure")

    async def scenario() -> list[tuple[int]]:
        db = SQLiteDatabase(tmp_path / "t.db")
        await db.open({})
        await db.write(lambda conn: conn.execute("CREATE TABLE t (a INTEGER PRIMARY KEY)"))
        with pytest.raises(ValueError, match="the write's own failure"):
            await db.write(insert_then_fail)
        await db.write(lambda conn: conn.execute("INSERT INTO t VALUES (2)"))
        with pytest.raises(DuplicateKey):
            await db.write(lambda conn: conn.execute("INSERT INTO t VALUES (2)"))
        rows: list[tuple[int]] = await db.read(
            lambda conn: conn.execute("SELECT a FROM t").fetchall()
        )
        await db.close()
        return rows

    assert asyncio.run(scenario()) == [(2,)]


def test_none_is_bound_as_null(tmp_path: Path) -> None:
    """None goes through the adapter registered for it (database.py): still NULL."""

    async def scenario() -> list[tuple[str, int]]:
        db = SQLiteDatabase(tmp_path / "n.db")
        await db.open({})
        await db.write(lambda conn: conn.execute("CREATE TABLE n (a, b)"))
        await db.write(lambda conn: conn.executemany("INSERT INTO n VALUES (?, ?)", [(None, 1)]))
        await db.write(lambda conn: conn.execute("INSERT INTO n VALUES (?, ?)", (None, 2)))
        rows: list[tuple[str, int]] = await db.read(
            lambda conn: conn.execute("SELECT typeof(a), count(*) FROM n GROUP BY 1").fetchall()
        )
        await db.close()
        return rows

    assert asyncio.run(scenario()) == [("null", 2)]
