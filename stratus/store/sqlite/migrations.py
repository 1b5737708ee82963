"""Versioned schema migrations, applied in order inside one transaction each.

``PRAGMA user_version`` records the schema version on disk. A database written by newer
code (a higher version than we know) is refused rather than silently misread.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from stratus.store.errors import MigrationError


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    description: str
    apply: str | Callable[[sqlite3.Connection], None]  # SQL script or a function


def apply_migrations(conn: sqlite3.Connection, migrations: list[Migration]) -> int:
    """Bring the schema to the newest version; returns the version reached."""
    ordered = sorted(migrations, key=lambda m: m.version)
    versions = [m.version for m in ordered]
    if versions != list(range(1, len(ordered) + 1)):
        raise MigrationError(f"migration versions must be 1..N without gaps, got {versions}")
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    newest = len(ordered)
    if current > newest:
        raise MigrationError(
            f"database schema version {current} is newer than this Stratus knows ({newest})"
        )
    for migration in ordered[current:]:
        try:
            conn.execute("BEGIN IMMEDIATE")
            if isinstance(migration.apply, str):
                for statement in _statements(migration.apply):
                    conn.execute(statement)
            else:
                migration.apply(conn)
            conn.execute(f"PRAGMA user_version={migration.version}")
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            conn.execute("ROLLBACK")
            raise MigrationError(
                f"migration {migration.version} ({migration.description}) failed: {exc}"
            ) from exc
    return newest


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
