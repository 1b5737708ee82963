"""Execution records in the shapes of the Step Functions API (DescribeExecution ...).

Shared by the API adapter and the ``states:startExecution.sync`` integration, which
returns DescribeExecution's output as its result.
"""

from __future__ import annotations

import json
from typing import Any


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
    if record["type"] == "STANDARD":
        shape["redriveCount"] = 0
        shape["redriveStatus"] = "NOT_REDRIVABLE"
        if record["status"] != "RUNNING":
            shape["redriveStatusReason"] = (
                "Execution is SUCCEEDED and cannot be redriven"
                if record["status"] == "SUCCEEDED"
                else "Redrive is not supported by Stratus yet"
            )
    return shape


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
    if record["type"] == "STANDARD":
        item["redriveCount"] = 0
    return item


def _json_text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
