"""Exports to S3 (ExportTableToPointInTime): the table's items as of one read snapshot,
written to a bucket in DynamoDB's layout ("DynamoDB table export output format")::

    {prefix/}AWSDynamoDB/{ExportId}/_started
    {prefix/}AWSDynamoDB/{ExportId}/data/{26 random characters}.json.gz (or .ion.gz)
    {prefix/}AWSDynamoDB/{ExportId}/manifest-files.json   (+ .checksum)
    {prefix/}AWSDynamoDB/{ExportId}/manifest-summary.json (+ .checksum)

The snapshot is opened while the request is answered (so the export is the table as of
its ExportTime, whatever is written later); the copy runs as a job. An export the server
was running when it stopped is FAILED at the next start (``load``): its snapshot is gone,
and the table may have changed since, so resuming could not give the promised instant.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
import io
import os
import secrets
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from stratus.services.tables import sqlite as sql
from stratus.services.tables.backups import CHUNK_ROWS, Snapshot
from stratus.services.tables.errors import ExportConflict, ExportNotFound
from stratus.services.tables.model import TableDefinition
from stratus.services.tables.object_store import ObjectStore, StoreFailure
from stratus.services.tables.transfer_formats import export_line
from stratus.services.tables.transfer_jobs import TransferJobs
from stratus.store.sqlite.database import SQLiteDatabase

IN_PROGRESS = "IN_PROGRESS"
COMPLETED = "COMPLETED"
FAILED = "FAILED"
TOKEN_WINDOW_S = 8 * 3600  # a ClientToken is remembered 8 hours
FILE_ITEMS = 100_000  # items per data file (about: whole chunks of CHUNK_ROWS go in)
KIND = "export"
_NAME_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"


@dataclass(slots=True)
class Export:
    """One export's description (ExportDescription's facts)."""

    arn: str
    account: str
    region: str
    table_arn: str
    table_id: str
    bucket: str
    prefix: str | None
    bucket_owner: str | None
    sse_algorithm: str | None
    sse_key: str | None
    export_format: str
    export_type: str
    export_time: float
    start_time: float
    client_token: str
    status: str = IN_PROGRESS
    end_time: float | None = None
    item_count: int = 0
    billed_bytes: int = 0
    failure_code: str | None = None
    failure_message: str | None = None
    request: dict[str, Any] = field(default_factory=dict)  # for ClientToken checks

    @property
    def export_id(self) -> str:
        return self.arn.rsplit("/", 1)[1]

    @property
    def folder(self) -> str:
        base = f"AWSDynamoDB/{self.export_id}"
        if self.prefix:
            return f"{self.prefix.rstrip('/')}/{base}"
        return base

    @property
    def manifest(self) -> str:
        return f"{self.folder}/manifest-summary.json"


@dataclass(slots=True)
class ExportRequest:
    bucket: str
    prefix: str | None
    bucket_owner: str | None
    sse_algorithm: str | None
    sse_key: str | None
    export_format: str
    export_type: str
    client_token: str | None
    fingerprint: dict[str, Any]


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{int(epoch * 1000) % 1000:03d}Z"
    )


class Exports:
    """Every export (descriptions in memory, written through) and the jobs running them."""

    def __init__(self, db: SQLiteDatabase, jobs: TransferJobs) -> None:
        self._db = db
        self._jobs = jobs
        self._exports: dict[str, Export] = {}
        self.store: ObjectStore | None = None  # set by the component once S3 is built

    async def load(self) -> None:
        for record in await self._db.read(lambda c: sql.load_transfers(c, KIND)):
            export = Export(**record)
            if export.status == IN_PROGRESS:  # the server stopped during the copy
                export.status = FAILED
                export.end_time = time.time()
                export.failure_code = "InternalServerError"
                export.failure_message = (
                    "The export was interrupted by a restart of the server; export again"
                )
                await self._save(export)
            self._exports[export.arn] = export

    def get(self, arn: str, account: str) -> Export:
        export = self._exports.get(arn)
        if export is None or export.account != account:
            raise ExportNotFound(f"Export not found: {arn}")
        return export

    def in_scope(self, account: str, region: str) -> list[Export]:
        return sorted(
            (e for e in self._exports.values() if e.account == account and e.region == region),
            key=lambda e: (e.start_time, e.arn),
        )

    def by_token(self, account: str, region: str, request: ExportRequest) -> Export | None:
        """The export an earlier identical request with the same ClientToken started (8
        hours); ExportConflict when that request asked for something else."""
        if request.client_token is None:
            return None
        now = time.time()
        for export in self._exports.values():
            if (
                export.account == account
                and export.region == region
                and export.client_token == request.client_token
                and now - export.start_time < TOKEN_WINDOW_S
            ):
                if export.request != request.fingerprint:
                    raise ExportConflict(
                        "There was a conflict when writing to the specified S3 bucket: "
                        f"ClientToken {request.client_token} was used with other parameters"
                    )
                return export
        return None

    async def start(
        self, table: TableDefinition, request: ExportRequest, snapshot: Snapshot, when: float
    ) -> Export:
        """Record the export IN_PROGRESS and queue its copy (which closes ``snapshot``)."""
        now = time.time()
        export_id = f"{int(now * 1000):014d}-{os.urandom(4).hex()}"
        export = Export(
            arn=f"{table.arn}/export/{export_id}",
            account=table.account,
            region=table.region,
            table_arn=table.arn,
            table_id=table.table_uid,
            bucket=request.bucket,
            prefix=request.prefix,
            bucket_owner=request.bucket_owner,
            sse_algorithm=request.sse_algorithm,
            sse_key=request.sse_key,
            export_format=request.export_format,
            export_type=request.export_type,
            export_time=when,
            start_time=now,
            client_token=request.client_token or secrets.token_hex(16),
            request=request.fingerprint,
        )
        try:
            await self._save(export)
        except BaseException:
            await snapshot.close()
            raise
        self._exports[export.arn] = export
        tid = table.table_id
        self._jobs.submit_nowait(lambda: self._run(export, tid, snapshot))
        return export

    async def _run(self, export: Export, tid: int, snapshot: Snapshot) -> None:
        try:
            await self._copy(export, tid, snapshot)
        except StoreFailure as failure:
            export.status = FAILED
            export.failure_code = failure.code
            export.failure_message = failure.message
        except Exception as exc:
            export.status = FAILED
            export.failure_code = "InternalServerError"
            export.failure_message = str(exc) or type(exc).__name__
            raise
        else:
            export.status = COMPLETED
        finally:
            await snapshot.close()
            export.end_time = time.time()
            await self._save(export)

    async def _copy(self, export: Export, tid: int, snapshot: Snapshot) -> None:
        store = self.store
        if store is None:
            raise StoreFailure("S3NoSuchBucket", "The specified bucket does not exist")
        owner = store.owner(export.bucket)
        if export.bucket_owner is not None and export.bucket_owner != owner:
            raise StoreFailure("AccessDenied", "Access Denied")

        async def put(key: str, data: bytes) -> str:
            return await store.put(export.bucket, key, data, export.account, export.region)

        await put(f"{export.folder}/_started", b"")
        files: list[dict[str, Any]] = []
        buffer, count = io.BytesIO(), 0
        after: tuple[bytes, bytes] | None = None

        async def flush() -> None:
            nonlocal buffer, count
            data = await asyncio.to_thread(gzip.compress, buffer.getvalue())
            name = "".join(secrets.choice(_NAME_ALPHABET) for _ in range(26))
            suffix = "ion" if export.export_format == "ION" else "json"
            key = f"{export.folder}/data/{name}.{suffix}.gz"
            etag = await put(key, data)
            files.append(
                {
                    "itemCount": count,
                    "md5Checksum": base64.b64encode(hashlib.md5(data).digest()).decode(),
                    "etag": etag,
                    "dataFileS3Key": key,
                }
            )
            buffer, count = io.BytesIO(), 0

        while True:
            rows = await snapshot.rows(
                lambda c, a=after: sql.item_rows_after(c, tid, a, CHUNK_ROWS)  # type: ignore[misc]
            )
            # encoding is CPU work: off the event loop, one chunk at a time
            buffer.write(await asyncio.to_thread(_encode_rows, rows, export.export_format))
            count += len(rows)
            export.item_count += len(rows)
            export.billed_bytes += sum(row[3] for row in rows)
            if count >= FILE_ITEMS:
                await flush()
            if len(rows) < CHUNK_ROWS:
                break
            after = (rows[-1][0], rows[-1][1])
        if count or not files:  # at least one data file, as DynamoDB writes
            await flush()
        lines = b"".join(orjson.dumps(entry) + b"\n" for entry in files)
        await put(f"{export.folder}/manifest-files.json", lines)
        await put(f"{export.folder}/manifest-files.checksum", _md5_hex(lines))
        export.end_time = time.time()
        summary = orjson.dumps(
            {
                "version": "2020-06-30",
                "exportArn": export.arn,
                "startTime": _iso(export.start_time),
                "endTime": _iso(export.end_time),
                "tableArn": export.table_arn,
                "tableId": export.table_id,
                "exportTime": _iso(export.export_time),
                "s3Bucket": export.bucket,
                "s3Prefix": export.prefix,
                "s3SseAlgorithm": export.sse_algorithm or "AES256",
                "s3SseKmsKeyId": export.sse_key,
                "manifestFilesS3Key": f"{export.folder}/manifest-files.json",
                "billedSizeBytes": export.billed_bytes,
                "itemCount": export.item_count,
                "outputFormat": export.export_format,
                "exportType": export.export_type,
            }
        )
        await put(export.manifest, summary)
        await put(f"{export.folder}/manifest-summary.checksum", _md5_hex(summary))

    async def _save(self, export: Export) -> None:
        record, arn = asdict(export), export.arn
        await self._db.write(lambda c: sql.save_transfer(c, arn, KIND, record))


def _encode_rows(rows: list[sql.ItemRow], export_format: str) -> bytes:
    return b"".join(export_line(sql.decode_item(row[2]), export_format) for row in rows)


def _md5_hex(data: bytes) -> bytes:
    return hashlib.md5(data).hexdigest().encode()
