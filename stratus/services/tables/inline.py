"""Short reads on the event loop's own thread: a GetItem or a small Query costs less
CPU than handing it to the reader pool and back.

A point read by primary key takes SQLite some microseconds; handing it to a pool thread
costs a queue put, a thread wake-up and a wake-up of the loop again (tens of times the
read itself, and most of a GetItem's server CPU: bench/tables.py). In WAL mode a reader
never waits for the writer, so a short read here does not block the loop; one that
would (the file busy, a read past its row budget) raises :class:`NotInline` and the
caller runs it in the pool instead.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

ROW_BUDGET = 100  # rows a read may fetch on the loop's thread before going to the pool


class NotInline(Exception):
    """This read is not for the loop's thread: run it in the reader pool."""


class InlineReads:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._conn: sqlite3.Connection | None = None

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA query_only=ON")
            conn.execute("PRAGMA busy_timeout=0")  # never wait on the loop's thread
            self._conn = conn
        return self._conn

    def run(self, fn: Callable[[sqlite3.Connection], T], *, snapshot: bool = False) -> T:
        """``fn`` on the loop's connection; ``snapshot``: in one read transaction (reads
        of several statements). Raises NotInline when SQLite cannot answer at once."""
        try:
            conn = self._connection()
            if not snapshot:
                return fn(conn)
            conn.execute("BEGIN")
            try:
                return fn(conn)
            finally:
                conn.execute("ROLLBACK")
        except sqlite3.Error as exc:
            raise NotInline(str(exc)) from exc

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
