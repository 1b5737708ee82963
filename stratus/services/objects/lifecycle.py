"""Lifecycle rules applied by a background sweep: expiration of current versions and of
expired delete markers, of noncurrent versions, and of incomplete multipart uploads.

S3 evaluates lifecycle rules once a day and rounds expiry to the next midnight UTC; we
sweep every ``INTERVAL_S`` and act once ``Days`` whole days have passed since an object
was written (since it became noncurrent, since an upload began), or at ``Date``. A
version under Object Lock is left alone, as S3 leaves it. See
https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-expire-general-considerations.html
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from stratus.services.objects import errors as oe
from stratus.services.objects.lifecycle_rules import DAY_S, rule_filter
from stratus.services.objects.model import Bucket, ObjectVersion
from stratus.services.objects.service import ObjectsService, Requester

__all__ = ["INTERVAL_S", "LifecycleSweeper"]

log = logging.getLogger(__name__)

INTERVAL_S = 60.0
_PAGE = 500


def _expires(rule: dict[str, Any], version: ObjectVersion, now: float) -> bool:
    expiration = rule.get("Expiration") or {}
    days = expiration.get("Days")
    if days is not None and now - version.modified >= days * DAY_S:
        return True
    date = expiration.get("Date")
    return date is not None and now >= float(date)


def _noncurrent_expires(
    rule: dict[str, Any], since: float, newer_noncurrent: int, now: float
) -> bool:
    """A version noncurrent ``since`` then, with ``newer_noncurrent`` noncurrent versions
    newer than it."""
    action = rule.get("NoncurrentVersionExpiration") or {}
    days = action.get("NoncurrentDays")
    if days is None or now - since < days * DAY_S:
        return False
    keep = action.get("NewerNoncurrentVersions")
    return keep is None or newer_noncurrent >= keep


class LifecycleSweeper:
    """Applies every bucket's lifecycle rules (one background task)."""

    def __init__(self, objects: ObjectsService, interval_s: float = INTERVAL_S) -> None:
        self._objects = objects
        self._interval = interval_s
        self._paused = False
        self._wake = asyncio.Event()
        self.expired = 0

    def pause(self) -> None:
        self._paused = True
        self._wake.set()

    def wake(self) -> None:
        """Sweep now (a bucket's rules changed)."""
        self._wake.set()

    async def run(self) -> None:
        while not self._paused:
            self._wake.clear()
            try:
                await self.sweep(time.time())
            except Exception:
                log.exception("lifecycle sweep failed")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._interval):
                    await self._wake.wait()

    async def sweep(self, now: float) -> int:
        """Apply what is due in every bucket; how many versions, markers and uploads went."""
        count = 0
        for bucket in self._objects.all_buckets():
            rules = [
                r
                for r in self._objects.config(bucket, "lifecycle") or []
                if r.get("Status") == "Enabled"
            ]
            if not rules:
                continue
            if any(r.get("Expiration") or r.get("NoncurrentVersionExpiration") for r in rules):
                count += await self._sweep_versions(bucket, rules, now)
            if any(r.get("AbortIncompleteMultipartUpload") for r in rules):
                count += await self._sweep_uploads(bucket, rules, now)
        self.expired += count
        return count

    async def _keys(self, bucket: Bucket) -> AsyncIterator[list[ObjectVersion]]:
        """Each key's versions, newest first, in key order."""
        after_key, after_seq = "", None
        group: list[ObjectVersion] = []
        while True:
            page = await self._objects.list_versions(bucket, "", after_key, after_seq, _PAGE)
            for version in page:
                if group and group[0].key != version.key:
                    yield group
                    group = []
                group.append(version)
            if len(page) < _PAGE:
                break
            after_key, after_seq = page[-1].key, page[-1].seq
        if group:
            yield group

    async def _sweep_versions(self, bucket: Bucket, rules: list[dict[str, Any]], now: float) -> int:
        count = 0
        who = Requester(bucket.account, bucket.region, "lifecycle", "s3.amazonaws.com")
        filters = [(rule, rule_filter(rule)) for rule in rules]
        async for versions in self._keys(bucket):
            current = versions[0]
            if not current.latest:
                continue
            if not current.delete_marker:
                if any(f.matches(current) and _expires(r, current, now) for r, f in filters):
                    await self._remove(bucket, current.key, None, who)
                    count += 1
            elif len(versions) == 1 and any(
                (r.get("Expiration") or {}).get("ExpiredObjectDeleteMarker")
                and f.matches_key(current.key)
                for r, f in filters
            ):
                count += await self._remove(bucket, current.key, current.version_id, who)
            for index, version in enumerate(versions[1:], start=1):
                since = versions[index - 1].modified  # it became noncurrent then
                if any(
                    f.matches(version) and _noncurrent_expires(r, since, index - 1, now)
                    for r, f in filters
                ):
                    count += await self._remove(bucket, version.key, version.version_id, who)
        return count

    async def _remove(
        self, bucket: Bucket, key: str, version_id: str | None, who: Requester
    ) -> int:
        try:
            await self._objects.delete_object(
                bucket.name, key, version_id, who, "LifecycleExpiration"
            )
        except oe.AccessDenied:  # under Object Lock: S3's lifecycle leaves it too
            return 0
        return 1

    async def _sweep_uploads(self, bucket: Bucket, rules: list[dict[str, Any]], now: float) -> int:
        count = 0
        after = ""
        while True:
            uploads = await self._objects.list_uploads(bucket, "", after, _PAGE)
            for upload in uploads:
                for rule in rules:
                    days = (rule.get("AbortIncompleteMultipartUpload") or {}).get(
                        "DaysAfterInitiation"
                    )
                    if (
                        days is not None
                        and rule_filter(rule).matches_key(upload.key)
                        and now - upload.initiated >= days * DAY_S
                    ):
                        with contextlib.suppress(oe.NoSuchUpload):
                            await self._objects.abort_upload(
                                bucket.name, upload.key, upload.upload_id
                            )
                            count += 1
                        break
            if len(uploads) < _PAGE:
                return count
            after = uploads[-1].key
