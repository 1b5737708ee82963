"""A bucket's configurations kept by id: analytics (Storage Class Analysis), inventory,
CloudWatch request metrics and S3 Intelligent-Tiering archive settings.

Each kind is a mapping id -> S3's own document in ``Bucket.configs`` (so it is stored,
deleted and restored with the bucket like every other setting). S3 allows 1,000 of a
kind per bucket and lists them 100 at a time in id order, the next page named by an
opaque continuation token. Stratus keeps and answers the documents; it produces no
analysis, inventory report or metric, and moves no object between tiers.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from stratus.services.objects import errors as oe
from stratus.services.objects.model import Bucket

__all__ = ["KINDS", "check_inventory", "check_tierings", "page", "remove", "stored", "with_set"]

#: The ``Bucket.configs`` key of each kind.
KINDS = ("analytics", "inventory", "metrics", "intelligent_tiering")
LIMIT = 1000
PAGE_SIZE = 100

#: Days before an object may move to each archive tier: at least 90 (Archive Access) or
#: 180 (Deep Archive Access), at most two years (API_Tiering, ``Days``).
_TIER_DAYS = {"ARCHIVE_ACCESS": 90, "DEEP_ARCHIVE_ACCESS": 180}
_MAX_TIER_DAYS = 730


def _missing(bucket: Bucket) -> oe.NoSuchConfiguration:
    return oe.NoSuchConfiguration(
        "NoSuchConfiguration", "The specified configuration does not exist.", bucket.name
    )


def _of(bucket: Bucket, kind: str) -> dict[str, Any]:
    found: dict[str, Any] = bucket.configs.get(kind) or {}
    return found


def stored(bucket: Bucket, kind: str, config_id: str) -> dict[str, Any]:
    """The configuration ``config_id`` of ``kind``, or S3's ``NoSuchConfiguration``."""
    config = _of(bucket, kind).get(config_id)
    if config is None:
        raise _missing(bucket)
    return dict(config)


def with_set(bucket: Bucket, kind: str, config_id: str, config: dict[str, Any]) -> dict[str, Any]:
    """The bucket's configurations of ``kind`` once ``config`` is set (a new mapping: the
    bucket's own changes only when the caller stores it)."""
    current = dict(_of(bucket, kind))
    if config_id not in current and len(current) >= LIMIT:
        raise oe.TooManyConfigurations()
    current[config_id] = config
    return current


def remove(bucket: Bucket, kind: str, config_id: str) -> dict[str, Any] | None:
    """The configurations of ``kind`` without ``config_id`` (``None`` once none is left)."""
    current = dict(_of(bucket, kind))
    if current.pop(config_id, None) is None:
        raise _missing(bucket)
    return current or None


def _token(config_id: str) -> str:
    return base64.urlsafe_b64encode(config_id.encode()).decode()


def _start(token: str) -> str:
    """The id a token names; one we did not give (it does not encode back to itself) is
    S3's ``InvalidArgument``."""
    try:
        start = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        start = None
    if start is None or _token(start) != token:
        raise oe.InvalidArgument(
            "The continuation token provided is incorrect", "continuation-token", token
        )
    return start


def page(bucket: Bucket, kind: str, token: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """One page of ``kind`` in id order from ``token``, and the token of the next page."""
    configs = _of(bucket, kind)
    start = _start(token) if token else None
    ids = sorted(i for i in configs if start is None or i >= start)
    items = [dict(configs[i]) for i in ids[:PAGE_SIZE]]
    return items, _token(ids[PAGE_SIZE]) if len(ids) > PAGE_SIZE else None


def check_tierings(tierings: list[dict[str, Any]]) -> None:
    """Each archive tier once, after its minimum of days and within two years."""
    if not tierings:
        raise oe.MalformedXML()
    seen: set[str] = set()
    for tiering in tierings:
        tier, days = tiering["AccessTier"], tiering["Days"]
        if tier in seen:
            raise oe.InvalidArgument(
                f"Only one tiering configuration is allowed per access tier: {tier}",
                "AccessTier",
                tier,
            )
        seen.add(tier)
        if not _TIER_DAYS[tier] <= days <= _MAX_TIER_DAYS:
            raise oe.InvalidArgument(
                f"The number of days for the {tier} tier must be between {_TIER_DAYS[tier]} "
                f"and {_MAX_TIER_DAYS}",
                "Days",
                str(days),
            )


def check_inventory(config_id: str, config: dict[str, Any]) -> None:
    """S3's order: the document's id, then its destination, which must be a bucket ARN."""
    if config["Id"] != config_id:
        raise oe.IdMismatch()
    destination = config["Destination"]["S3BucketDestination"]["Bucket"]
    if not destination.startswith("arn:aws:s3:::") or destination == "arn:aws:s3:::":
        raise oe.InvalidS3DestinationBucket()
