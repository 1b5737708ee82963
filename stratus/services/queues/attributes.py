"""Queue attributes: which exist, their defaults and ranges, and their parsed form.

Attributes travel as strings (``"30"``, ``"true"``, a JSON policy); a queue keeps the
strings it was given, normalized, in ``QueueConfig.values`` (what GetQueueAttributes
answers) and the parsed numbers the hot path reads as fields. The ranges and defaults are
those of CreateQueue and SetQueueAttributes in the API reference (MaximumMessageSize: 1 KiB
to 1 MiB, default 1 MiB since AWS raised the limit in 2025).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from stratus.services.queues.errors import (
    InvalidAttributeName,
    InvalidAttributeValue,
    InvalidParameterValue,
)
from stratus.services.queues.names import key_of_arn

__all__ = [
    "COMPUTED",
    "KNOWN",
    "MAX_MESSAGE_SIZE",
    "QueueConfig",
    "RedrivePolicy",
    "parse_attributes",
]

MAX_MESSAGE_SIZE = 1_048_576
MAX_VISIBILITY_TIMEOUT = 43_200

#: Attributes a queue reports but nobody sets.
COMPUTED = (
    "QueueArn",
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
)

_RANGES: dict[str, tuple[int, int]] = {
    "DelaySeconds": (0, 900),
    "MaximumMessageSize": (1024, MAX_MESSAGE_SIZE),
    "MessageRetentionPeriod": (60, 1_209_600),
    "ReceiveMessageWaitTimeSeconds": (0, 20),
    "VisibilityTimeout": (0, MAX_VISIBILITY_TIMEOUT),
    "KmsDataKeyReusePeriodSeconds": (60, 86_400),
}

_DEFAULTS: dict[str, str] = {
    "VisibilityTimeout": "30",
    "MaximumMessageSize": str(MAX_MESSAGE_SIZE),
    "MessageRetentionPeriod": "345600",
    "DelaySeconds": "0",
    "ReceiveMessageWaitTimeSeconds": "0",
    "SqsManagedSseEnabled": "true",
}
_FIFO_DEFAULTS: dict[str, str] = {
    "FifoQueue": "true",
    "ContentBasedDeduplication": "false",
    "DeduplicationScope": "queue",
    "FifoThroughputLimit": "perQueue",
}
_COMMON = (
    *_RANGES,
    "Policy",
    "RedrivePolicy",
    "RedriveAllowPolicy",
    "KmsMasterKeyId",
    "SqsManagedSseEnabled",
)
_FIFO_ONLY = ("ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit")
#: Every name GetQueueAttributes knows.
KNOWN = frozenset(("All", "FifoQueue", *COMPUTED, *_COMMON, *_FIFO_ONLY))


@dataclass(frozen=True, slots=True)
class RedrivePolicy:
    dead_letter_arn: str
    max_receive_count: int


@dataclass(slots=True)
class QueueConfig:
    """A queue's settable attributes: the strings as reported, and their parsed form."""

    values: dict[str, str] = field(default_factory=dict)
    visibility_timeout: int = 30
    delay_seconds: int = 0
    retention_seconds: int = 345_600
    max_message_size: int = MAX_MESSAGE_SIZE
    wait_seconds: int = 0
    content_dedup: bool = False
    dedup_per_group: bool = False
    redrive: RedrivePolicy | None = None

    @classmethod
    def of(cls, values: Mapping[str, str]) -> QueueConfig:
        """The config of already normalized ``values`` (as stored)."""
        config = cls(values=dict(values))
        config.visibility_timeout = int(values.get("VisibilityTimeout", "30"))
        config.delay_seconds = int(values.get("DelaySeconds", "0"))
        config.retention_seconds = int(values.get("MessageRetentionPeriod", "345600"))
        config.max_message_size = int(values.get("MaximumMessageSize", str(MAX_MESSAGE_SIZE)))
        config.wait_seconds = int(values.get("ReceiveMessageWaitTimeSeconds", "0"))
        config.content_dedup = values.get("ContentBasedDeduplication") == "true"
        config.dedup_per_group = values.get("DeduplicationScope") == "messageGroup"
        redrive = values.get("RedrivePolicy")
        if redrive:
            document = orjson.loads(redrive)
            config.redrive = RedrivePolicy(
                document["deadLetterTargetArn"], int(document["maxReceiveCount"])
            )
        return config

    def with_values(self, changes: Mapping[str, str]) -> QueueConfig:
        merged = {**self.values, **changes}
        return QueueConfig.of({k: v for k, v in merged.items() if v != ""})


def defaults(fifo: bool) -> dict[str, str]:
    return {**_DEFAULTS, **(_FIFO_DEFAULTS if fifo else {})}


def parse_attributes(given: Mapping[str, str], *, fifo: bool, creating: bool) -> dict[str, str]:
    """Check and normalize CreateQueue's or SetQueueAttributes' ``Attributes``.

    Returns the normalized strings; an empty string clears an optional attribute
    (RedrivePolicy, Policy...), as AWS does. Raises InvalidAttributeName for an attribute
    the queue type lacks and InvalidAttributeValue for a value out of range.
    """
    out: dict[str, str] = {}
    for name, value in given.items():
        if name == "FifoQueue":
            if not creating:
                raise InvalidAttributeName(f"Unknown Attribute {name}.")
            if value.lower() not in ("true", "false"):
                raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
            if fifo:  # the registry chose the type from this very value
                out[name] = "true"
            continue  # FifoQueue=false on a standard queue: accepted, not reported
        if name in _FIFO_ONLY and not fifo:
            raise InvalidAttributeName(f"Unknown Attribute {name}.")
        if name not in _COMMON and name not in _FIFO_ONLY:
            raise InvalidAttributeName(f"Unknown Attribute {name}.")
        out[name] = _CHECKS.get(name, _any)(name, value)
    if fifo and creating:
        out.setdefault("FifoQueue", "true")
    return out


def _integer(name: str, value: str) -> str:
    low, high = _RANGES[name]
    try:
        number = int(value.strip())
    except ValueError:
        raise InvalidAttributeValue(f"Invalid value for the parameter {name}.") from None
    if not low <= number <= high:
        raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
    return str(number)


def _boolean(name: str, value: str) -> str:
    if value.lower() not in ("true", "false"):
        raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
    return value.lower()


def _choice(*allowed: str) -> Callable[[str, str], str]:
    def check(name: str, value: str) -> str:
        if value not in allowed:
            raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
        return value

    return check


def _json_document(name: str, value: str) -> str:
    if value == "":
        return value
    try:
        document = orjson.loads(value)
    except orjson.JSONDecodeError:
        raise InvalidAttributeValue(f"Invalid value for the parameter {name}.") from None
    if not isinstance(document, dict):
        raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
    return value


def _json_map(value: str, refusal: str) -> dict[str, Any]:
    """``value`` as a JSON object, or InvalidParameterValue with ``refusal``."""
    try:
        document = orjson.loads(value)
    except orjson.JSONDecodeError:
        raise InvalidParameterValue(refusal) from None
    if not isinstance(document, dict):
        raise InvalidParameterValue(refusal)
    return document


def _redrive_policy(name: str, value: str) -> str:
    """``{"deadLetterTargetArn": ARN, "maxReceiveCount": 1..1000}``; the target's existence
    and type are checked by the service, which knows the queues."""
    if value == "":
        return value
    reason = f"Value {value} for parameter RedrivePolicy is invalid. Reason: "
    document = _json_map(value, f"{reason}Redrive policy is not a valid JSON map.")
    for member in ("deadLetterTargetArn", "maxReceiveCount"):
        if member not in document:
            raise InvalidParameterValue(
                f"{reason}Redrive policy does not contain mandatory attribute: {member}."
            )
    extra = set(document) - {"deadLetterTargetArn", "maxReceiveCount"}
    if extra:
        raise InvalidParameterValue(
            f"{reason}Only following attributes are supported: "
            "[deadLetterTargetArn, maxReceiveCount]."
        )
    count = document["maxReceiveCount"]
    try:
        number = int(count)
    except (TypeError, ValueError):
        number = 0
    if isinstance(count, bool) or not 1 <= number <= 1000:
        raise InvalidParameterValue(
            f"{reason}Invalid value for maxReceiveCount: {count}, valid values are from 1 to "
            "1000 both inclusive."
        )
    target = document["deadLetterTargetArn"]
    if not isinstance(target, str):
        raise InvalidParameterValue(f"{reason}Dead-letter target does not exist.")
    try:
        key_of_arn(target)
    except Exception:
        raise InvalidParameterValue(f"{reason}Dead-letter target does not exist.") from None
    return orjson.dumps({"deadLetterTargetArn": target, "maxReceiveCount": number}).decode()


def _redrive_allow_policy(name: str, value: str) -> str:
    if value == "":
        return value
    reason = f"Value {value} for parameter RedriveAllowPolicy is invalid. Reason: "
    document = _json_map(value, f"{reason}Invalid JSON.")
    permission = document.get("redrivePermission")
    if permission not in ("allowAll", "denyAll", "byQueue"):
        raise InvalidParameterValue(
            f"{reason}Amazon SQS can't create the redrive allow policy, as it's in an "
            "unsupported format."
        )
    sources = document.get("sourceQueueArns")
    if permission == "byQueue":
        if not isinstance(sources, list) or not 1 <= len(sources) <= 10:
            raise InvalidParameterValue(
                f"{reason}Amazon SQS can't create the redrive allow policy, as it's in an "
                "unsupported format."
            )
    elif sources:
        raise InvalidParameterValue(
            f"{reason}Amazon SQS can't create the redrive allow policy, as it's in an "
            "unsupported format."
        )
    return value


def _any(name: str, value: str) -> str:
    return value


_CHECKS: dict[str, Callable[[str, str], str]] = {
    **dict.fromkeys(_RANGES, _integer),
    "SqsManagedSseEnabled": _boolean,
    "ContentBasedDeduplication": _boolean,
    "DeduplicationScope": _choice("messageGroup", "queue"),
    "FifoThroughputLimit": _choice("perQueue", "perMessageGroupId"),
    "Policy": _json_document,
    "RedrivePolicy": _redrive_policy,
    "RedriveAllowPolicy": _redrive_allow_policy,
}
