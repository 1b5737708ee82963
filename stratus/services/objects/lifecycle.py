"""Lifecycle rules applied: expiration of current versions, of noncurrent versions, and
of incomplete multipart uploads, checked by a background sweep.

S3 evaluates lifecycle rules once a day and rounds expiry to the next midnight UTC; we
sweep every ``INTERVAL_S`` and expire an object once ``Days`` whole days have passed
since it was written (or at ``Date``). See
https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-expire-general-considerations.html
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from stratus.services.objects.model import Bucket, ObjectVersion
from stratus.services.objects.service import ObjectsService, Requester

__all__ = ["INTERVAL_S", "LifecycleSweeper", "rule_applies"]

log = logging.getLogger(__name__)

INTERVAL_S = 60.0
DAY_S = 86_400.0


def _rule_filter(rule: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """(prefix, tags) of a rule's Filter (or its legacy top-level Prefix)."""
    flt = rule.get("Filter") or {}
    prefix = flt.get("Prefix") or rule.get("Prefix") or ""
    tags: dict[str, str] = {}
    if flt.get("Tag"):
        tags[flt["Tag"]["Key"]] = flt["Tag"].get("Value", "")
    and_ = flt.get("And") or {}
    if and_:
        prefix = and_.get("Prefix") or prefix
        for tag in and_.get("Tags") or []:
            tags[tag["Key"]] = tag.get("Value", "")
    return prefix, tags


def rule_applies(rule: dict[str, Any], version: ObjectVersion) -> bool:
    prefix, tags = _rule_filter(rule)
    if not version.key.startswith(prefix):
        return False
    return all(version.tags.get(k) == v for k, v in tags.items())


def expired(rule: dict[str, Any], version: ObjectVersion, now: float) -> bool:
    expiration = rule.get("Expiration") or {}
    days = expiration.get("Days")
    if days is not None and now - version.modified >= days * DAY_S:
        return True
    date = expiration.get("Date")
    return date is not None and now >= float(date)


class LifecycleSweeper:
    """Applies every bucket's Expiration rules (one background task)."""

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
        """Expire what is due in every bucket; how many objects were expired."""
        count = 0
        for bucket in self._objects.all_buckets():
            rules = [
                r
                for r in self._objects.config(bucket, "lifecycle") or []
                if r.get("Status") == "Enabled" and r.get("Expiration")
            ]
            if rules:
                count += await self._sweep_bucket(bucket, rules, now)
        self.expired += count
        return count

    async def _sweep_bucket(self, bucket: Bucket, rules: list[dict[str, Any]], now: float) -> int:
        count = 0
        after = ""
        who = Requester(bucket.account, bucket.region, "lifecycle", "s3.amazonaws.com")
        while True:
            batch = await self._objects.list_latest(bucket, "", after, 500)
            if not batch:
                return count
            for version in batch:
                after = version.key
                if version.delete_marker:
                    continue
                if any(rule_applies(r, version) and expired(r, version, now) for r in rules):
                    await self._objects.delete_object(
                        bucket.name, version.key, None, who, "LifecycleExpiration"
                    )
                    count += 1
