"""Events as EventBridge writes them, from PutEvents entries and from the clock.

The shape (https://docs.aws.amazon.com/eventbridge/latest/ref/overiew-event-structure.html)
and the key order are AWS's: version, id, detail-type, source, account, time, region,
resources, detail. A scheduled rule's event is the "Scheduled Event" of ``aws.events``
with the rule's ARN as its one resource and an empty detail.

PutEvents checks each entry on its own: a bad entry gets an ``ErrorCode`` and
``ErrorMessage`` in its place of the answer and the others go on; only the size of the
whole request (1 MB, counted as AWS counts it) refuses the call. AWS raised the limit
from 256 KB to 1 MB on 29 January 2026 ("More room to build: serverless services now
support payloads up to 1 MB", AWS Compute Blog); botocore's PutEvents documentation says
"the total entry size must be less than 1MB".
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import orjson

MAX_REQUEST_BYTES = 1024 * 1024
#: AWS counts a Time as 14 bytes, whatever its text.
_TIME_BYTES = 14


@dataclass(frozen=True, slots=True)
class EntryError:
    code: str
    message: str


def entries_size(entries: list[dict[str, Any]]) -> int:
    """A request's size as AWS computes it (eb-putevent-size)."""
    size = 0
    for entry in entries:
        if entry.get("Time") is not None:
            size += _TIME_BYTES
        for key in ("Source", "DetailType", "Detail"):
            value = entry.get(key)
            if isinstance(value, str):
                size += len(value.encode("utf-8"))
        for resource in entry.get("Resources") or []:
            if isinstance(resource, str):
                size += len(resource.encode("utf-8"))
    return size


def timestamp(moment: dt.datetime | float) -> str:
    if isinstance(moment, (int, float)):
        moment = dt.datetime.fromtimestamp(moment, dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_entry(entry: dict[str, Any]) -> EntryError | dict[str, Any]:
    """The parsed detail of a valid entry, or why it is refused."""
    for key in ("Source", "DetailType", "Detail"):
        if not entry.get(key):
            return EntryError(
                "InvalidArgument",
                f"Parameter {key} is not valid. Reason: {key} is a required argument.",
            )
    try:
        detail = orjson.loads(entry["Detail"])
    except orjson.JSONDecodeError:
        return EntryError("MalformedDetail", "Detail is malformed.")
    if not isinstance(detail, dict):
        return EntryError("MalformedDetail", "Detail is malformed.")
    return detail


def make_event(
    entry: dict[str, Any], detail: dict[str, Any], account: str, region: str, now: float
) -> dict[str, Any]:
    when = entry.get("Time")
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": entry["DetailType"],
        "source": entry["Source"],
        "account": account,
        "time": timestamp(when if isinstance(when, dt.datetime) else now),
        "region": region,
        "resources": list(entry.get("Resources") or []),
        "detail": detail,
    }


def scheduled_event(rule_arn: str, account: str, region: str, when: float) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account,
        "time": timestamp(when),
        "region": region,
        "resources": [rule_arn],
        "detail": {},
    }
