"""One SQLite database: a single writer thread with group commit, and pooled readers.

Why a writer thread: SQLite allows one writer at a time and a commit costs a WAL append
(plus an fsync with ``--durability full``). Callers from the event loop enqueue a write
function; the writer drains everything queued, runs the functions in one transaction
(each in its own savepoint, so one failing write does not undo the others), commits
once, and only then resolves each caller's future. Acknowledged therefore means
committed, and a burst of N writes costs one commit instead of N.

Reads run on a small thread pool with one WAL connection per thread, so the event loop
never blocks on SQLite; each read call is one read transaction (one snapshot).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

from stratus.store.errors import DuplicateKey, StoreClosed, StoreError
from stratus.store.sqlite.migrations import Migration, apply_migrations

T = TypeVar("T")
log = logging.getLogger(__name__)

_MAX_BATCH = 512


# CPython's sqlite3 binds a None only after looking for an adapter in its registry, then
# for ``PrepareProtocol.__adapt__`` and ``None.__conform__``: two missing attributes, each
# raised and formatted as an AttributeError before it is swallowed, about 1,200
# instructions per None bound (callgrind; a SendMessage binds 7). An adapter registered
# for None is found by the first dict lookup. It must return None (bound as NULL), and a
# C callable costs a tenth of a Python function: an empty dict's ``get`` answers None.
_NULL: dict[None, None] = {}
sqlite3.register_adapter(type(None), cast("Callable[[None], None]", _NULL.get))


@dataclass(slots=True)
class _WriteJob:
    fn: Callable[[sqlite3.Connection], Any]
    loop: asyncio.AbstractEventLoop | None
    future: asyncio.Future[Any] | None


@dataclass(frozen=True, slots=True)
class DatabaseStatistics:
    commits: int
    writes: int
    queued: int


def _connect(path: Path, durability: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={'FULL' if durability == 'full' else 'NORMAL'}")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    # Python's SQLite is built with secure_delete on, which zeroes every freed page: a
    # deleted 256 KiB queue message then costs 800 KB of writes. FAST zeroes what costs no
    # extra I/O (b-tree pages) and leaves freed overflow pages to be reused (bench/
    # queue_throughput.py measures it).
    conn.execute("PRAGMA secure_delete=FAST")
    return conn


class SQLiteDatabase:
    """A SQLite file with a group-committing writer thread and a reader pool."""

    def __init__(
        self,
        path: Path,
        migrations: Mapping[str, Sequence[Migration]] | None = None,
        *,
        durability: str = "normal",
        readers: int = 4,
    ) -> None:
        self.path = path
        self._migrations = dict(migrations or {})
        self._durability = durability
        self._queue: queue.SimpleQueue[_WriteJob | None] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._readers = ThreadPoolExecutor(max_workers=readers, thread_name_prefix="sqlite-read")
        self._local = threading.local()
        self._reader_conns: list[sqlite3.Connection] = []
        self._reader_lock = threading.Lock()
        self._closed = False
        self._commits = 0
        self._writes = 0

    # -- lifecycle -------------------------------------------------------------------
    async def open(self, migrations: Mapping[str, Sequence[Migration]] | None = None) -> None:
        """Open the file and bring each component's schema (``migrations``, by component
        name, else the constructor's) to its newest version."""
        if migrations is not None:
            self._migrations = dict(migrations)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = await asyncio.to_thread(self._open_writer_conn)
        self._writer = threading.Thread(
            target=self._write_loop,
            args=(conn,),
            name=f"sqlite-writer:{self.path.name}",
            daemon=True,
        )
        self._writer.start()

    def _open_writer_conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = None
        try:
            conn = _connect(self.path, self._durability)
            apply_migrations(conn, self._migrations)
            return conn
        except BaseException as exc:
            if conn is not None:
                conn.close()
            error = _neutral(exc)  # e.g. "file is not a database" as a StoreError
            if error is exc:
                raise
            raise error from exc

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._queue.put(None)
        if self._writer is not None:
            await asyncio.to_thread(self._writer.join)
        await asyncio.to_thread(self._readers.shutdown, wait=True)  # never block the loop
        with self._reader_lock:
            for conn in self._reader_conns:
                conn.close()
            self._reader_conns.clear()

    # -- writes ----------------------------------------------------------------------
    async def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn`` in the next group commit; return its result once committed."""
        if self._closed:
            raise StoreClosed(f"database {self.path.name} is closed")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put(_WriteJob(fn, loop, future))
        return await future

    def write_nowait(self, fn: Callable[[sqlite3.Connection], Any]) -> None:
        """Queue a write nobody waits for (log lines): committed with the next batch."""
        if not self._closed:
            self._queue.put(_WriteJob(fn, None, None))

    def _write_loop(self, conn: sqlite3.Connection) -> None:
        try:
            while True:
                first = self._queue.get()
                if first is None:
                    return
                batch = [first]
                stop = False
                while len(batch) < _MAX_BATCH:
                    try:
                        job = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if job is None:
                        stop = True
                        break
                    batch.append(job)
                self._run_batch(conn, batch)
                if stop:
                    return
        finally:
            conn.close()
            self._fail_pending()

    def _run_batch(self, conn: sqlite3.Connection, batch: list[_WriteJob]) -> None:
        if len(batch) == 1:
            self._run_alone(conn, batch[0])
            return
        outcomes: list[tuple[bool, Any]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for job in batch:
                conn.execute("SAVEPOINT job")
                try:
                    outcomes.append((True, job.fn(conn)))
                    conn.execute("RELEASE job")
                except BaseException as exc:  # a failing write is the caller's error only
                    conn.execute("ROLLBACK TO job")
                    conn.execute("RELEASE job")
                    outcomes.append((False, _neutral(exc)))
            conn.execute("COMMIT")
            self._commits += 1
            self._writes += len(batch)
        except sqlite3.Error as exc:  # the commit itself failed: every caller hears of it
            log.exception("group commit failed")
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            outcomes = [(False, _neutral(exc))] * len(batch)
        for job, (ok, value) in zip(batch, outcomes, strict=True):
            if job.future is None or job.loop is None:
                if not ok:
                    log.error("unawaited write failed: %r", value)
                continue
            job.loop.call_soon_threadsafe(_settle, job.future, ok, value)

    def _run_alone(self, conn: sqlite3.Connection, job: _WriteJob) -> None:
        """A batch of one write: its transaction is its savepoint. Each statement the
        sqlite3 module runs gives up the GIL and takes it back, a wake-up of the event
        loop's thread or of this one when both want it: two statements fewer per commit
        whenever the writes come one at a time (a single client)."""
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                outcome: tuple[bool, Any] = (True, job.fn(conn))
            except BaseException as exc:  # a failing write is the caller's error only
                if conn.in_transaction:  # (SQLite may have ended it already)
                    conn.execute("ROLLBACK")
                outcome = (False, _neutral(exc))
            else:
                conn.execute("COMMIT")
            self._commits += 1
            self._writes += 1
        except sqlite3.Error as exc:  # the commit itself failed: the caller hears of it
            log.exception("commit failed")
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            outcome = (False, _neutral(exc))
        if job.future is None or job.loop is None:
            if not outcome[0]:
                log.error("unawaited write failed: %r", outcome[1])
            return
        job.loop.call_soon_threadsafe(_settle, job.future, *outcome)

    def _fail_pending(self) -> None:
        while True:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                return
            if job is not None and job.future is not None and job.loop is not None:
                job.loop.call_soon_threadsafe(
                    _settle, job.future, False, StoreClosed("database closed")
                )

    # -- reads -----------------------------------------------------------------------
    async def read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn`` on a reader connection in the pool (WAL: sees committed data)."""
        if self._closed:
            raise StoreClosed(f"database {self.path.name} is closed")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, self._read, fn)

    def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        try:
            conn = self._reader_conn()
            # One read transaction per call: every statement of ``fn`` sees the same
            # snapshot, so a read of several tables never mixes before and after a commit.
            conn.execute("BEGIN")
            try:
                return fn(conn)
            finally:
                conn.execute("ROLLBACK")  # nothing to keep; ends the snapshot
        except sqlite3.Error as exc:
            raise _neutral(exc) from exc

    def _reader_conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = _connect(self.path, self._durability)
            conn.execute("PRAGMA query_only=ON")
            self._local.conn = conn
            with self._reader_lock:
                self._reader_conns.append(conn)
        return conn

    def statistics(self) -> DatabaseStatistics:
        return DatabaseStatistics(self._commits, self._writes, self._queue.qsize())


def _neutral(exc: BaseException) -> BaseException:
    """SQLite's exceptions as the store's own, so no layer above sees ``sqlite3``."""
    if isinstance(exc, sqlite3.IntegrityError):
        text = str(exc)
        if "UNIQUE" in text or "PRIMARY KEY" in text:
            error: StoreError = DuplicateKey(text)
        else:
            error = StoreError(text)
    elif isinstance(exc, sqlite3.Error):
        error = StoreError(str(exc))
    else:
        return exc
    error.__cause__ = exc
    return error


def _settle(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if future.done():
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)
