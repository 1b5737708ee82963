"""A bucket's replication configuration, checked as S3 checks it when it is set.

S3 refuses a configuration on a bucket whose versioning is not Enabled, and one whose
destination does not exist, is the bucket itself or keeps no versions (codes and
messages as S3 answers them: ``InvalidRequest``, 400). Stratus keeps the configuration
and answers it back; it copies no object (``docs/objects.md`` says so).
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from typing import Any

from stratus.services.objects import errors as oe
from stratus.services.objects.model import Bucket

__all__ = ["validate"]

BUCKET_ARN = "arn:aws:s3:::"
MAX_RULES = 1000
MAX_ID = 255

_DELETE_MARKERS = (
    "DeleteMarkerReplication must be specified for this version of Cross Region Replication "
    "configuration schema. Please refer to S3 Developer Guide for more information."
)


def _rule_id() -> str:
    """An id for a rule given none: S3 makes one up, an opaque base64 string."""
    return base64.b64encode(str(uuid.uuid4()).encode()).decode().rstrip("=")


def validate(
    bucket: Bucket, config: dict[str, Any], find: Callable[[str], Bucket | None]
) -> dict[str, Any]:
    """The configuration to store, or the error S3 answers; ``find`` looks a bucket up."""
    if bucket.versioning != "Enabled":
        raise oe.InvalidRequest(
            "Versioning must be 'Enabled' on the bucket to apply a replication configuration",
            BucketName=bucket.name,
        )
    rules = config.get("Rules") or []
    if not rules or len(rules) > MAX_RULES:
        raise oe.MalformedXML()
    seen_ids: set[str] = set()
    priorities: set[tuple[str, int]] = set()
    stored: list[dict[str, Any]] = []
    for given in rules:
        rule = dict(given)
        rule_id = rule.get("ID") or _rule_id()
        if len(rule_id) > MAX_ID:
            raise oe.InvalidArgument(f"ID length should not exceed allowed limit of {MAX_ID}")
        if rule_id in seen_ids:
            raise oe.InvalidArgument("Rule Id must be unique", "ID", rule_id)
        seen_ids.add(rule_id)
        rule["ID"] = rule_id
        destination = rule["Destination"]["Bucket"]
        if "Filter" in rule:
            # The second schema (Filter, Priority, DeleteMarkerReplication); the first
            # named a bare Prefix and could not say what to do with delete markers.
            if "Prefix" in rule:
                raise oe.MalformedXML()
            if "DeleteMarkerReplication" not in rule:
                raise oe.InvalidRequest(_DELETE_MARKERS)
            priority = rule.get("Priority")
            if priority is not None:
                if priority < 0:
                    raise oe.InvalidRequest("Priority must be between 0 and 2147483647.")
                if (destination, priority) in priorities:
                    raise oe.InvalidRequest(f"Found duplicate priority {priority}.")
                priorities.add((destination, priority))
        _check_destination(bucket, destination, find)
        stored.append(rule)
    return {"Role": config["Role"], "Rules": stored}


def _check_destination(
    bucket: Bucket, destination: str, find: Callable[[str], Bucket | None]
) -> None:
    name = destination.removeprefix(BUCKET_ARN) if destination.startswith(BUCKET_ARN) else ""
    if name == bucket.name:
        raise oe.InvalidRequest("Destination bucket cannot be the same as the source bucket.")
    target = find(name) if name else None
    if target is None:
        raise oe.InvalidRequest("Destination bucket must exist.")
    if target.versioning != "Enabled":
        raise oe.InvalidRequest("Destination bucket must have versioning enabled.")
