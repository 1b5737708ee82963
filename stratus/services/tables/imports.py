"""Imports from S3 (ImportTable): a new table filled from every object under a prefix, in
DynamoDB JSON, Ion text or CSV, plain or compressed ("Import from Amazon S3", developer guide).

The table is created by the catalog with a ``fill`` that writes the items first, so it
appears (ACTIVE) only once the import is COMPLETED, and is dropped if the import fails.
A line or row that does not parse, or an item the table's keys refuse, is counted in
ErrorCount and left out, as DynamoDB does (which also logs it to CloudWatch Logs: Stratus
does not). An import the server was running when it stopped is FAILED at the next start.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from stratus.services.tables import sqlite as sql
from stratus.services.tables.catalog import Catalog, check_definitions
from stratus.services.tables.errors import ImportConflict, ImportNotFound, TableInUse, TablesError
from stratus.services.tables.items import Key, check_item_keys, index_key
from stratus.services.tables.model import Index, KeySchema, TableDefinition
from stratus.services.tables.object_store import ObjectStore, StoreFailure
from stratus.services.tables.transfer_formats import csv_items, decompress, ion_items, json_items
from stratus.services.tables.transfer_jobs import TransferJobs
from stratus.services.tables.values import Item, check_size, item_size
from stratus.store.sqlite.database import SQLiteDatabase

IN_PROGRESS = "IN_PROGRESS"
COMPLETED = "COMPLETED"
FAILED = "FAILED"
TOKEN_WINDOW_S = 8 * 3600
KIND = "import"
CHUNK_ITEMS = 500


@dataclass(slots=True)
class TableSpec:
    """TableCreationParameters, parsed."""

    name: str
    keys: KeySchema
    attribute_types: dict[str, str]
    gsis: list[Index]
    billing_mode: str
    provisioned: dict[str, int] | None
    sse: dict[str, Any] | None


@dataclass(slots=True)
class Import:
    """One import's description (ImportTableDescription's facts)."""

    arn: str
    account: str
    region: str
    table_arn: str
    table_id: str
    table_name: str
    client_token: str
    source: dict[str, Any]  # S3BucketSource as given
    input_format: str
    format_options: dict[str, Any] | None
    compression: str
    creation: dict[str, Any]  # TableCreationParameters as given
    start_time: float
    status: str = IN_PROGRESS
    end_time: float | None = None
    processed_bytes: int = 0
    processed_items: int = 0
    imported_items: int = 0
    error_count: int = 0
    failure_code: str | None = None
    failure_message: str | None = None
    request: dict[str, Any] = field(default_factory=dict)


class Imports:
    """Every import (descriptions in memory, written through) and the jobs running them."""

    def __init__(self, db: SQLiteDatabase, catalog: Catalog, jobs: TransferJobs) -> None:
        self._db = db
        self._catalog = catalog
        self._jobs = jobs
        self._imports: dict[str, Import] = {}
        self.store: ObjectStore | None = None

    async def load(self) -> None:
        for record in await self._db.read(lambda c: sql.load_transfers(c, KIND)):
            job = Import(**record)
            if job.status == IN_PROGRESS:
                job.status = FAILED
                job.end_time = time.time()
                job.failure_code = "InternalServerError"
                job.failure_message = (
                    "The import was interrupted by a restart of the server; import again"
                )
                await self._save(job)
            self._imports[job.arn] = job

    def get(self, arn: str, account: str) -> Import:
        found = self._imports.get(arn)
        if found is None or found.account != account:
            raise ImportNotFound(f"Import not found: {arn}")
        return found

    def in_scope(self, account: str, region: str) -> list[Import]:
        return sorted(
            (i for i in self._imports.values() if i.account == account and i.region == region),
            key=lambda i: (i.start_time, i.arn),
        )

    def by_token(
        self, account: str, region: str, token: str | None, fingerprint: dict[str, Any]
    ) -> Import | None:
        if token is None:
            return None
        now = time.time()
        for job in self._imports.values():
            if (
                job.account == account
                and job.region == region
                and job.client_token == token
                and now - job.start_time < TOKEN_WINDOW_S
            ):
                if job.request != fingerprint:
                    raise ImportConflict(
                        "There was a conflict when importing from the specified S3 source. "
                        "This can occur when the current import conflicts with a previous "
                        "import request that had the same client token."
                    )
                return job
        return None

    async def start(
        self,
        account: str,
        region: str,
        spec: TableSpec,
        params: dict[str, Any],
        token: str | None,
        fingerprint: dict[str, Any],
    ) -> Import:
        if self._catalog.find(account, region, spec.name) is not None or any(
            j.status == IN_PROGRESS
            and (j.account, j.region, j.table_name) == (account, region, spec.name)
            for j in self._imports.values()
        ):
            raise TableInUse(f"Table already exists: {spec.name}")
        check_definitions(spec.keys, spec.attribute_types, spec.gsis, [])
        now = time.time()
        table_arn = f"arn:aws:dynamodb:{region}:{account}:table/{spec.name}"
        job = Import(
            arn=f"{table_arn}/import/{int(now * 1000):014d}-{os.urandom(4).hex()}",
            account=account,
            region=region,
            table_arn=table_arn,
            table_id=str(uuid.uuid4()),
            table_name=spec.name,
            client_token=token or secrets.token_hex(16),
            source=params["S3BucketSource"],
            input_format=params["InputFormat"],
            format_options=params.get("InputFormatOptions"),
            compression=params.get("InputCompressionType", "NONE"),
            creation=params["TableCreationParameters"],
            start_time=now,
            request=fingerprint,
        )
        self._imports[job.arn] = job  # claims the name before any await
        try:
            await self._save(job)
        except BaseException:
            self._imports.pop(job.arn, None)
            raise
        self._jobs.submit_nowait(lambda: self._run(job, spec))
        return job

    async def _run(self, job: Import, spec: TableSpec) -> None:
        try:
            await self._fill_table(job, spec)
        except StoreFailure as failure:
            job.status, job.failure_code, job.failure_message = (
                FAILED,
                failure.code,
                failure.message,
            )
        except TableInUse as exc:
            job.status, job.failure_code, job.failure_message = (
                FAILED,
                "ResourceInUseException",
                exc.message,
            )
        except TablesError as exc:
            job.status, job.failure_code, job.failure_message = (
                FAILED,
                "ValidationError",
                exc.message,
            )
        except Exception as exc:
            job.status, job.failure_code = FAILED, "InternalServerError"
            job.failure_message = str(exc) or type(exc).__name__
            raise
        else:
            job.status = COMPLETED
        finally:
            job.end_time = time.time()
            await self._save(job)

    async def _fill_table(self, job: Import, spec: TableSpec) -> None:
        store = self.store
        if store is None:
            raise StoreFailure("S3NoSuchBucket", "The specified bucket does not exist")
        bucket = job.source["S3Bucket"]
        owner = store.owner(bucket)
        expected = job.source.get("S3BucketOwner")
        if expected is not None and expected != owner:
            raise StoreFailure("AccessDenied", "Access Denied")
        objects = await store.list(bucket, job.source.get("S3KeyPrefix", ""))
        if not objects:
            raise StoreFailure(
                "S3NoSuchKey", "No objects were found under the import's S3 key prefix"
            )
        key_types = dict(spec.attribute_types)
        csv_options = (job.format_options or {}).get("Csv") or {}

        async def fill(table: TableDefinition) -> None:
            table.table_uid = job.table_id
            tid = table.table_id
            indexes = list(table.indexes.values())
            chunk: list[tuple[Key, Item]] = []

            async def write() -> None:
                rows = list(chunk)
                chunk.clear()
                await self._db.write(lambda c: _put_items(c, tid, indexes, rows))

            for stored in objects:
                raw = await store.get(bucket, stored.key)
                job.processed_bytes += len(raw)
                # decompressing and parsing are CPU work: off the event loop
                parsed = await asyncio.to_thread(
                    _parse_object, job, table, raw, key_types, csv_options
                )
                job.processed_items += parsed.processed
                job.error_count += parsed.errors
                job.imported_items += len(parsed.items)
                for entry in parsed.items:
                    chunk.append(entry)
                    if len(chunk) >= CHUNK_ITEMS:
                        await write()
            if chunk:
                await write()

        await self._catalog.create(
            job.account,
            job.region,
            spec.name,
            spec.keys,
            spec.attribute_types,
            gsis=spec.gsis,
            billing_mode=spec.billing_mode,
            provisioned=spec.provisioned,
            sse=spec.sse,
            fill=fill,
        )

    async def _save(self, job: Import) -> None:
        record, arn = asdict(job), job.arn
        await self._db.write(lambda c: sql.save_transfer(c, arn, KIND, record))


@dataclass(slots=True)
class _Parsed:
    items: list[tuple[Key, Item]]
    processed: int = 0
    errors: int = 0


def _parse_object(
    job: Import,
    table: TableDefinition,
    raw: bytes,
    key_types: dict[str, str],
    csv_options: dict[str, Any],
) -> _Parsed:
    """One object's items checked against the table (in a worker thread): lines that do
    not parse or that the table's keys refuse are counted as errors and left out."""
    data = decompress(raw, job.compression)
    entries: Iterator[Item | TablesError]
    if job.input_format == "CSV":
        delimiter = csv_options.get("Delimiter", ",")
        entries = csv_items(data, key_types, delimiter, csv_options.get("HeaderList"))
    elif job.input_format == "ION":
        entries = ion_items(data)
    else:
        entries = json_items(data)
    parsed = _Parsed([])
    for entry in entries:
        parsed.processed += 1
        if isinstance(entry, TablesError):
            parsed.errors += 1
            continue
        try:
            key = check_item_keys(table, entry)
            check_size(entry)
        except TablesError:
            parsed.errors += 1
            continue
        parsed.items.append((key, entry))
    return parsed


def _put_items(
    conn: sqlite3.Connection,
    tid: int,
    indexes: list[Index],
    items: list[tuple[Key, Item]],
) -> None:
    """Write ``items`` into the (not yet visible) table: a later item with the same key
    replaces an earlier one, and its index entries with it."""
    for (hk, rk), item in items:
        old = sql.get_item(conn, tid, hk, rk)
        for index in indexes:
            before = index_key(index, old)
            if before is not None:
                sql.delete_index(conn, tid, index.name, before, (hk, rk))
        sql.put_item(conn, tid, hk, rk, item, item_size(item))
        for index in indexes:
            after = index_key(index, item)
            if after is not None:
                sql.put_index(conn, tid, index.name, after, (hk, rk))
