"""``stratus durable [FUNCTION]``: durable executions with their status and age, and
``stratus durable show ARN``: one execution as a timeline of its operations (nested by
parent context), its invocations and its end."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from stratus.cli.client import CliError, aws_call, lambda_client


def _pages(call: Any, key: str, **kwargs: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = call(**kwargs)
        items.extend(page.get(key, []))
        marker = page.get("NextMarker")
        if not marker:
            return items
        kwargs["Marker"] = marker


def list_executions(endpoint: str, function: str | None) -> int:
    client = lambda_client(endpoint)
    if function is None:
        functions = aws_call(endpoint, lambda: _pages(client.list_functions, "Functions"))
        names = [f["FunctionName"] for f in functions if f.get("DurableConfig")]
    else:
        names = [function]
    rows = [("FUNCTION", "NAME", "STATUS", "STARTED", "TOOK", "ARN")]
    for name in names:
        executions = aws_call(
            endpoint,
            lambda n=name: _pages(
                client.list_durable_executions_by_function, "DurableExecutions", FunctionName=n
            ),
        )
        for execution in executions:
            started: datetime = execution["StartTimestamp"]
            ended: datetime | None = execution.get("EndTimestamp")
            took = f"{(ended - started).total_seconds():.1f}s" if ended else "-"
            rows.append(
                (
                    name,
                    execution["DurableExecutionName"],
                    execution["Status"],
                    started.strftime("%Y-%m-%d %H:%M:%S"),
                    took,
                    execution["DurableExecutionArn"],
                )
            )
    if len(rows) == 1:
        print("no durable executions")
        return 0
    _table(rows)
    return 0


def show_execution(endpoint: str, arn: str) -> int:
    if "/durable-execution/" not in arn:
        raise CliError("give the execution's ARN (...:function:NAME:VERSION/durable-execution/...)")
    client = lambda_client(endpoint)
    execution = aws_call(endpoint, lambda: client.get_durable_execution(DurableExecutionArn=arn))
    events = aws_call(
        endpoint,
        lambda: _pages(client.get_durable_execution_history, "Events", DurableExecutionArn=arn),
    )
    for line in timeline(execution, events):
        print(line)
    return 0


def timeline(execution: dict[str, Any], events: list[dict[str, Any]]) -> list[str]:
    """The execution as lines: one per operation (when it started, what it is, how it
    ended and how long it took), one per invocation, then the result or the error."""
    start: datetime = execution["StartTimestamp"]
    lines = [
        f"{execution['DurableExecutionName']}  {execution['Status']}  ({execution['FunctionArn']})"
    ]
    depth: dict[str, int] = {}
    first: dict[str, int] = {}
    rows: list[list[str]] = []
    invocation = 0
    for event in events:
        kind = event["EventType"]
        at = f"+{(event['EventTimestamp'] - start).total_seconds():7.3f}s"
        op_id = event.get("Id")
        if kind == "InvocationCompleted":
            invocation += 1
            details = event.get("InvocationCompletedDetails", {})
            error = (details.get("Error") or {}).get("Payload")
            note = f"  ! {error.get('ErrorType', '')}" if error else ""
            rows.append([f"{at}  -- invocation {invocation} ended{note}"])
            continue
        if kind.startswith("Execution") or op_id is None:
            continue
        if op_id not in first:
            depth[op_id] = depth.get(event.get("ParentId") or "", -1) + 1
            first[op_id] = len(rows)
            label = event.get("SubType") or kind
            name = f" {event['Name']}" if event.get("Name") else ""
            rows.append([f"{at}  {'  ' * depth[op_id]}{label}{name}", "", ""])
        row = rows[first[op_id]]
        status = _status(kind)
        if status:
            row[1] = status
            row[2] = _detail(event)
    for row in rows:
        lines.append("  ".join(part for part in row if part))
    if execution["Status"] == "SUCCEEDED":
        lines.append(f"result: {_short(execution.get('Result', ''))}")
    elif execution.get("Error"):
        error = execution["Error"]
        lines.append(f"error: {error.get('ErrorType', '')}: {error.get('ErrorMessage', '')}")
    return lines


_ENDINGS = ("Started", "Succeeded", "Failed", "TimedOut", "Cancelled", "Stopped")


def _status(kind: str) -> str:
    for ending in _ENDINGS:
        if kind.endswith(ending):
            return ending.lower()
    return ""


def _detail(event: dict[str, Any]) -> str:
    details: dict[str, Any] = next((v for k, v in event.items() if k.endswith("Details")), {}) or {}
    if "Duration" in details:
        return f"({details['Duration']}s)"
    if "RetryDetails" in details and "NextAttemptDelaySeconds" in details["RetryDetails"]:
        retry = details["RetryDetails"]
        return f"attempt {retry['CurrentAttempt']}, retry in {retry['NextAttemptDelaySeconds']}s"
    if "Error" in details:
        payload = details["Error"].get("Payload") or {}
        return f"{payload.get('ErrorType', '')}: {_short(payload.get('ErrorMessage', ''))}"
    if "Result" in details:
        return _short(details["Result"].get("Payload", ""))
    return ""


def _short(text: str, limit: int = 80) -> str:
    try:
        text = json.dumps(json.loads(text), separators=(",", ":"))
    except (ValueError, TypeError):
        pass
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _table(rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
