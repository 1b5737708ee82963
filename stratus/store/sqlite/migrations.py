"""Versioned schema migrations, one numbered list per component, each step its own transaction.

Every component (functions, workflows, queues ...) owns its tables and numbers its
migrations 1..N on its own; the ``schema_versions`` table records how far each component's
schema is on disk, so adding a service adds a list, never renumbers another's. A database
written by newer code (a version higher than a component knows) is refused rather than
silently misread.

Databases made before components existed recorded one number in ``PRAGMA user_version``;
``LEGACY_VERSIONS`` says which component versions each of those numbers means, and the
first open under this scheme records them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from stratus.store.errors import MigrationError

__all__ = ["LEGACY_VERSIONS", "Migration", "apply_migrations"]


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    description: str
    apply: str | Callable[[sqlite3.Connection], None]  # SQL script or a function


#: ``PRAGMA user_version`` of a pre-component database -> the component versions it holds.
LEGACY_VERSIONS: dict[int, dict[str, int]] = {
    1: {"functions": 1},
    2: {"functions": 1, "workflows": 1},
}

_VERSIONS_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_versions "
    "(component TEXT PRIMARY KEY, version INTEGER NOT NULL)"
)


def apply_migrations(
    conn: sqlite3.Connection, migrations: Mapping[str, Sequence[Migration]]
) -> dict[str, int]:
    """Bring every component's schema to its newest version; returns the versions reached."""
    ordered = {name: _ordered(name, steps) for name, steps in migrations.items()}
    current = _current_versions(conn)
    reached: dict[str, int] = {}
    for name, steps in ordered.items():
        version = current.get(name, 0)
        if version > len(steps):
            raise MigrationError(
                f"the {name} schema on disk is version {version}, newer than this Stratus "
                f"knows ({len(steps)})"
            )
        for migration in steps[version:]:
            _apply(conn, name, migration)
        reached[name] = len(steps)
    return reached


def _ordered(name: str, steps: Sequence[Migration]) -> list[Migration]:
    ordered = sorted(steps, key=lambda m: m.version)
    versions = [m.version for m in ordered]
    if versions != list(range(1, len(ordered) + 1)):
        raise MigrationError(f"{name} migration versions must be 1..N without gaps, got {versions}")
    return ordered


def _current_versions(conn: sqlite3.Connection) -> dict[str, int]:
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_versions'"
    ).fetchone()
    if exists:
        return dict(conn.execute("SELECT component, version FROM schema_versions").fetchall())
    legacy = conn.execute("PRAGMA user_version").fetchone()[0]
    if legacy and legacy not in LEGACY_VERSIONS:
        raise MigrationError(
            f"database schema version {legacy} is newer than this Stratus knows "
            f"({max(LEGACY_VERSIONS)})"
        )
    versions = LEGACY_VERSIONS.get(legacy, {})
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(_VERSIONS_TABLE)
    conn.executemany("INSERT INTO schema_versions VALUES (?, ?)", versions.items())
    conn.execute("COMMIT")
    return dict(versions)


def _apply(conn: sqlite3.Connection, component: str, migration: Migration) -> None:
    try:
        conn.execute("BEGIN IMMEDIATE")
        if isinstance(migration.apply, str):
            for statement in _statements(migration.apply):
                conn.execute(statement)
        else:
            migration.apply(conn)
        conn.execute(
            "INSERT INTO schema_versions VALUES (?, ?) "
            "ON CONFLICT (component) DO UPDATE SET version = excluded.version",
            (component, migration.version),
        )
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        conn.execute("ROLLBACK")
        raise MigrationError(
            f"{component} migration {migration.version} ({migration.description}) failed: {exc}"
        ) from exc


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
