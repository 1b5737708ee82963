"""Archived storage classes and restores of their objects.

A version stored as GLACIER or DEEP_ARCHIVE keeps its bytes here like any other, but S3
refuses to read or copy it until a restore has made a temporary copy readable. A
restore is ongoing for the server's ``s3_restore_delay_s`` (AWS takes minutes to hours
by tier), then the copy stays readable until its expiry: the completion time plus the
requested days, rounded up to the next midnight UTC as S3 does. The state is computed
from the stored times whenever it is asked for, so nothing has to run when a restore
completes or expires, and a restart changes nothing.
"""

from __future__ import annotations

import math
from email.utils import formatdate

from stratus.services.objects import errors as oe
from stratus.services.objects.model import ObjectVersion, Restore

__all__ = [
    "ARCHIVED",
    "check_copyable",
    "check_readable",
    "header",
    "is_archived",
    "readable",
    "request",
    "status",
    "storage_class",
]

#: The storage classes whose objects must be restored before a read (GLACIER_IR is
#: read at once; Intelligent-Tiering's archive tiers are not simulated).
ARCHIVED = frozenset({"GLACIER", "DEEP_ARCHIVE"})

_DAY = 86400.0


def storage_class(version: ObjectVersion) -> str:
    return version.headers.get("StorageClass", "STANDARD")


def is_archived(version: ObjectVersion) -> bool:
    return storage_class(version) in ARCHIVED


def _expiry(ready: float, days: int) -> float:
    """Completion plus ``days``, rounded up to the next midnight UTC."""
    return (math.floor((ready + days * _DAY) / _DAY) + 1) * _DAY


def status(version: ObjectVersion, now: float) -> tuple[bool, float | None] | None:
    """(in progress, expiry of the readable copy) of the version's restore; None when
    there is no restore, or its copy has expired."""
    restore = version.restore
    if restore is None or not is_archived(version):
        return None
    if now < restore.ready:
        return True, None
    if now < restore.expiry:
        return False, restore.expiry
    return None


def readable(version: ObjectVersion, now: float) -> bool:
    if not is_archived(version):
        return True
    state = status(version, now)
    return state is not None and not state[0]


def header(version: ObjectVersion, now: float) -> str | None:
    """``x-amz-restore`` as S3 writes it, or None."""
    state = status(version, now)
    if state is None:
        return None
    ongoing, expiry = state
    if ongoing:
        return 'ongoing-request="true"'
    assert expiry is not None
    return f'ongoing-request="false", expiry-date="{formatdate(expiry, usegmt=True)}"'


def check_readable(version: ObjectVersion, now: float) -> None:
    if not readable(version, now):
        raise oe.InvalidObjectState(
            "The operation is not valid for the object's storage class", storage_class(version)
        )


def check_copyable(version: ObjectVersion, now: float) -> None:
    if not readable(version, now):
        raise oe.InvalidObjectState(
            "Operation is not valid for the source object's storage class",
            storage_class(version),
        )


def request(version: ObjectVersion, days: int, tier: str, delay: float, now: float) -> bool:
    """Start or extend a restore of ``version`` (changed in place); True when a new
    restore started (S3's 202), False when a restored copy's expiry was moved (200)."""
    if not is_archived(version):
        raise oe.InvalidObjectState("Restore is not allowed for the object's current storage class")
    state = status(version, now)
    if state is not None and state[0]:
        raise oe.RestoreAlreadyInProgress()
    if state is not None:  # a readable copy: its expiry counts from now
        assert version.restore is not None
        version.restore = Restore(version.restore.ready, _expiry(now, days), tier)
        return False
    ready = now + delay
    version.restore = Restore(ready, _expiry(ready, days), tier)
    return True
