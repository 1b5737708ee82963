"""The object store: buckets, object versions, multipart uploads, and their settings.

The order of every write is the durability contract: bytes to a fresh file (fsynced,
renamed: ``bytestore.py``), then one metadata commit that names the file and queues the
change's notifications (``sqlite.py``), then the files that commit made unreachable are
removed. A crash between any two steps leaves either the old object or the new one,
never a name pointing at missing bytes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterable, AsyncIterator, Callable
from typing import Any

from stratus.services.objects import errors as oe
from stratus.services.objects import locking, restore
from stratus.services.objects.bytestore import ByteStore
from stratus.services.objects.checksums import ALGORITHMS
from stratus.services.objects.delivery import NotificationDelivery
from stratus.services.objects.model import Bucket, Lock, ObjectVersion
from stratus.services.objects.names import check_bucket_name, check_key
from stratus.services.objects.notifications import Change, event_records
from stratus.services.objects.requests import (
    MAX_PUT_BYTES,
    Checks,
    Conditions,
    Requester,
    Written,
    new_version_id,
    now_s,
    verify,
)
from stratus.services.objects.sqlite import ObjectsRepository as Repo
from stratus.services.objects.sqlite import OutboxRow
from stratus.services.objects.uploads import UploadOperations
from stratus.store.errors import DuplicateKey
from stratus.store.sqlite.database import SQLiteDatabase

__all__ = [
    "ENCRYPTION_HEADERS",
    "Checks",
    "Conditions",
    "ObjectsService",
    "Requester",
    "Written",
]


def _etag_matches(condition: str, etag: str) -> bool:
    wanted = [c.strip() for c in condition.split(",")]
    return "*" in wanted or etag in wanted or etag.strip('"') in [w.strip('"') for w in wanted]


class ObjectsService(UploadOperations):
    """Buckets and objects of every account, over one repository and one byte store."""

    def __init__(
        self, db: SQLiteDatabase, files: ByteStore, delivery: NotificationDelivery
    ) -> None:
        self._db = db
        self.files = files
        self.delivery = delivery
        self._buckets: dict[str, Bucket] = {}
        #: How long a restore of an archived object runs (``restore.py``).
        self.restore_delay_s = 0.0
        #: Told the name of a bucket setting that changed (the lifecycle sweep wakes).
        self.settings_changed: Callable[[str], None] = lambda name: None

    async def load(self) -> None:
        """Read the buckets and the pending notifications, and clear files a crash left
        unreferenced."""
        buckets = await self._db.read(Repo.load_buckets)
        self._buckets = {b.name: b for b in buckets}
        self.delivery.enqueue(await self._db.read(Repo.load_outbox))
        referenced = await self._db.read(Repo.referenced_files)
        await asyncio.to_thread(self.files.open_nowait)
        await asyncio.to_thread(self.files.sweep_blocking, referenced)

    # -- buckets -----------------------------------------------------------------------
    def bucket(self, name: str) -> Bucket:
        found = self._buckets.get(name)
        if found is None:
            raise oe.NoSuchBucket(name)
        return found

    def has_bucket(self, name: str) -> bool:
        return name in self._buckets

    def buckets_of(self, account: str) -> list[Bucket]:
        return sorted(
            (b for b in self._buckets.values() if b.account == account), key=lambda b: b.name
        )

    def all_buckets(self) -> list[Bucket]:
        return sorted(self._buckets.values(), key=lambda b: b.name)

    async def create_bucket(
        self, name: str, who: Requester, region: str, *, object_lock: bool = False
    ) -> Bucket:
        existing = self._buckets.get(name)
        if existing is not None:
            if existing.account == who.account:
                raise oe.BucketAlreadyOwnedByYou(name)
            raise oe.BucketAlreadyExists(name)
        check_bucket_name(name)
        bucket = Bucket(0, name, who.account, region, now_s())
        if object_lock:  # S3 turns versioning on with Object Lock, for good
            bucket.versioning = "Enabled"
            bucket.configs["object_lock"] = {"ObjectLockEnabled": "Enabled"}
        self._buckets[name] = bucket  # claimed now: a concurrent create gets the error
        try:
            bucket.id = await self._db.write(lambda c: Repo.insert_bucket(c, bucket))
        except DuplicateKey:
            raise oe.BucketAlreadyOwnedByYou(name) from None
        except BaseException:
            self._buckets.pop(name, None)
            raise
        return bucket

    async def delete_bucket(self, name: str) -> None:
        bucket = self.bucket(name)

        def run(conn: Any) -> list[str] | None:
            if not Repo.bucket_is_empty(conn, bucket.id):
                return None
            return Repo.delete_bucket(conn, bucket.id)

        freed = await self._db.write(run)
        if freed is None:
            raise oe.BucketNotEmpty(name)
        self._buckets.pop(name, None)
        await self.files.delete(freed)

    async def save_bucket(self, bucket: Bucket) -> None:
        """Persist a bucket's versioning state and settings (already changed in place)."""
        await self._db.write(lambda c: Repo.update_bucket(c, bucket))

    def config(self, bucket: Bucket, name: str) -> Any:
        return bucket.configs.get(name)

    async def set_config(self, bucket: Bucket, name: str, value: Any) -> None:
        if value is None:
            bucket.configs.pop(name, None)
        else:
            bucket.configs[name] = value
        await self.save_bucket(bucket)
        self.settings_changed(name)

    # -- writes ------------------------------------------------------------------------
    async def put_object(
        self,
        bucket_name: str,
        key: str,
        body: AsyncIterable[bytes] | bytes,
        who: Requester,
        *,
        headers: dict[str, str] | None = None,
        metadata: dict[str, str] | None = None,
        tags: dict[str, str] | None = None,
        checks: Checks | None = None,
        conditions: Conditions | None = None,
        declared_size: int | None = None,
        event: str = "ObjectCreated:Put",
        acl: dict[str, Any] | None = None,
        lock: Lock | None = None,
    ) -> ObjectVersion:
        bucket = self.bucket(bucket_name)
        check_key(key)
        if lock is not None:
            locking.require_enabled(bucket)
        if declared_size is not None and declared_size > MAX_PUT_BYTES:
            raise oe.EntityTooLarge(declared_size, MAX_PUT_BYTES)
        checks = checks or Checks()
        locking.require_integrity(bucket, lock, bool(checks.content_md5), bool(checks.algorithms))
        if conditions is not None:
            await self._check_write_conditions(bucket, key, conditions)
        written = await self.files.write(body, checks.algorithms, limit=MAX_PUT_BYTES)
        try:
            verify(written, checks)
        except BaseException:
            await self.files.delete([written.file_id])
            raise
        version = ObjectVersion(
            bucket_id=bucket.id,
            key=key,
            version_id="",
            latest=True,
            delete_marker=False,
            size=written.size,
            etag=f'"{written.md5.hex()}"',
            modified=now_s(),
            file_id=written.file_id,
            headers=headers or {},
            metadata=metadata or {},
            tags=tags or {},
            checksums=written.checksums,
            checksum_type="FULL_OBJECT" if written.checksums else None,
            acl=acl,
            lock=locking.default_lock(bucket, lock or Lock(), time.time()),
        )
        if conditions is not None:
            await self._check_write_conditions(bucket, key, conditions)
        await self._commit_version(bucket, version, who, event)
        return version

    async def _check_write_conditions(self, bucket: Bucket, key: str, cond: Conditions) -> None:
        """Conditional writes (If-None-Match: *, If-Match: etag)."""
        current = await self._db.read(lambda c: Repo.get_version(c, bucket.id, key, None))
        exists = current is not None and not current.delete_marker
        if cond.if_none_match is not None and exists:
            raise oe.PreconditionFailed("If-None-Match")
        if cond.if_match is not None:
            if not exists:
                raise oe.NoSuchKey(key)
            assert current is not None
            if not _etag_matches(cond.if_match, current.etag):
                raise oe.PreconditionFailed("If-Match")

    async def _commit_version(
        self, bucket: Bucket, version: ObjectVersion, who: Requester, event: str
    ) -> None:
        versioned = bucket.versioning == "Enabled"
        version.version_id = new_version_id() if versioned else "null"
        replace_null = not versioned
        now = time.time()

        def run(conn: Any) -> tuple[list[str], list[OutboxRow]]:
            freed = Repo.put_version(conn, version, replace_null)
            # Records need the row's sequence, known only after the insert.
            records = event_records(
                bucket,
                Change(
                    event,
                    version,
                    bucket.versioning is not None,
                    who.request_id,
                    who.principal or who.account,
                ),
            )
            return freed, Repo.add_outbox(conn, records, now)

        try:
            freed, queued = await self._db.write(run)
        except BaseException:
            if version.file_id:
                await self.files.delete([version.file_id])
            raise
        self.delivery.enqueue(queued)
        await self.files.delete(freed)

    async def delete_object(
        self,
        bucket_name: str,
        key: str,
        version_id: str | None,
        who: Requester,
        family: str = "ObjectRemoved",
        bypass_governance: bool = False,
    ) -> ObjectVersion | None:
        """Delete a key (a delete marker in a versioned bucket) or one version; what was
        removed or created (None when nothing existed). ``family`` names the event
        (``LifecycleExpiration`` when a lifecycle rule deletes)."""
        bucket = self.bucket(bucket_name)
        now = time.time()
        versioned = bucket.versioning is not None

        def guard(version: ObjectVersion) -> None:
            locking.check_deletable(version, bypass_governance, now)

        if version_id is not None:

            def remove(conn: Any) -> tuple[ObjectVersion | None, list[OutboxRow]]:
                removed = Repo.delete_version(conn, bucket.id, key, version_id, guard)
                queued: list[OutboxRow] = []
                if removed is not None:
                    removed.modified = now_s()
                    name = f"{family}:Delete"
                    queued = Repo.add_outbox(
                        conn,
                        event_records(
                            bucket,
                            Change(
                                name,
                                removed,
                                versioned,
                                who.request_id,
                                who.principal or who.account,
                            ),
                        ),
                        now,
                    )
                return removed, queued

            removed, queued = await self._db.write(remove)
            if removed is None:
                if version_id != "null" and not _valid_version_id(version_id):
                    raise oe.InvalidArgument(
                        "Invalid version id specified", "versionId", version_id
                    )
                return None
            self.delivery.enqueue(queued)
            if removed.file_id:
                await self.files.delete([removed.file_id])
            return removed
        if bucket.versioning is None:

            def remove_null(conn: Any) -> tuple[ObjectVersion | None, list[OutboxRow]]:
                removed = Repo.delete_version(conn, bucket.id, key, "null", guard)
                queued: list[OutboxRow] = []
                if removed is not None:
                    removed.modified = now_s()
                    queued = Repo.add_outbox(
                        conn,
                        event_records(
                            bucket,
                            Change(
                                f"{family}:Delete",
                                removed,
                                False,
                                who.request_id,
                                who.principal or who.account,
                            ),
                        ),
                        now,
                    )
                return removed, queued

            removed, queued = await self._db.write(remove_null)
            if removed is not None:
                self.delivery.enqueue(queued)
                if removed.file_id:
                    await self.files.delete([removed.file_id])
            return removed
        marker = ObjectVersion(
            bucket_id=bucket.id,
            key=key,
            version_id="",
            latest=True,
            delete_marker=True,
            size=0,
            etag="",
            modified=now_s(),
            file_id=None,
        )
        await self._commit_version(bucket, marker, who, f"{family}:DeleteMarkerCreated")
        return marker

    async def copy_object(
        self,
        source_bucket: str,
        source_key: str,
        source_version: str | None,
        bucket_name: str,
        key: str,
        who: Requester,
        *,
        replace_metadata: bool,
        headers: dict[str, str],
        metadata: dict[str, str],
        tags: dict[str, str] | None,
        algorithms: tuple[str, ...],
        conditions: Conditions,
        acl: dict[str, Any] | None = None,
        encryption: dict[str, str] | None = None,
        lock: Lock | None = None,
    ) -> tuple[ObjectVersion, ObjectVersion]:
        """Copy one object; (source version, new version)."""
        try:
            source = await self.head(source_bucket, source_key, source_version)
        except oe.MethodNotAllowed:
            raise oe.InvalidRequest(
                "The source of a copy request may not specifically refer to a delete marker "
                "by version id."
            ) from None
        except oe.NoSuchKey:  # the marker's headers would describe the destination
            raise oe.NoSuchKey(source_key) from None
        _check_conditions(source, conditions, copy=True)
        restore.check_copyable(source, time.time())
        bucket = self.bucket(bucket_name)
        check_key(key)
        if lock is not None:
            locking.require_enabled(bucket)
        # A copy is STANDARD unless it names its class, whatever the source's (CopyObject).
        stored = headers if replace_metadata else dict(source.headers)
        if "StorageClass" not in headers:
            stored.pop("StorageClass", None)
        if encryption is not None:  # the copy's own encryption replaces the source's
            stored = {k: v for k, v in stored.items() if k not in ENCRYPTION_HEADERS}
            stored |= encryption
        reencrypted = any(stored.get(k) != source.headers.get(k) for k in ENCRYPTION_HEADERS)
        if (
            source_bucket == bucket_name
            and source_key == key
            and not replace_metadata
            and not reencrypted
            and tags is None
            and source_version is None
            and bucket.versioning != "Enabled"
        ):
            raise oe.InvalidRequest(
                "This copy request is illegal because it is trying to copy an object to itself "
                "without changing the object's metadata, storage class, website redirect "
                "location or encryption attributes."
            )
        assert source.file_id is not None
        wanted = algorithms or tuple(a for a in ALGORITHMS if a in source.checksums)
        written = await self.files.copy(source.file_id, wanted)
        version = ObjectVersion(
            bucket_id=bucket.id,
            key=key,
            version_id="",
            latest=True,
            delete_marker=False,
            size=written.size,
            etag=f'"{written.md5.hex()}"',
            modified=now_s(),
            file_id=written.file_id,
            headers=stored,
            metadata=metadata if replace_metadata else dict(source.metadata),
            tags=dict(source.tags) if tags is None else tags,
            checksums=written.checksums,
            checksum_type="FULL_OBJECT" if written.checksums else None,
            acl=acl,
            lock=locking.default_lock(bucket, lock or Lock(), time.time()),
        )
        await self._commit_version(bucket, version, who, "ObjectCreated:Copy")
        return source, version

    # -- reads -------------------------------------------------------------------------
    async def head(
        self, bucket_name: str, key: str, version_id: str | None = None, method: str = "GET"
    ) -> ObjectVersion:
        """The version asked for; NoSuchKey / NoSuchVersion / MethodNotAllowed."""
        bucket = self.bucket(bucket_name)
        found = await self._db.read(lambda c: Repo.get_version(c, bucket.id, key, version_id))
        if found is None:
            if version_id is not None:
                if version_id != "null" and not _valid_version_id(version_id):
                    raise oe.InvalidArgument(
                        "Invalid version id specified", "versionId", version_id
                    )
                raise oe.NoSuchVersion(key, version_id)
            raise oe.NoSuchKey(key)
        if found.delete_marker:
            if version_id is None:
                raise oe.NoSuchKey(key, marker=found.version_id)
            raise oe.MethodNotAllowed(found.version_id, method, found.modified)
        return found

    async def read(
        self,
        bucket_name: str,
        key: str,
        version_id: str | None,
        conditions: Conditions,
        method: str = "GET",
    ) -> ObjectVersion:
        version = await self.head(bucket_name, key, version_id, method)
        _check_conditions(version, conditions)
        return version

    def stream(
        self, version: ObjectVersion, start: int = 0, end: int | None = None
    ) -> AsyncIterator[bytes]:
        assert version.file_id is not None
        return self.files.read(version.file_id, start, end)

    async def read_bytes(self, version: ObjectVersion) -> bytes:
        return b"".join([chunk async for chunk in self.stream(version)])

    async def set_tags(
        self, bucket_name: str, key: str, version_id: str | None, tags: dict[str, str] | None
    ) -> ObjectVersion:
        def change(current: ObjectVersion) -> None:
            current.tags = tags or {}

        return await self._change_record(bucket_name, key, version_id, change)

    async def set_acl(
        self, bucket_name: str, key: str, version_id: str | None, acl: dict[str, Any] | None
    ) -> ObjectVersion:
        def change(current: ObjectVersion) -> None:
            current.acl = acl

        return await self._change_record(bucket_name, key, version_id, change)

    async def restore_object(
        self,
        bucket_name: str,
        key: str,
        version_id: str | None,
        days: int,
        tier: str,
        who: Requester,
    ) -> tuple[ObjectVersion, bool]:
        """Restore an archived version for ``days``; (the version, whether a new restore
        started). Decided in the write transaction, so two requests never both start one;
        a restore that starts queues its ``ObjectRestore:Post`` and
        ``ObjectRestore:Completed`` notifications there too, the second due when the
        restore completes."""
        bucket = self.bucket(bucket_name)
        found = await self.head(bucket_name, key, version_id)
        versioned = bucket.versioning is not None

        def run(conn: Any) -> tuple[ObjectVersion, bool, list[OutboxRow]]:
            current = Repo.get_version(conn, bucket.id, key, found.version_id)
            if current is None:
                raise oe.NoSuchKey(key)
            now = time.time()
            started = restore.request(current, days, tier, self.restore_delay_s, now)
            Repo.save_record(conn, current)
            queued: list[OutboxRow] = []
            if started:
                assert current.restore is not None
                ready, expiry = current.restore.ready, current.restore.expiry
                principal = who.principal or who.account
                post = Change(
                    "ObjectRestore:Post", current, versioned, who.request_id, principal, time=now
                )
                done = Change(
                    "ObjectRestore:Completed",
                    current,
                    versioned,
                    who.request_id,
                    "s3.amazonaws.com",
                    time=ready,
                    restore_expiry=expiry,
                )
                queued = Repo.add_outbox(conn, event_records(bucket, post), now)
                queued += Repo.add_outbox(conn, event_records(bucket, done), ready)
            return current, started, queued

        version, started, queued = await self._db.write(run)
        self.delivery.enqueue(queued)
        return version, started

    async def lock_of(self, bucket_name: str, key: str, version_id: str | None) -> ObjectVersion:
        """The version whose Object Lock state is asked for (the bucket must have it)."""
        locking.require_enabled(self.bucket(bucket_name))
        return await self.head(bucket_name, key, version_id)

    async def set_retention(
        self,
        bucket_name: str,
        key: str,
        version_id: str | None,
        retention: tuple[str, float] | None,
        bypass_governance: bool,
    ) -> ObjectVersion:
        """Set, lengthen, shorten or remove a version's retention, as far as its current
        retention lets (checked in the same transaction as the change)."""
        locking.require_enabled(self.bucket(bucket_name))
        mode, until = retention if retention is not None else (None, None)
        now = time.time()

        def change(current: ObjectVersion) -> None:
            locking.check_change(current.lock, mode, until, bypass_governance, now)
            current.lock = Lock(mode, until, current.lock.legal_hold)

        return await self._change_record(bucket_name, key, version_id, change)

    async def set_legal_hold(
        self, bucket_name: str, key: str, version_id: str | None, status: str
    ) -> ObjectVersion:
        locking.require_enabled(self.bucket(bucket_name))

        def change(current: ObjectVersion) -> None:
            current.lock = Lock(current.lock.mode, current.lock.until, status)

        return await self._change_record(bucket_name, key, version_id, change)

    async def _change_record(
        self,
        bucket_name: str,
        key: str,
        version_id: str | None,
        change: Callable[[ObjectVersion], None],
    ) -> ObjectVersion:
        """Apply ``change`` to a version's record read in the write transaction itself, so
        concurrent changes of its tags, ACL and Object Lock state never undo each other
        (a record written from an earlier read could shorten a retention)."""
        version = await self.head(bucket_name, key, version_id)

        def run(conn: Any) -> ObjectVersion:
            current = Repo.get_version(conn, version.bucket_id, key, version.version_id)
            if current is None:
                raise oe.NoSuchKey(key)
            change(current)
            Repo.save_record(conn, current)
            return current

        return await self._db.write(run)

    async def list_latest(
        self, bucket: Bucket, prefix: str, after: str, limit: int, inclusive: bool = False
    ) -> list[ObjectVersion]:
        return await self._db.read(
            lambda c: Repo.list_latest(c, bucket.id, prefix, after, limit, inclusive)
        )

    async def list_versions(
        self, bucket: Bucket, prefix: str, after_key: str, after_seq: int | None, limit: int
    ) -> list[ObjectVersion]:
        return await self._db.read(
            lambda c: Repo.list_versions(c, bucket.id, prefix, after_key, after_seq, limit)
        )

    async def version_seq(self, bucket: Bucket, key: str, version_id: str) -> int | None:
        found = await self._db.read(lambda c: Repo.get_version(c, bucket.id, key, version_id))
        return found.seq if found else None


#: The stored headers that say how an object's bytes are encrypted (S3's member names).
ENCRYPTION_HEADERS = (
    "ServerSideEncryption",
    "SSEKMSKeyId",
    "SSECustomerAlgorithm",
    "SSECustomerKeyMD5",
    "BucketKeyEnabled",
)


def _valid_version_id(version_id: str) -> bool:
    return len(version_id) == 32 and all(c in "0123456789abcdef" for c in version_id)


def _check_conditions(version: ObjectVersion, cond: Conditions, copy: bool = False) -> None:
    """RFC 7232's order as S3 applies it: If-Match before If-Unmodified-Since,
    If-None-Match before If-Modified-Since. A copy answers 412 where a GET answers 304."""
    modified = int(version.modified)
    if cond.if_match is not None:
        if not _etag_matches(cond.if_match, version.etag):
            raise oe.PreconditionFailed("If-Match")
    elif cond.if_unmodified_since is not None and modified > cond.if_unmodified_since:
        raise oe.PreconditionFailed("If-Unmodified-Since")
    if cond.if_none_match is not None:
        if _etag_matches(cond.if_none_match, version.etag):
            if copy:
                raise oe.PreconditionFailed("If-None-Match")
            raise oe.NotModified(version.etag, version.modified)
    elif cond.if_modified_since is not None and modified <= cond.if_modified_since:
        if copy:
            raise oe.PreconditionFailed("If-Modified-Since")
        raise oe.NotModified(version.etag, version.modified)
