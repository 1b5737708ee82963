"""RestoreObject, and how a restore shows in reads and listings (``x-amz-restore``,
``RestoreStatus``). The rules live in ``services/objects/restore.py``.

S3 answers a restore that starts with 202 and one that moves a restored copy's expiry
with 200; the model has no status member for it, so the provider sets ``ctx.status``.
"""

from __future__ import annotations

import time
from typing import Any

from stratus.aws.context import RequestContext
from stratus.aws.s3 import wire
from stratus.services.objects import errors as oe
from stratus.services.objects import restore
from stratus.services.objects.model import ObjectVersion
from stratus.services.objects.service import ObjectsService

__all__ = ["RestoreOperations", "restore_status"]


_TIERS = ("Standard", "Bulk", "Expedited")


def restore_status(version: ObjectVersion) -> dict[str, Any] | None:
    """A listing's ``RestoreStatus`` (asked for with OptionalObjectAttributes)."""
    state = restore.status(version, time.time())
    if state is None:
        return None
    ongoing, expiry = state
    out: dict[str, Any] = {"IsRestoreInProgress": ongoing}
    if expiry is not None:
        out["RestoreExpiryDate"] = expiry
    return out


def _days(request: dict[str, Any]) -> int:
    """The restore's days. S3 refuses a request without them, or with the members of
    the retired S3 Select restores, as XML that does not match its schema."""
    if any(request.get(m) is not None for m in ("Type", "Tier", "SelectParameters")):
        raise oe.MalformedXML()
    if request.get("OutputLocation") is not None or request.get("Days") is None:
        raise oe.MalformedXML()
    days = int(request["Days"])
    if days < 1:
        raise oe.InvalidArgument(
            "The restore request days must be a positive integer", "Days", str(days)
        )
    return days


class RestoreOperations:
    objects: ObjectsService

    async def restore_object(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        request = params.get("RestoreRequest") or {}
        version = await self.objects.head(params["Bucket"], params["Key"], params.get("VersionId"))
        if not restore.is_archived(version):
            raise oe.InvalidObjectState(
                "Restore is not allowed for the object's current storage class"
            )
        days = _days(request)
        tier = (request.get("GlacierJobParameters") or {}).get("Tier") or "Standard"
        if tier not in _TIERS:  # S3 checks its XML against its schema, enums included
            raise oe.MalformedXML()
        _version, started = await self.objects.restore_object(
            params["Bucket"],
            params["Key"],
            params.get("VersionId"),
            days,
            tier,
            wire.requester(ctx),
        )
        ctx.status = 202 if started else 200
        return {}
