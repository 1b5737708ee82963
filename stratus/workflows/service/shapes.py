"""Execution records in the shapes of the Step Functions API (DescribeExecution ...).

Shared by the API adapter and the ``states:startExecution.sync`` integration, which
returns DescribeExecution's output as its result.
"""

from __future__ import annotations

import json
import time
from typing import Any

from stratus.store.records import Record
from stratus.workflows.interpreter.map_runs import machine_of
from stratus.workflows.service.redrive import not_redrivable
from stratus.workflows.service.repository import StoredChild, StoredMapRun


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


# -- Map Runs and their child executions ---------------------------------------------


def describe_map_run(run: StoredMapRun, items: Record, executions: Record) -> Record:
    """DescribeMapRun: no stopDate while the run is RUNNING (as AWS answers)."""
    record = run.record
    shape: Record = {
        "mapRunArn": run.arn,
        "executionArn": run.execution_arn,
        "status": run.status,
        "startDate": run.start_ms / 1000,
        "maxConcurrency": int(record.get("maxConcurrency") or 0),
        "toleratedFailurePercentage": float(record.get("toleratedFailurePercentage") or 0),
        "toleratedFailureCount": int(record.get("toleratedFailureCount") or 0),
        "itemCounts": items,
        "executionCounts": executions,
        "redriveCount": int(record.get("redriveCount") or 0),
    }
    if record.get("redriveMs") is not None:
        shape["redriveDate"] = record["redriveMs"] / 1000
    if run.status != "RUNNING" and record.get("stopMs") is not None:
        shape["stopDate"] = record["stopMs"] / 1000
    return shape


def map_run_list_item(run: StoredMapRun) -> Record:
    item: Record = {
        "executionArn": run.execution_arn,
        "mapRunArn": run.arn,
        "stateMachineArn": run.record["stateMachineArn"],
        "startDate": run.start_ms / 1000,
    }
    if run.status != "RUNNING" and run.record.get("stopMs") is not None:
        item["stopDate"] = run.record["stopMs"] / 1000
    return item


def child_list_item(child: StoredChild, run: StoredMapRun) -> Record:
    """ListExecutions with mapRunArn: the child, its run and how many items it took."""
    item: Record = {
        "executionArn": child.arn,
        "stateMachineArn": machine_of(run.arn),
        "name": child.record["name"],
        "status": child.status,
        "startDate": child.start_ms / 1000,
        "mapRunArn": run.arn,
        "itemCount": child.items,
    }
    if child.stop_ms is not None and child.status != "RUNNING":
        item["stopDate"] = child.stop_ms / 1000
    _child_redrives(child, item)
    return item


def _child_redrives(child: StoredChild, shape: Record) -> None:
    """A STANDARD child a Map Run's redrive ran again says how often, and when last."""
    if ":execution:" not in child.arn:
        return
    shape["redriveCount"] = int(child.record.get("redriveCount") or 0)
    if child.record.get("redriveMs") is not None:
        shape["redriveDate"] = child.record["redriveMs"] / 1000


def describe_child(child: StoredChild, run: StoredMapRun, *, include_data: bool = True) -> Record:
    """DescribeExecution of a Map Run's child execution (it names its ``mapRunArn``)."""
    record = child.record
    shape: Record = {
        "executionArn": child.arn,
        "stateMachineArn": machine_of(run.arn),
        "name": record["name"],
        "status": child.status,
        "startDate": child.start_ms / 1000,
        "mapRunArn": run.arn,
    }
    if include_data:
        shape["input"] = _json_text(record.get("input"))
        shape["inputDetails"] = {"included": True}
    if child.stop_ms is not None and child.status != "RUNNING":
        shape["stopDate"] = child.stop_ms / 1000
    if child.status == "SUCCEEDED" and include_data:
        shape["output"] = _json_text(record.get("output"))
        shape["outputDetails"] = {"included": True}
    if record.get("error") is not None:
        shape["error"] = record["error"]
    if record.get("cause") is not None:
        shape["cause"] = record["cause"]
    _child_redrives(child, shape)
    return shape
