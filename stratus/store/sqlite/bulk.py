"""Many rows in one statement.

``executemany`` runs one ``sqlite3_step`` per row, and the sqlite3 module gives up the
GIL around each step and takes it back after: with the event loop's thread busy, every
row of a batch is a GIL hand-over between the writer thread and the loop (measured under
wrk: a log flush of 500 invocations' rows cost ~0.9 context switches and ~10 µs of the
writer's CPU per invocation, and as many wake-ups of the loop). A multi-row ``INSERT``
steps once for up to ``PARAMETERS_PER_STATEMENT`` host parameters.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Sequence
from typing import Any

#: Host parameters per statement: far under SQLite's limit (999 before 3.32, 32,766 since).
PARAMETERS_PER_STATEMENT = 900


def insert_rows(
    conn: sqlite3.Connection,
    table: str,
    rows: Sequence[Sequence[Any]],
    columns: tuple[str, ...] = (),
    *,
    replace: bool = False,
) -> None:
    """Insert ``rows`` (all of one width) into ``table``, into ``columns`` when given (else
    every column in the table's order), in as few statements as the parameter limit allows.
    ``replace``: ``INSERT OR REPLACE`` (a later row of the same key wins, as it would one
    statement per row)."""
    if not rows:
        return
    width = len(rows[0])
    per_statement = max(1, PARAMETERS_PER_STATEMENT // width)
    for start in range(0, len(rows), per_statement):
        part = rows[start : start + per_statement]
        values = part[0] if len(part) == 1 else [value for row in part for value in row]
        conn.execute(_insert_sql(table, columns, width, len(part), replace), values)


@functools.lru_cache(maxsize=256)
def _insert_sql(table: str, columns: tuple[str, ...], width: int, count: int, replace: bool) -> str:
    verb = "INSERT OR REPLACE" if replace else "INSERT"
    into = f"{table} ({', '.join(columns)})" if columns else table
    one = f"({','.join('?' * width)})"
    return f"{verb} INTO {into} VALUES {','.join([one] * count)}"
