"""Whether an execution may be redriven, and why not, in Step Functions' words.

One rule serves RedriveExecution (ExecutionNotRedrivable's message) and DescribeExecution
(``redriveStatus`` / ``redriveStatusReason``), so what the latter shows is what the former
does. The conditions and reasons are those of the RedriveExecution API reference and of
``redriveStatusReason`` in DescribeExecution's: not SUCCEEDED, not RUNNING, ended less
than 14 days ago, open for less than a year, history under the 25,000-event quota.
Redriving runs the execution's own definition (the one it started with), so updating the
machine since does not stop a redrive, as AWS documents ("Redriven executions use the same
state machine definition and execution ARN as the original execution attempt").
"""

from __future__ import annotations

from typing import Any

from stratus.workflows.limits import MAX_HISTORY_EVENTS

#: An execution may be redriven for 14 days after it ended ...
REDRIVABLE_PERIOD_MS = 14 * 24 * 3600 * 1000
#: ... and while it has been open for less than a year (the execution-time quota).
MAX_OPEN_MS = 365 * 24 * 3600 * 1000

RUNNING = "Execution is RUNNING and cannot be redriven"
SUCCEEDED = "Execution is SUCCEEDED and cannot be redriven"
BEFORE_LAUNCH = "Execution was started before the launch of RedriveExecution"
HISTORY_LIMIT = "Execution history event limit exceeded"
MAX_TIME = "Execution has exceeded the max execution time"
PERIOD = "Execution redrivable period exceeded"
EXPRESS = "Executions of EXPRESS state machines cannot be redriven"


def not_redrivable(
    record: dict[str, Any], *, now_ms: int, has_state: bool, next_event_id: int = 0
) -> str | None:
    """Why a STANDARD execution cannot be redriven now, or None if it can.

    ``has_state``: the interpreter's state was kept when it ended (executions that ended
    before Stratus kept it cannot continue: AWS's "started before the launch" case)."""
    status = record["status"]
    if record.get("type") == "EXPRESS":
        return EXPRESS
    if status == "RUNNING":
        return RUNNING
    if status == "SUCCEEDED":
        return SUCCEEDED
    if not has_state:
        return BEFORE_LAUNCH
    if next_event_id >= MAX_HISTORY_EVENTS:
        return HISTORY_LIMIT
    stop_ms = record.get("stop_ms") or now_ms
    if now_ms - int(record["start_ms"]) > MAX_OPEN_MS:
        return MAX_TIME
    if now_ms - int(stop_ms) > REDRIVABLE_PERIOD_MS:
        return PERIOD
    return None
