"""S3's Object Lock operations (bucket configuration, retention, legal hold) and the lock
headers of uploads and reads; the rules are ``services/objects/locking.py``."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from stratus.aws.context import RequestContext
from stratus.services.objects import errors as oe
from stratus.services.objects import locking
from stratus.services.objects.model import Lock, ObjectVersion
from stratus.services.objects.service import ObjectsService

__all__ = ["LockOperations", "lock_output", "requested_lock"]

_BOTH = "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied"
_FUTURE = "The retain until date must be in the future!"


def _seconds(value: Any) -> float | None:
    return value.timestamp() if isinstance(value, datetime) else None


def requested_lock(params: dict[str, Any]) -> Lock | None:
    """The ``x-amz-object-lock-*`` headers of a PutObject, CopyObject or
    CreateMultipartUpload, checked as S3 checks them."""
    mode = params.get("ObjectLockMode")
    until = _seconds(params.get("ObjectLockRetainUntilDate"))
    hold = params.get("ObjectLockLegalHoldStatus")
    if mode is None and until is None and hold is None:
        return None
    if (mode is None) != (until is None):
        raise oe.InvalidArgument(_BOTH)
    if mode is not None and mode not in locking.MODES:
        raise oe.InvalidArgument("Unknown wormMode directive.", "x-amz-object-lock-mode", mode)
    if until is not None and until <= time.time():
        raise oe.InvalidArgument(_FUTURE)
    if hold is not None and hold not in ("ON", "OFF"):
        raise oe.InvalidArgument(
            "Legal Hold must be either of 'ON' or 'OFF'", "x-amz-object-lock-legal-hold", hold
        )
    return Lock(mode, until, hold)


def lock_output(version: ObjectVersion) -> dict[str, Any]:
    """What GET and HEAD tell of a version's lock."""
    out: dict[str, Any] = {}
    if version.lock.mode is not None:
        out["ObjectLockMode"] = version.lock.mode
        out["ObjectLockRetainUntilDate"] = version.lock.until
    if version.lock.legal_hold is not None:
        out["ObjectLockLegalHoldStatus"] = version.lock.legal_hold
    return out


class LockOperations:
    objects: ObjectsService

    async def put_object_lock_configuration(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        config = locking.validate_configuration(params.get("ObjectLockConfiguration") or {})
        if not locking.enabled(bucket) and bucket.versioning != "Enabled":
            raise oe.InvalidBucketState(
                "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration",
                BucketName=bucket.name,
            )
        await self.objects.set_config(bucket, "object_lock", config)
        return {}

    async def get_object_lock_configuration(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        config = self.objects.config(bucket, "object_lock")
        if not config:
            raise oe.NoSuchConfiguration(
                "ObjectLockConfigurationNotFoundError",
                "Object Lock configuration does not exist for this bucket",
                bucket.name,
            )
        return {"ObjectLockConfiguration": config}

    async def put_object_retention(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        retention = params.get("Retention") or {}
        mode = retention.get("Mode")
        until = _seconds(retention.get("RetainUntilDate"))
        if (mode is None) != (until is None) or (mode is not None and mode not in locking.MODES):
            raise oe.MalformedXML()
        if until is not None and until <= time.time():
            raise oe.InvalidArgument(_FUTURE)
        await self.objects.set_retention(
            params["Bucket"],
            params["Key"],
            params.get("VersionId"),
            (mode, until) if mode is not None and until is not None else None,
            bool(params.get("BypassGovernanceRetention")),
        )
        return {}

    async def get_object_retention(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        version = await self.objects.lock_of(
            params["Bucket"], params["Key"], params.get("VersionId")
        )
        if version.lock.mode is None:
            raise oe.NoSuchObjectLockConfiguration()
        return {"Retention": {"Mode": version.lock.mode, "RetainUntilDate": version.lock.until}}

    async def put_object_legal_hold(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        status = (params.get("LegalHold") or {}).get("Status")
        if status not in ("ON", "OFF"):
            raise oe.MalformedXML()
        await self.objects.set_legal_hold(
            params["Bucket"], params["Key"], params.get("VersionId"), status
        )
        return {}

    async def get_object_legal_hold(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        version = await self.objects.lock_of(
            params["Bucket"], params["Key"], params.get("VersionId")
        )
        if version.lock.legal_hold is None:
            raise oe.NoSuchObjectLockConfiguration()
        return {"LegalHold": {"Status": version.lock.legal_hold}}
