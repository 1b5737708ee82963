"""``stratus workflows``: state machines with their executions by status, and
``stratus workflows show EXECUTION``: the path an execution took, state by state."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from stratus.cli.client import CliError, aws_call, aws_client

STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


def _all(call: Any, key: str, **kwargs: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = call(**kwargs)
        items.extend(page.get(key, []))
        if not page.get("nextToken"):
            return items
        kwargs["nextToken"] = page["nextToken"]


def list_workflows(endpoint: str) -> int:
    client = aws_client("stepfunctions", endpoint)
    machines = aws_call(endpoint, lambda: _all(client.list_state_machines, "stateMachines"))
    if not machines:
        print("no state machines")
        return 0
    rows = [("NAME", "TYPE", *STATUSES)]
    for machine in machines:
        counts: Counter[str] = Counter()
        if machine["type"] == "STANDARD":
            executions = aws_call(
                endpoint,
                lambda m=machine: _all(
                    client.list_executions, "executions", stateMachineArn=m["stateMachineArn"]
                ),
            )
            counts.update(e["status"] for e in executions)
        rows.append(
            (
                machine["name"],
                machine["type"],
                *(str(counts[s]) if machine["type"] == "STANDARD" else "-" for s in STATUSES),
            )
        )
    _table(rows)
    return 0


def show_execution(endpoint: str, execution: str) -> int:
    client = aws_client("stepfunctions", endpoint)
    if not execution.startswith("arn:"):
        raise CliError("give the execution's ARN (arn:aws:states:...:execution:MACHINE:NAME)")
    description = aws_call(endpoint, lambda: client.describe_execution(executionArn=execution))
    events = aws_call(
        endpoint, lambda: _all(client.get_execution_history, "events", executionArn=execution)
    )
    print(f"{description['name']}  {description['status']}  ({description['stateMachineArn']})")
    entered: dict[str, tuple[datetime, str]] = {}
    details: dict[str, Any]
    for event in events:
        kind = event["type"]
        if kind.endswith("StateEntered"):
            details = event["stateEnteredEventDetails"]
            entered[details["name"]] = (event["timestamp"], details.get("input", ""))
        elif kind.endswith("StateExited"):
            details = event["stateExitedEventDetails"]
            start, state_input = entered.pop(details["name"], (event["timestamp"], ""))
            took = (event["timestamp"] - start).total_seconds() * 1000
            print(f"  {details['name']}  ({kind[: -len('StateExited')]}, {took:.0f} ms)")
            print(f"      input:  {_short(state_input)}")
            print(f"      output: {_short(details.get('output', ''))}")
        elif kind.endswith("Failed") or kind.endswith("TimedOut") or kind == "ExecutionAborted":
            details = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
            print(f"  ! {kind}: {details.get('error', '')} {_short(details.get('cause', ''))}")
    for name, (_, state_input) in entered.items():
        print(f"  {name}  (running)")
        print(f"      input:  {_short(state_input)}")
    if description["status"] == "SUCCEEDED":
        print(f"output: {_short(description.get('output', ''))}")
    elif description.get("error"):
        print(f"error: {description['error']}: {_short(description.get('cause', ''))}")
    return 0


def _short(text: str, limit: int = 200) -> str:
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
