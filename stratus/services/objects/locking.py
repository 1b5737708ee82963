"""Object Lock: which versions may not be deleted, and which retention changes S3 allows.

A bucket with Object Lock keeps ``configs["object_lock"]`` as S3's
``ObjectLockConfiguration`` shape; each version carries its :class:`Lock`. A version is
protected while its retention date is in the future or its legal hold is on: deleting
that version (by id) is refused, while deleting the key only stacks a delete marker,
which is always allowed. GOVERNANCE retention yields to ``x-amz-bypass-governance-retention``,
COMPLIANCE and legal holds to nothing. See
https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html
"""

from __future__ import annotations

from typing import Any

from stratus.services.objects import errors as oe
from stratus.services.objects.model import Bucket, Lock, ObjectVersion

__all__ = [
    "DAY_S",
    "MODES",
    "check_change",
    "check_deletable",
    "default_lock",
    "enabled",
    "require_enabled",
]

MODES = ("GOVERNANCE", "COMPLIANCE")
DAY_S = 86_400.0
YEAR_DAYS = 365

PROTECTED = "Access Denied because object protected by object lock."


def enabled(bucket: Bucket) -> bool:
    config = bucket.configs.get("object_lock") or {}
    return config.get("ObjectLockEnabled") == "Enabled"


def require_enabled(bucket: Bucket) -> None:
    """Retention and legal holds exist only in buckets with Object Lock."""
    if not enabled(bucket):
        raise oe.InvalidRequest("Bucket is missing Object Lock Configuration")


def require_integrity(
    bucket: Bucket, asked: Lock | None, content_md5: bool, checksum: bool
) -> None:
    """S3 takes a PUT that locks its object (by its headers or the bucket's default
    retention) only with a Content-MD5 or a checksum to prove the bytes."""
    if content_md5 or checksum:
        return
    rule = (bucket.configs.get("object_lock") or {}).get("Rule")
    if asked is not None or (enabled(bucket) and rule):
        raise oe.InvalidRequest(
            "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests "
            "with Object Lock parameters"
        )


def default_lock(bucket: Bucket, asked: Lock, now: float) -> Lock:
    """The lock a new version gets: what the request asked for, else the bucket's
    default retention counted from now (a legal hold is never a default)."""
    if asked.mode is not None or not enabled(bucket):
        return Lock(asked.mode, asked.until, asked.legal_hold)
    rule = (bucket.configs.get("object_lock") or {}).get("Rule") or {}
    retention = rule.get("DefaultRetention") or {}
    mode = retention.get("Mode")
    if mode is None:
        return Lock(None, None, asked.legal_hold)
    days = retention.get("Days") or YEAR_DAYS * int(retention.get("Years") or 0)
    return Lock(mode, now + days * DAY_S, asked.legal_hold)


def _retained(lock: Lock, now: float) -> bool:
    return lock.mode is not None and lock.until is not None and lock.until > now


def check_deletable(version: ObjectVersion, bypass: bool, now: float) -> None:
    """Refuse to delete a protected version (AWS's AccessDenied, 403)."""
    lock = version.lock
    if lock.legal_hold == "ON":
        raise oe.AccessDenied(PROTECTED)
    if _retained(lock, now) and (lock.mode == "COMPLIANCE" or not bypass):
        raise oe.AccessDenied(PROTECTED)


def check_change(
    current: Lock, mode: str | None, until: float | None, bypass: bool, now: float
) -> None:
    """A new retention for a version: COMPLIANCE may only be lengthened; GOVERNANCE may be
    shortened, removed or have its mode changed only with the bypass header."""
    if not _retained(current, now):
        return
    assert current.until is not None
    weaker = mode is None or until is None or until < current.until
    if current.mode == "COMPLIANCE":
        if weaker or mode != "COMPLIANCE":
            raise oe.AccessDenied()
    elif (weaker or mode != current.mode) and not bypass:
        raise oe.AccessDenied()


def validate_configuration(config: dict[str, Any]) -> dict[str, Any]:
    """S3's checks of a PutObjectLockConfiguration body; the shape to keep."""
    if config.get("ObjectLockEnabled") != "Enabled":
        raise oe.MalformedXML()
    rule = config.get("Rule")
    if rule is None:
        return {"ObjectLockEnabled": "Enabled"}
    retention = rule.get("DefaultRetention") or {}
    mode = retention.get("Mode")
    days, years = retention.get("Days"), retention.get("Years")
    if mode not in MODES or (days is None) == (years is None):
        raise oe.MalformedXML()
    period = days if days is not None else years
    if not isinstance(period, int) or period <= 0:
        raise oe.InvalidRetentionPeriod()
    kept = {"Mode": mode, "Days" if days is not None else "Years": period}
    return {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": kept}}
