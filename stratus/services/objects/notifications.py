"""Bucket notification configurations: validated once when set, matched per change, and
turned into S3's event record exactly as AWS writes it.

See https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
and https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-filtering.html
A change produces one outbox entry per matching configuration; delivery
(``delivery.py``) sends each entry on, after the commit that stored it.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

from stratus.services.objects.errors import InvalidArgument
from stratus.services.objects.model import Bucket, ObjectVersion

__all__ = [
    "Change",
    "event_records",
    "iso_time",
    "normalize_configuration",
    "targets",
    "test_event",
]

#: Configuration list -> (target kind, ARN member).
_KINDS = {
    "TopicConfigurations": ("sns", "TopicArn"),
    "QueueConfigurations": ("sqs", "QueueArn"),
    "LambdaFunctionConfigurations": ("lambda", "LambdaFunctionArn"),
}


@dataclass(frozen=True, slots=True)
class Change:
    """One change to notify about: ``ObjectCreated:Put``, ``ObjectRemoved:Delete`` ..."""

    event_name: str
    version: ObjectVersion
    versioned: bool  # whether the record carries the versionId
    request_id: str
    principal: str
    source_ip: str = "127.0.0.1"
    time: float | None = None  # when it happened, if not when the version was written
    restore_expiry: float | None = None  # ObjectRestore:Completed: the copy's expiry


def iso_time(seconds: float) -> str:
    """``2019-09-03T19:37:27.192Z``: S3's eventTime."""
    whole = int(seconds)
    millis = round((seconds - whole) * 1000)
    if millis == 1000:
        whole, millis = whole + 1, 0
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{millis:03d}Z"


def normalize_configuration(config: dict[str, Any]) -> dict[str, Any]:
    """Check a NotificationConfiguration as S3 does and give every entry an Id.

    Raises InvalidArgument for a filter rule that is not ``prefix``/``suffix``, a rule
    named twice, or two configurations sharing an event type whose filters overlap."""
    out: dict[str, Any] = {}
    seen: list[tuple[str, str, str]] = []  # (event, prefix, suffix)
    for list_name, (_kind, arn_member) in _KINDS.items():
        entries = []
        for entry in config.get(list_name) or []:
            rules = _filter_rules(entry)
            prefix = rules.get("prefix", "")
            suffix = rules.get("suffix", "")
            for event in entry.get("Events") or []:
                for other_event, other_prefix, other_suffix in seen:
                    if (
                        _events_overlap(event, other_event)
                        and (prefix.startswith(other_prefix) or other_prefix.startswith(prefix))
                        and (suffix.endswith(other_suffix) or other_suffix.endswith(suffix))
                    ):
                        raise InvalidArgument(
                            "Configurations overlap. Configurations on the same bucket cannot "
                            "share a common event type.",
                            "Event",
                            event,
                        )
            seen.extend((event, prefix, suffix) for event in entry.get("Events") or [])
            normalized = dict(entry)
            normalized["Id"] = entry.get("Id") or str(uuid.uuid4())
            if not entry.get(arn_member):
                raise InvalidArgument("The ARN is not well formed", arn_member, "")
            entries.append(normalized)
        if entries:
            out[list_name] = entries
    if "EventBridgeConfiguration" in config and config["EventBridgeConfiguration"] is not None:
        out["EventBridgeConfiguration"] = {}
    return out


def _filter_rules(entry: dict[str, Any]) -> dict[str, str]:
    rules: dict[str, str] = {}
    for rule in ((entry.get("Filter") or {}).get("Key") or {}).get("FilterRules") or []:
        name = str(rule.get("Name", "")).lower()
        if name not in ("prefix", "suffix"):
            raise InvalidArgument(
                "filter rule name must be either prefix or suffix",
                "FilterRule.Name",
                str(rule.get("Name", "")),
            )
        if name in rules:
            raise InvalidArgument(
                f"Cannot specify more than one {name} rule in a filter.",
                "FilterRule.Name",
                name,
            )
        rules[name] = str(rule.get("Value", ""))
    return rules


def _events_overlap(a: str, b: str) -> bool:
    return _event_matches(a, b.removeprefix("s3:")) or _event_matches(b, a.removeprefix("s3:"))


def _event_matches(pattern: str, event_name: str) -> bool:
    """``s3:ObjectCreated:*`` matches ``ObjectCreated:Put``; exact names match themselves."""
    pattern = pattern.removeprefix("s3:")
    if pattern.endswith(":*"):
        return event_name.startswith(pattern[:-1]) or event_name == pattern[:-2]
    return pattern == event_name


def targets(config: dict[str, Any]) -> list[tuple[str, str]]:
    """Every (kind, ARN) the configuration names, for validation and test events."""
    found: list[tuple[str, str]] = []
    for list_name, (kind, arn_member) in _KINDS.items():
        for entry in config.get(list_name) or []:
            found.append((kind, str(entry[arn_member])))
    return found


def event_records(bucket: Bucket, change: Change) -> list[dict[str, Any]]:
    """Outbox entries for ``change``: one per matching configuration (and one for
    EventBridge when the bucket sends there)."""
    config = bucket.configs.get("notification") or {}
    entries: list[dict[str, Any]] = []
    key = change.version.key
    for list_name, (kind, arn_member) in _KINDS.items():
        for entry in config.get(list_name) or []:
            if not any(_event_matches(e, change.event_name) for e in entry.get("Events") or []):
                continue
            rules = _filter_rules(entry)
            if not key.startswith(rules.get("prefix", "")) or not key.endswith(
                rules.get("suffix", "")
            ):
                continue
            entries.append(
                {
                    "target": kind,
                    "arn": entry[arn_member],
                    "account": bucket.account,
                    "event": {"Records": [record(bucket, change, entry["Id"])]},
                }
            )
    if "EventBridgeConfiguration" in config:
        entries.append(
            {
                "target": "eventbridge",
                "arn": bucket.arn,
                "account": bucket.account,
                "event": eventbridge_event(bucket, change),
            }
        )
    return entries


def record(bucket: Bucket, change: Change, configuration_id: str) -> dict[str, Any]:
    """One record of ``Records``, field for field as S3 sends it."""
    version = change.version
    obj: dict[str, Any] = {"key": quote_plus(version.key, safe="/")}
    created = change.event_name.startswith(("ObjectCreated", "ObjectRestore"))
    if created:
        obj["size"] = version.size
        obj["eTag"] = version.etag.strip('"')
    if change.versioned and version.version_id != "null":
        obj["versionId"] = version.version_id
    obj["sequencer"] = f"{version.seq:016X}{int(version.modified * 1000) & 0xFFFF:04X}"
    out: dict[str, Any] = {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": bucket.region,
        "eventTime": iso_time(change.time if change.time is not None else version.modified),
        "eventName": change.event_name,
        "userIdentity": {"principalId": change.principal},
        "requestParameters": {"sourceIPAddress": change.source_ip},
        "responseElements": {
            "x-amz-request-id": change.request_id,
            "x-amz-id-2": change.request_id,
        },
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": configuration_id,
            "bucket": {
                "name": bucket.name,
                "ownerIdentity": {"principalId": bucket.account},
                "arn": bucket.arn,
            },
            "object": obj,
        },
    }
    if change.restore_expiry is not None:
        out["glacierEventData"] = {
            "restoreEventData": {
                "lifecycleRestorationExpiryTime": iso_time(change.restore_expiry),
                "lifecycleRestoreStorageClass": version.headers.get("StorageClass", "STANDARD"),
            }
        }
    return out


_DETAIL_TYPES = {"ObjectCreated": "Object Created", "ObjectRemoved": "Object Deleted"}


def eventbridge_event(bucket: Bucket, change: Change) -> dict[str, Any]:
    """The PutEvents entry S3 sends to EventBridge (``aws.s3``, ``Object Created`` ...).

    See https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html"""
    version = change.version
    family, _, reason = change.event_name.partition(":")
    obj: dict[str, Any] = {"key": version.key}
    if family in ("ObjectCreated", "ObjectRestore"):
        obj.update(size=version.size, etag=version.etag.strip('"'))
    if change.versioned and version.version_id != "null":
        obj["version-id"] = version.version_id
    obj["sequencer"] = f"{version.seq:016X}"
    detail: dict[str, Any] = {
        "version": "0",
        "bucket": {"name": bucket.name},
        "object": obj,
        "request-id": change.request_id,
        "requester": bucket.account,
        "source-ip-address": change.source_ip,
        "reason": {
            "Put": "PutObject",
            "Post": "POST Object",
            "Copy": "CopyObject",
            "CompleteMultipartUpload": "CompleteMultipartUpload",
            "Delete": "DeleteObject",
            "DeleteMarkerCreated": "DeleteObject",
        }.get(reason, reason),
    }
    if reason == "DeleteMarkerCreated":
        detail["deletion-type"] = "Delete Marker Created"
    elif reason == "Delete":
        detail["deletion-type"] = "Permanently Deleted"
    detail_type = _DETAIL_TYPES.get(family, family)
    if family == "ObjectRestore":
        # Restores carry the archived class (and the copy's expiry), not a reason.
        del detail["reason"]
        detail_type = "Object Restore Initiated" if reason == "Post" else "Object Restore Completed"
        if change.restore_expiry is not None:
            detail["requester"] = "s3.amazonaws.com"
            detail["restore-expiry-time"] = iso_time(change.restore_expiry)
        detail["source-storage-class"] = version.headers.get("StorageClass", "STANDARD")
    return {
        "Source": "aws.s3",
        "DetailType": detail_type,
        "Resources": [bucket.arn],
        "Detail": detail,
        "Time": change.time if change.time is not None else version.modified,
    }


def test_event(bucket: Bucket, request_id: str) -> dict[str, Any]:
    """The ``s3:TestEvent`` S3 sends to queues and topics when a configuration is set."""
    return {
        "Service": "Amazon S3",
        "Event": "s3:TestEvent",
        "Time": iso_time(time.time()),
        "Bucket": bucket.name,
        "RequestId": request_id,
        "HostId": request_id,
    }
