"""Multipart uploads of the object store: parts as files of their own, joined into one
new file on completion (AWS's multipart ETag and checksums), committed with the
completion's notification in one transaction, like every other write (``service.py``)."""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterable
from typing import Any

from stratus.services.objects import errors as oe
from stratus.services.objects import locking
from stratus.services.objects.bytestore import ByteStore, WrittenFile
from stratus.services.objects.checksums import ALGORITHMS, composite_checksum, multipart_etag
from stratus.services.objects.delivery import NotificationDelivery
from stratus.services.objects.model import Bucket, Lock, ObjectVersion, Part, Upload
from stratus.services.objects.names import check_key
from stratus.services.objects.notifications import Change, event_records
from stratus.services.objects.requests import (
    MAX_PUT_BYTES,
    Checks,
    Conditions,
    Requester,
    new_version_id,
    now_s,
    verify,
)
from stratus.services.objects.sqlite import ObjectsRepository as Repo
from stratus.services.objects.sqlite import OutboxRow
from stratus.store.sqlite.database import SQLiteDatabase

__all__ = ["MAX_PARTS", "MIN_PART_BYTES", "UploadOperations"]

MIN_PART_BYTES = 5 * 1024**2  # every part but the last
MAX_PARTS = 10_000


class UploadOperations:
    """The multipart half of :class:`~stratus.services.objects.service.ObjectsService`."""

    _db: SQLiteDatabase
    files: ByteStore
    delivery: NotificationDelivery

    def bucket(self, name: str) -> Bucket:
        raise NotImplementedError

    async def _check_write_conditions(self, bucket: Bucket, key: str, cond: Any) -> None:
        raise NotImplementedError

    async def create_upload(
        self,
        bucket_name: str,
        key: str,
        *,
        headers: dict[str, str],
        metadata: dict[str, str],
        tags: dict[str, str],
        checksum_algorithm: str | None,
        checksum_type: str | None,
        lock: Lock | None = None,
    ) -> Upload:
        bucket = self.bucket(bucket_name)
        check_key(key)
        if lock is not None:
            locking.require_enabled(bucket)
        upload = Upload(
            upload_id=secrets.token_urlsafe(48),
            bucket_id=bucket.id,
            key=key,
            initiated=now_s(),
            headers=headers,
            metadata=metadata,
            tags=tags,
            checksum_algorithm=checksum_algorithm,
            checksum_type=checksum_type or ("COMPOSITE" if checksum_algorithm else None),
            lock=lock or Lock(),
        )
        await self._db.write(lambda c: Repo.insert_upload(c, upload))
        return upload

    async def upload(self, bucket_name: str, key: str, upload_id: str) -> Upload:
        bucket = self.bucket(bucket_name)
        found = await self._db.read(lambda c: Repo.get_upload(c, upload_id))
        if found is None or found.bucket_id != bucket.id or found.key != key:
            raise oe.NoSuchUpload(upload_id)
        return found

    async def upload_part(
        self,
        bucket_name: str,
        key: str,
        upload_id: str,
        number: int,
        body: AsyncIterable[bytes] | bytes,
        checks: Checks,
        declared_size: int | None = None,
    ) -> Part:
        upload = await self.upload(bucket_name, key, upload_id)
        if not 1 <= number <= MAX_PARTS:
            raise oe.InvalidArgument(
                "Part number must be an integer between 1 and 10000, inclusive",
                "partNumber",
                str(number),
            )
        if declared_size is not None and declared_size > MAX_PUT_BYTES:
            raise oe.EntityTooLarge(declared_size, MAX_PUT_BYTES)
        algorithms = tuple(
            dict.fromkeys(
                (
                    *checks.algorithms,
                    *([upload.checksum_algorithm] if upload.checksum_algorithm else []),
                )
            )
        )
        checks.algorithms = algorithms
        written = await self.files.write(body, algorithms, limit=MAX_PUT_BYTES)
        return await self._store_part(upload, number, written, checks)

    async def upload_part_copy(
        self,
        bucket_name: str,
        key: str,
        upload_id: str,
        number: int,
        source: ObjectVersion,
        byte_range: tuple[int, int] | None,
    ) -> Part:
        upload = await self.upload(bucket_name, key, upload_id)
        assert source.file_id is not None
        start, end = byte_range if byte_range else (0, source.size - 1)
        algorithms = (upload.checksum_algorithm,) if upload.checksum_algorithm else ()
        written = await self.files.write(self.files.read(source.file_id, start, end), algorithms)
        return await self._store_part(upload, number, written, Checks(algorithms=algorithms))

    async def _store_part(
        self, upload: Upload, number: int, written: WrittenFile, checks: Checks
    ) -> Part:
        try:
            verify(written, checks)
        except BaseException:
            await self.files.delete([written.file_id])
            raise
        part = Part(
            number,
            written.size,
            f'"{written.md5.hex()}"',
            now_s(),
            written.file_id,
            written.checksums,
        )
        try:
            old = await self._db.write(lambda c: Repo.put_part(c, upload.upload_id, part))
        except LookupError:
            await self.files.delete([written.file_id])
            raise oe.NoSuchUpload(upload.upload_id) from None
        if old:
            await self.files.delete([old])
        return part

    async def list_parts(self, upload: Upload, after: int = 0, limit: int = 10001) -> list[Part]:
        return await self._db.read(lambda c: Repo.list_parts(c, upload.upload_id, after, limit))

    async def list_uploads(
        self, bucket: Bucket, prefix: str, after_key: str, limit: int
    ) -> list[Upload]:
        return await self._db.read(
            lambda c: Repo.list_uploads(c, bucket.id, prefix, after_key, limit)
        )

    async def abort_upload(self, bucket_name: str, key: str, upload_id: str) -> None:
        await self.upload(bucket_name, key, upload_id)
        freed = await self._db.write(lambda c: Repo.delete_upload(c, upload_id))
        if freed is None:
            raise oe.NoSuchUpload(upload_id)
        await self.files.delete(freed)

    async def complete_upload(
        self,
        bucket_name: str,
        key: str,
        upload_id: str,
        wanted: list[dict[str, Any]],
        who: Requester,
        conditions: Conditions | None = None,
    ) -> ObjectVersion:
        """Join the listed parts into the object (AWS's ETag and checksums)."""
        upload = await self.upload(bucket_name, key, upload_id)
        bucket = self.bucket(bucket_name)
        if conditions is not None:
            await self._check_write_conditions(bucket, key, conditions)
        stored = {p.number: p for p in await self.list_parts(upload)}
        if not wanted:
            raise oe.MalformedXML()
        chosen: list[Part] = []
        last = 0
        for entry in wanted:
            number = int(entry.get("PartNumber") or 0)
            if number <= last:
                raise oe.InvalidPartOrder(upload_id)
            last = number
            part = stored.get(number)
            etag = str(entry.get("ETag") or "")
            if part is None or (etag and etag.strip('"') != part.etag.strip('"')):
                raise oe.InvalidPart(upload_id, number, etag)
            for name in ALGORITHMS:
                given = entry.get(f"Checksum{name}")
                if given and part.checksums.get(name) not in (None, given):
                    raise oe.InvalidPart(upload_id, number, etag)
            chosen.append(part)
        for part in chosen[:-1]:
            if part.size < MIN_PART_BYTES:
                raise oe.EntityTooSmall(part.size)
        algorithm: str | None = upload.checksum_algorithm
        full = upload.checksum_type == "FULL_OBJECT"
        written = await self.files.concatenate(
            [p.file_id for p in chosen], (algorithm,) if algorithm and full else ()
        )
        checksums: dict[str, str] = {}
        if algorithm and full:
            checksums = written.checksums
        elif algorithm and all(algorithm in p.checksums for p in chosen):
            checksums = {
                algorithm: composite_checksum(algorithm, [p.checksums[algorithm] for p in chosen])
            }
        version = ObjectVersion(
            bucket_id=bucket.id,
            key=key,
            version_id="",
            latest=True,
            delete_marker=False,
            size=written.size,
            etag=multipart_etag([bytes.fromhex(p.etag.strip('"')) for p in chosen]),
            modified=now_s(),
            file_id=written.file_id,
            headers=upload.headers,
            metadata=upload.metadata,
            tags=upload.tags,
            checksums=checksums,
            checksum_type=upload.checksum_type if checksums else None,
            parts=[p.size for p in chosen],
            lock=locking.default_lock(bucket, upload.lock, time.time()),
        )
        versioned = bucket.versioning == "Enabled"
        version.version_id = new_version_id() if versioned else "null"
        now = time.time()
        part_files = [p.file_id for p in stored.values()]

        def run(conn: Any) -> tuple[list[str], list[OutboxRow]]:
            if Repo.delete_upload(conn, upload_id) is None:
                raise LookupError(upload_id)
            freed = Repo.put_version(conn, version, not versioned)
            queued = Repo.add_outbox(
                conn,
                event_records(
                    bucket,
                    Change(
                        "ObjectCreated:CompleteMultipartUpload",
                        version,
                        bucket.versioning is not None,
                        who.request_id,
                        who.principal or who.account,
                    ),
                ),
                now,
            )
            return freed, queued

        try:
            freed, queued = await self._db.write(run)
        except LookupError:
            await self.files.delete([written.file_id])
            raise oe.NoSuchUpload(upload_id) from None
        self.delivery.enqueue(queued)
        await self.files.delete([*freed, *part_files])
        return version
