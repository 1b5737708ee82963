"""What goes to a durable function and what comes back: the envelope's operations, the
function's output, its failures as errors, and what a synchronous Invoke answers."""

from __future__ import annotations

from typing import Any

import orjson

from stratus.services.durable import operations as ops
from stratus.services.durable.model import PAUSED, SUCCEEDED, Execution, Operation

MAX_INVOCATION_FAILURES = 6  # then the execution fails with the last invocation error
ENVELOPE_PAGE = 1000  # operations in the invocation envelope before NextMarker paging


def timeout_counts(execution: Execution) -> bool:
    """The execution timeout counts, unless paused with ``ExecutionTimeoutPaused``."""
    pause = execution.pause
    return execution.status != PAUSED or not (pause and pause.get("ExecutionTimeoutPaused"))


def envelope_op(op: Operation) -> Operation:
    """The SDK reads the envelope with ``from_json_dict``: timestamps in milliseconds."""
    out = ops.public(op)
    for member in ("StartTimestamp", "EndTimestamp"):
        if out.get(member) is not None:
            out[member] = int(out[member] * 1000)
    step = out.get("StepDetails")
    if step and step.get("NextAttemptTimestamp") is not None:
        out["StepDetails"] = {
            **step,
            "NextAttemptTimestamp": int(step["NextAttemptTimestamp"] * 1000),
        }
    wait = out.get("WaitDetails")
    if wait and wait.get("ScheduledEndTimestamp") is not None:
        out["WaitDetails"] = {
            **wait,
            "ScheduledEndTimestamp": int(wait["ScheduledEndTimestamp"] * 1000),
        }
    return out


def read_output(payload: bytes) -> dict[str, Any] | None:
    try:
        value = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(value, dict) or value.get("Status") not in ("SUCCEEDED", "FAILED", "PENDING"):
        return None
    return value


def invocation_error(payload: bytes, function_error: str | None) -> dict[str, Any]:
    try:
        value = orjson.loads(payload)
    except orjson.JSONDecodeError:
        value = None
    if isinstance(value, dict) and "errorMessage" in value:
        error: dict[str, Any] = {
            "ErrorType": str(value.get("errorType") or function_error or "Unhandled"),
            "ErrorMessage": str(value.get("errorMessage")),
        }
        if isinstance(value.get("stackTrace"), list):
            error["StackTrace"] = [str(line) for line in value["stackTrace"]]
        return error
    return {
        "ErrorType": function_error or "InvalidOutput",
        "ErrorMessage": "The durable function returned an invalid output"
        if function_error is None
        else f"The invocation failed: {function_error}",
    }


UNQUALIFIED = "You cannot invoke a durable function using an unqualified ARN."
SYNC_LIMIT_S = 900.0  # a synchronous invocation of a durable function waits 15 minutes


def invocation_answer(execution: Execution) -> tuple[bytes, str | None]:
    """What a synchronous Invoke answers once the execution ended (or the wait did): the
    result, or Lambda's error body with ``Unhandled``."""
    if execution.status == SUCCEEDED:
        return (execution.result or "").encode(), None
    if execution.terminal:
        error = execution.error or {}
        body = {
            "errorType": error.get("ErrorType") or execution.status,
            "errorMessage": error.get("ErrorMessage")
            or f"The durable execution ended with status {execution.status}",
        }
    else:
        body = {
            "errorType": "DurableExecutionStillRunning",
            "errorMessage": "The durable execution is still running: follow it with "
            "GetDurableExecution",
        }
    return orjson.dumps(body), "Unhandled"
