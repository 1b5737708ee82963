"""Execution records in the shapes of the Step Functions API (DescribeExecution ...).

Shared by the API adapter and the ``states:startExecution.sync`` integration, which
returns DescribeExecution's output as its result.
"""

from __future__ import annotations

import json
import time
from typing import Any

from stratus.workflows.service.redrive import not_redrivable


def describe_execution(record: dict[str, Any], *, include_data: bool = True) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "executionArn": record["arn"],
        "stateMachineArn": record["machine_arn"],
        "name": record["name"],
        "status": record["status"],
        "startDate": record["start_ms"] / 1000,
    }
    if include_data:
        shape["input"] = record["input"]
        shape["inputDetails"] = {"included": True}
    if record.get("stop_ms") is not None and record["status"] != "RUNNING":
        shape["stopDate"] = record["stop_ms"] / 1000
    if record["status"] == "SUCCEEDED" and include_data:
        shape["output"] = _json_text(record.get("output"))
        shape["outputDetails"] = {"included": True}
    if record.get("error") is not None:
        shape["error"] = record["error"]
    if record.get("cause") is not None:
        shape["cause"] = record["cause"]
    if record.get("trace_header"):
        shape["traceHeader"] = record["trace_header"]
    _started_through(record, shape)
    if record["type"] == "STANDARD":
        shape["redriveCount"] = int(record.get("redrive_count") or 0)
        if record.get("redrive_ms") is not None:
            shape["redriveDate"] = record["redrive_ms"] / 1000
        reason = redrive_reason(record)
        shape["redriveStatus"] = "NOT_REDRIVABLE" if reason else "REDRIVABLE"
        if reason and record["status"] != "RUNNING":
            shape["redriveStatusReason"] = reason
    return shape


def redrive_reason(record: dict[str, Any]) -> str | None:
    """Why the execution cannot be redriven now (None: it can)."""
    return not_redrivable(
        record,
        now_ms=time.time_ns() // 1_000_000,
        has_state=bool(record.get("state_kept")),
        next_event_id=int(record.get("events") or 0) + 1,
    )


def _started_through(record: dict[str, Any], shape: dict[str, Any]) -> None:
    """The version, and the alias, an execution was started through (absent when it
    was started on the machine itself)."""
    if record.get("version_arn"):
        shape["stateMachineVersionArn"] = record["version_arn"]
    if record.get("alias_arn"):
        shape["stateMachineAliasArn"] = record["alias_arn"]


def list_item(record: dict[str, Any]) -> dict[str, Any]:
    item = {
        "executionArn": record["arn"],
        "stateMachineArn": record["machine_arn"],
        "name": record["name"],
        "status": record["status"],
        "startDate": record["start_ms"] / 1000,
    }
    if record.get("stop_ms") is not None and record["status"] != "RUNNING":
        item["stopDate"] = record["stop_ms"] / 1000
    _started_through(record, item)
    if record["type"] == "STANDARD":
        item["redriveCount"] = int(record.get("redrive_count") or 0)
        if record.get("redrive_ms") is not None:
            item["redriveDate"] = record["redrive_ms"] / 1000
    return item


def _json_text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
