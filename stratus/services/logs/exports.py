"""Export tasks (CreateExportTask): a group's events of ``[from, to)`` written to an S3
bucket through our own S3 API, in CloudWatch Logs' layout::

    {prefix}/aws-logs-write-test                    written when the task is created
    {prefix}/{taskId}/{stream}/000000.gz            gzip text, one event a line:
                                                    "2026-12-06T09:00:00.000Z message"

A task is PENDING when created, RUNNING while it copies, then COMPLETED, FAILED (its
message says why) or CANCELLED. One task at a time per account and region may be
active, as AWS allows. A task a stopped server was running is run again from the start
(``load``): its objects are written whole again, under the same keys.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import sqlite3
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass

from stratus.services.aws_calls import AwsCaller, AwsCallFailed
from stratus.services.logs.catalog import LogCatalog, now_ms
from stratus.services.logs.errors import (
    ExportTaskNotFound,
    InvalidOperation,
    InvalidParameter,
    LimitExceeded,
    LogGroupNotFound,
)
from stratus.services.logs.repository import StoredLogEvent
from stratus.services.scope import Scope
from stratus.store.sqlite.database import SQLiteDatabase

log = logging.getLogger(__name__)

PENDING, RUNNING, COMPLETED = "PENDING", "RUNNING", "COMPLETED"
FAILED, CANCELLED = "FAILED", "CANCELLED"
ACTIVE = frozenset({PENDING, RUNNING})
#: Events read from the store at a time (a cancel is seen between chunks).
CHUNK = 5000
#: The prefix AWS uses when CreateExportTask names none.
DEFAULT_PREFIX = "exportedlogs"
WRITE_TEST = b"Permission Check Successful"

#: (scope, group, after id, start ms, end ms inclusive, stream prefix, limit) -> events
ReadEvents = Callable[[Scope, str, int, int, int, str | None, int], Awaitable[list[StoredLogEvent]]]


@dataclass(slots=True)
class ExportTask:
    task_id: str
    account: str
    region: str
    name: str | None
    group: str
    stream_prefix: str | None
    from_ms: int
    to_ms: int
    bucket: str
    prefix: str
    status: str
    message: str | None
    created_ms: int
    completed_ms: int | None = None

    @property
    def scope(self) -> Scope:
        return Scope(self.account, self.region)


def line(event: StoredLogEvent) -> str:
    """An event as an exported line: its ISO 8601 UTC time (milliseconds), a space, the
    message."""
    seconds, millis = divmod(event.timestamp_ms, 1000)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    return f"{stamp}.{millis:03d}Z {event.message}"


class LogExports:
    def __init__(
        self, catalog: LogCatalog, db: SQLiteDatabase, read: ReadEvents, calls: AwsCaller
    ) -> None:
        self._catalog = catalog
        self._db = db
        self._read = read
        self._calls = calls
        self._tasks: dict[str, ExportTask] = {}
        self._queue: asyncio.Queue[ExportTask] = asyncio.Queue()

    async def load(self) -> None:
        def read(conn: sqlite3.Connection) -> list[str]:
            rows = conn.execute("SELECT document FROM logs_export_tasks")
            return [str(row[0]) for row in rows]

        for document in await self._db.read(read):
            task = ExportTask(**json.loads(document))
            self._tasks[task.task_id] = task
            if task.status in ACTIVE:
                task.status, task.message = PENDING, None
                self._queue.put_nowait(task)

    async def _save(self, task: ExportTask) -> None:
        row = (task.task_id, task.account, task.region, json.dumps(asdict(task)))
        await self._db.write(
            lambda conn: conn.execute(
                "INSERT OR REPLACE INTO logs_export_tasks VALUES (?,?,?,?)", row
            )
        )

    # -- the API -------------------------------------------------------------------------
    async def create(
        self,
        scope: Scope,
        group: str,
        from_ms: int,
        to_ms: int,
        bucket: str,
        *,
        name: str | None = None,
        stream_prefix: str | None = None,
        prefix: str | None = None,
    ) -> ExportTask:
        if not self._catalog.exists(scope, group):
            raise LogGroupNotFound()
        if from_ms >= to_ms:
            raise InvalidParameter(
                "The value of parameter 'from' must be less than the value of parameter 'to'."
            )
        if any(t.scope == scope and t.status in ACTIVE for t in self._tasks.values()):
            raise LimitExceeded()
        prefix = (prefix or DEFAULT_PREFIX).strip("/") or DEFAULT_PREFIX
        await self._check_bucket(scope, bucket, prefix)
        task = ExportTask(
            task_id=str(uuid.uuid4()),
            account=scope.account,
            region=scope.region,
            name=name,
            group=group,
            stream_prefix=stream_prefix,
            from_ms=from_ms,
            to_ms=to_ms,
            bucket=bucket,
            prefix=prefix,
            status=PENDING,
            message=None,
            created_ms=now_ms(),
        )
        await self._save(task)
        self._tasks[task.task_id] = task
        self._queue.put_nowait(task)
        return task

    async def _check_bucket(self, scope: Scope, bucket: str, prefix: str) -> None:
        """AWS writes a test object when the task is created: a bucket it cannot write
        fails the call, not the task."""
        try:
            await self._put(scope, bucket, f"{prefix}/aws-logs-write-test", WRITE_TEST)
        except AwsCallFailed as exc:
            if exc.code in ("NoSuchBucket", "404"):
                raise InvalidParameter("The specified bucket does not exist.") from exc
            raise InvalidParameter(
                "GetBucketAcl call on the given bucket failed. Please check if CloudWatch "
                "Logs has been granted permission to perform this operation."
            ) from exc

    async def _put(self, scope: Scope, bucket: str, key: str, body: bytes) -> None:
        await self._calls.call(
            "s3",
            "PutObject",
            {"Bucket": bucket, "Key": key, "Body": body},
            account_id=scope.account,
            region=scope.region,
        )

    def describe(self, scope: Scope, task_id: str | None, status: str | None) -> list[ExportTask]:
        """The scope's tasks, oldest first, by id and status when given."""
        found = [t for t in self._tasks.values() if t.scope == scope]
        if task_id:
            found = [t for t in found if t.task_id == task_id]
        if status:
            found = [t for t in found if t.status == status]
        return sorted(found, key=lambda t: (t.created_ms, t.task_id))

    async def cancel(self, scope: Scope, task_id: str) -> None:
        task = self._tasks.get(task_id)
        if task is None or task.scope != scope:
            raise ExportTaskNotFound()
        if task.status not in ACTIVE:
            raise InvalidOperation("The specified export task has already finished.")
        task.status, task.message = CANCELLED, "Cancelled by user"
        task.completed_ms = now_ms()
        await self._save(task)

    # -- the copy ------------------------------------------------------------------------
    async def run(self) -> None:
        """The background task: one export at a time, in the order they were created."""
        while True:
            task = await self._queue.get()
            if task.status != PENDING:
                continue  # cancelled while it waited
            try:
                await self._export(task)
            except LogGroupNotFound as exc:  # deleted meanwhile
                await self._finish(task, FAILED, exc.message)
            except Exception:  # a task records its failure; anything else is a bug
                log.exception("log export %s failed", task.task_id)
                await self._finish(task, FAILED, "Internal failure")

    async def _export(self, task: ExportTask) -> None:
        task.status = RUNNING
        await self._save(task)
        by_stream: dict[str, list[StoredLogEvent]] = {}
        after = 0
        while True:
            if task.status != RUNNING:
                return  # cancelled: nothing more is written
            chunk = await self._read(
                task.scope,
                task.group,
                after,
                task.from_ms,
                task.to_ms - 1,
                task.stream_prefix,
                CHUNK,
            )
            for event in chunk:
                by_stream.setdefault(event.stream, []).append(event)
            if len(chunk) < CHUNK:
                break
            after = chunk[-1].id
            await asyncio.sleep(0)
        for stream, events in sorted(by_stream.items()):
            if task.status != RUNNING:
                return
            events.sort(key=lambda e: (e.timestamp_ms, e.id))
            text = "".join(line(e) + "\n" for e in events).encode()
            body = await asyncio.to_thread(gzip.compress, text)
            key = f"{task.prefix}/{task.task_id}/{stream}/000000.gz"
            try:
                await self._put(task.scope, task.bucket, key, body)
            except AwsCallFailed as exc:
                await self._finish(task, FAILED, exc.message)
                return
        if task.status == RUNNING:
            await self._finish(task, COMPLETED, "Completed successfully")

    async def _finish(self, task: ExportTask, status: str, message: str) -> None:
        if task.status not in ACTIVE:
            return  # cancelled meanwhile: that is its end
        task.status, task.message = status, message
        task.completed_ms = now_ms()
        await self._save(task)
