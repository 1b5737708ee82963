"""Per-component schema versions: independent lists, legacy databases, newer schemas refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from stratus.services.functions.sqlite.schema import FUNCTIONS_MIGRATIONS
from stratus.store.errors import MigrationError
from stratus.store.sqlite.migrations import Migration, apply_migrations
from stratus.workflows.service.sqlite import WORKFLOWS_MIGRATIONS

A = [Migration(1, "a", "CREATE TABLE a (x)"), Migration(2, "a2", "ALTER TABLE a ADD y")]
B = [Migration(1, "b", "CREATE TABLE b (x)")]


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def _versions(conn: sqlite3.Connection) -> dict[str, int]:
    return dict(conn.execute("SELECT component, version FROM schema_versions"))


def test_components_migrate_independently(tmp_path: Path) -> None:
    conn = _connect(tmp_path / "db")
    assert apply_migrations(conn, {"a": A[:1]}) == {"a": 1}
    assert apply_migrations(conn, {"a": A, "b": B}) == {"a": 2, "b": 1}
    assert _versions(conn) == {"a": 2, "b": 1}
    conn.execute("INSERT INTO a VALUES (1, 2)")  # both steps of a ran, once
    assert apply_migrations(conn, {"a": A, "b": B}) == {"a": 2, "b": 1}


def test_a_component_removed_from_the_list_keeps_its_tables(tmp_path: Path) -> None:
    conn = _connect(tmp_path / "db")
    apply_migrations(conn, {"a": A, "b": B})
    apply_migrations(conn, {"a": A})
    assert _versions(conn) == {"a": 2, "b": 1}


def test_a_newer_schema_on_disk_is_refused(tmp_path: Path) -> None:
    conn = _connect(tmp_path / "db")
    apply_migrations(conn, {"a": A})
    with pytest.raises(MigrationError, match="the a schema on disk is version 2"):
        apply_migrations(conn, {"a": A[:1]})


def test_gaps_in_a_list_are_a_programming_error(tmp_path: Path) -> None:
    with pytest.raises(MigrationError, match=r"1\.\.N without gaps"):
        apply_migrations(_connect(tmp_path / "db"), {"a": [A[1]]})


def test_a_failing_step_rolls_back_and_names_the_component(tmp_path: Path) -> None:
    conn = _connect(tmp_path / "db")
    broken = [*A, Migration(3, "broken", "CREATE TABLE a (x)")]
    with pytest.raises(MigrationError, match="a migration 3 \\(broken\\) failed"):
        apply_migrations(conn, {"a": broken})
    assert _versions(conn) == {"a": 2}


def test_a_database_from_before_components_is_adopted(tmp_path: Path) -> None:
    """A data directory written by the single-list schema (``PRAGMA user_version`` 2)."""
    conn = _connect(tmp_path / "db")
    for step in (FUNCTIONS_MIGRATIONS[0], WORKFLOWS_MIGRATIONS[0]):  # the legacy schema
        assert isinstance(step.apply, str)
        conn.executescript(step.apply)
    arn = "arn:aws:lambda:eu-west-1:000000000000:function:kept"
    conn.execute("INSERT INTO functions VALUES ('kept', ?)", (f'{{"config": {{"arn": "{arn}"}}}}',))
    conn.execute("INSERT INTO function_versions VALUES ('kept', '1', '{}')")
    conn.execute(
        "INSERT INTO async_invocations (id, function_name, qualifier, payload, enqueued_ms,"
        " next_attempt_ms) VALUES ('e1', 'kept', '$LATEST', x'7b7d', 0, 0)"
    )
    conn.execute("PRAGMA user_version=2")
    reached = apply_migrations(
        conn, {"functions": FUNCTIONS_MIGRATIONS, "workflows": WORKFLOWS_MIGRATIONS}
    )
    assert reached == {
        "functions": len(FUNCTIONS_MIGRATIONS),
        "workflows": len(WORKFLOWS_MIGRATIONS),
    }
    # Functions were keyed by name before accounts and regions; now by their ARN.
    assert conn.execute("SELECT name FROM functions").fetchall() == [(arn,)]
    assert conn.execute("SELECT name FROM function_versions").fetchall() == [(arn,)]
    assert conn.execute("SELECT function_name FROM async_invocations").fetchall() == [(arn,)]


def test_a_legacy_version_newer_than_known_is_refused(tmp_path: Path) -> None:
    conn = _connect(tmp_path / "db")
    conn.execute("PRAGMA user_version=9")
    with pytest.raises(MigrationError, match="schema version 9 is newer"):
        apply_migrations(conn, {"functions": FUNCTIONS_MIGRATIONS})


def test_machines_keep_their_rows_when_name_stops_being_unique(tmp_path: Path) -> None:
    """Workflows 2 rebuilds ``state_machines`` without the UNIQUE name: rows survive."""
    conn = _connect(tmp_path / "db")
    apply_migrations(conn, {"workflows": WORKFLOWS_MIGRATIONS[:1]})
    conn.execute("INSERT INTO state_machines VALUES ('arn:east:m', 'm', '{}')")
    apply_migrations(conn, {"workflows": WORKFLOWS_MIGRATIONS})
    conn.execute("INSERT INTO state_machines VALUES ('arn:west:m', 'm', '{}')")
    rows = conn.execute("SELECT arn, name FROM state_machines ORDER BY arn").fetchall()
    assert rows == [("arn:east:m", "m"), ("arn:west:m", "m")]
