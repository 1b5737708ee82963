"""Applying the SDK's operation updates to the log: one function per operation type.

Pure over the execution record: each update changes ``execution.operations`` and
returns the history events it makes (without ids; the service numbers them) and what
the service must start (a chained invoke). Service-side transitions (a timer elapsed, a
callback answered, a chained invoke finished) live here too, so every status change of
an operation is written in one module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stratus.services.durable.model import Event, Execution, Operation, callback_id

STARTED, PENDING, READY = "STARTED", "PENDING", "READY"
OP_SUCCEEDED, OP_FAILED, CANCELLED, OP_TIMED_OUT, OP_STOPPED = (
    "SUCCEEDED",
    "FAILED",
    "CANCELLED",
    "TIMED_OUT",
    "STOPPED",
)
CLOSED = frozenset({OP_SUCCEEDED, OP_FAILED, CANCELLED, OP_TIMED_OUT, OP_STOPPED})


@dataclass(slots=True)
class Applied:
    """What a batch of updates did."""

    events: list[Event] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # operation ids, in order
    invokes: list[str] = field(default_factory=list)  # CHAINED_INVOKE ids to start
    terminal: str | None = None  # SUCCEEDED/FAILED when the EXECUTION update ended it

    def touch(self, op_id: str) -> None:
        if op_id not in self.changed:
            self.changed.append(op_id)


def event(op: Operation | None, kind: str, at: float, details: dict[str, Any] | None) -> Event:
    """A history event about ``op`` (None: about the execution or an invocation)."""
    result: Event = {"EventType": kind, "EventTimestamp": at}
    if op is not None:
        result["Id"] = op["Id"]
        for member in ("Name", "SubType", "ParentId"):
            if op.get(member):
                result[member] = op[member]
    result[f"{kind}Details"] = details or {}
    return result


def payload(value: str | None) -> dict[str, Any]:
    return {"Payload": value if value is not None else "", "Truncated": False}


def error_payload(error: dict[str, Any] | None) -> dict[str, Any]:
    return {"Payload": dict(error or {}), "Truncated": False}


def apply_updates(execution: Execution, updates: list[dict[str, Any]], at: float) -> Applied:
    """Apply a batch the service has validated (``DurableService._validate``)."""
    applied = Applied()
    for update in updates:
        _HANDLERS[update["Type"]](execution, update, at, applied)
    return applied


@dataclass(frozen=True, slots=True)
class PayloadLimits:
    payload_bytes: int = 256 * 1024


ACTIONS = {
    "EXECUTION": {"SUCCEED", "FAIL"},
    "CONTEXT": {"START", "SUCCEED", "FAIL"},
    "STEP": {"START", "SUCCEED", "FAIL", "RETRY"},
    "WAIT": {"START", "CANCEL"},
    "CALLBACK": {"START", "CANCEL"},
    "CHAINED_INVOKE": {"START", "CANCEL"},
}


def _new(execution: Execution, update: dict[str, Any], at: float) -> Operation:
    op = execution.operations.get(update["Id"])
    if op is None:
        # ``_seq``: the start order, which the store keeps the log in.
        op = {
            "Id": update["Id"],
            "Type": update["Type"],
            "StartTimestamp": at,
            "_seq": len(execution.operations),
        }
        for member in ("ParentId", "Name", "SubType"):
            if update.get(member):
                op[member] = update[member]
        execution.operations[update["Id"]] = op
    return op


def _close(op: Operation, status: str, at: float) -> None:
    op["Status"] = status
    op["EndTimestamp"] = at


# -- EXECUTION -----------------------------------------------------------------------
def _execution(execution: Execution, update: dict[str, Any], at: float, out: Applied) -> None:
    if update["Action"] == "SUCCEED":
        execution.result = update.get("Payload") or ""
        out.terminal = "SUCCEEDED"
    else:
        execution.error = dict(update.get("Error") or {})
        out.terminal = "FAILED"


# -- CONTEXT -------------------------------------------------------------------------
def _context(execution: Execution, update: dict[str, Any], at: float, out: Applied) -> None:
    action = update["Action"]
    fresh = update["Id"] not in execution.operations
    op = _new(execution, update, at)
    details = op.setdefault("ContextDetails", {})
    if action == "START":
        op["Status"] = STARTED
        out.events.append(event(op, "ContextStarted", at, {}))
    else:
        if fresh:
            out.events.append(event(op, "ContextStarted", at, {}))
        if update.get("ContextOptions", {}).get("ReplayChildren"):
            details["ReplayChildren"] = True
        if action == "SUCCEED":
            details["Result"] = update.get("Payload")
            _close(op, OP_SUCCEEDED, at)
            out.events.append(
                event(op, "ContextSucceeded", at, {"Result": payload(update.get("Payload"))})
            )
        else:
            details["Error"] = dict(update.get("Error") or {})
            _close(op, OP_FAILED, at)
            out.events.append(
                event(op, "ContextFailed", at, {"Error": error_payload(update.get("Error"))})
            )
    out.touch(op["Id"])


# -- STEP ----------------------------------------------------------------------------
def _step(execution: Execution, update: dict[str, Any], at: float, out: Applied) -> None:
    action = update["Action"]
    op = _new(execution, update, at)
    details = op.setdefault("StepDetails", {"Attempt": 0})
    attempt = int(details.get("Attempt", 0))
    if action == "START":
        op["Status"] = STARTED
        details.pop("NextAttemptTimestamp", None)
        out.events.append(event(op, "StepStarted", at, {}))
    elif action == "SUCCEED":
        details["Result"] = update.get("Payload")
        details.pop("Error", None)
        details.pop("NextAttemptTimestamp", None)
        _close(op, OP_SUCCEEDED, at)
        out.events.append(
            event(
                op,
                "StepSucceeded",
                at,
                {
                    "Result": payload(update.get("Payload")),
                    "RetryDetails": {"CurrentAttempt": attempt + 1},
                },
            )
        )
    elif action == "FAIL":
        details["Error"] = dict(update.get("Error") or {})
        details.pop("NextAttemptTimestamp", None)
        _close(op, OP_FAILED, at)
        out.events.append(
            event(
                op,
                "StepFailed",
                at,
                {
                    "Error": error_payload(update.get("Error")),
                    "RetryDetails": {"CurrentAttempt": attempt + 1},
                },
            )
        )
    else:  # RETRY: the attempt failed (or a condition was not met); another is due later
        delay = int((update.get("StepOptions") or {}).get("NextAttemptDelaySeconds") or 0)
        details["Attempt"] = attempt + 1
        details["NextAttemptTimestamp"] = at + delay
        if update.get("Error") is not None:
            details["Error"] = dict(update["Error"])
        if update.get("Payload") is not None:
            details["Result"] = update["Payload"]
        op["Status"] = PENDING
        retry = {"CurrentAttempt": attempt + 1, "NextAttemptDelaySeconds": delay}
        if update.get("Error") is not None:
            out.events.append(
                event(
                    op,
                    "StepFailed",
                    at,
                    {"Error": error_payload(update.get("Error")), "RetryDetails": retry},
                )
            )
        else:
            out.events.append(
                event(
                    op,
                    "StepSucceeded",
                    at,
                    {"Result": payload(update.get("Payload")), "RetryDetails": retry},
                )
            )
    out.touch(op["Id"])


# -- WAIT ----------------------------------------------------------------------------
def _wait(execution: Execution, update: dict[str, Any], at: float, out: Applied) -> None:
    op = _new(execution, update, at)
    if update["Action"] == "START":
        seconds = int((update.get("WaitOptions") or {}).get("WaitSeconds") or 1)
        op["Status"] = STARTED
        op["WaitDetails"] = {"ScheduledEndTimestamp": at + seconds}
        op["_duration"] = seconds
        out.events.append(
            event(
                op, "WaitStarted", at, {"Duration": seconds, "ScheduledEndTimestamp": at + seconds}
            )
        )
    else:
        _close(op, CANCELLED, at)
        out.events.append(event(op, "WaitCancelled", at, {}))
    out.touch(op["Id"])


def wait_elapsed(op: Operation, at: float) -> Event:
    _close(op, OP_SUCCEEDED, at)
    return event(op, "WaitSucceeded", at, {"Duration": op.get("_duration", 0)})


# -- CALLBACK ------------------------------------------------------------------------
def _callback(execution: Execution, update: dict[str, Any], at: float, out: Applied) -> None:
    op = _new(execution, update, at)
    if update["Action"] == "START":
        options = update.get("CallbackOptions") or {}
        timeout = int(options.get("TimeoutSeconds") or 0)
        heartbeat = int(options.get("HeartbeatTimeoutSeconds") or 0)
        op["Status"] = STARTED
        op["CallbackDetails"] = {"CallbackId": callback_id(execution.arn, op["Id"])}
        op["_timeout_at"] = at + timeout if timeout else None
        op["_heartbeat_s"] = heartbeat
        op["_heartbeat_at"] = at + heartbeat if heartbeat else None
        details: dict[str, Any] = {"CallbackId": op["CallbackDetails"]["CallbackId"]}
        if heartbeat:
            details["HeartbeatTimeout"] = heartbeat
        if timeout:
            details["Timeout"] = timeout
        out.events.append(event(op, "CallbackStarted", at, details))
    else:
        _close(op, CANCELLED, at)
    out.touch(op["Id"])


def callback_succeeded(op: Operation, result: str, at: float) -> Event:
    op["CallbackDetails"]["Result"] = result
    _close(op, OP_SUCCEEDED, at)
    return event(op, "CallbackSucceeded", at, {"Result": payload(result)})


def callback_failed(op: Operation, error: dict[str, Any], at: float) -> Event:
    op["CallbackDetails"]["Error"] = error
    _close(op, OP_FAILED, at)
    return event(op, "CallbackFailed", at, {"Error": error_payload(error)})


def callback_timed_out(op: Operation, heartbeat: bool, at: float) -> Event:
    error = {
        "ErrorType": "Callback.Heartbeat" if heartbeat else "Callback.Timeout",
        "ErrorMessage": "Callback timed out on heartbeat" if heartbeat else "Callback timed out",
    }
    op["CallbackDetails"]["Error"] = error
    _close(op, OP_TIMED_OUT, at)
    return event(op, "CallbackTimedOut", at, {"Error": error_payload(error)})


# -- CHAINED_INVOKE ------------------------------------------------------------------
def _chained_invoke(execution: Execution, update: dict[str, Any], at: float, out: Applied) -> None:
    op = _new(execution, update, at)
    if update["Action"] == "START":
        options = update.get("ChainedInvokeOptions") or {}
        op["Status"] = STARTED
        op["ChainedInvokeDetails"] = {}
        op["_target"] = options["FunctionName"]
        op["_tenant"] = options.get("TenantId")
        op["_input"] = update.get("Payload")
        out.invokes.append(op["Id"])
        # The started event is written once the target is resolved (its version, its
        # execution ARN): see ``invoke_started``.
    else:
        _close(op, OP_STOPPED, at)
        out.events.append(event(op, "ChainedInvokeStopped", at, {"Error": error_payload({})}))
    out.touch(op["Id"])


def invoke_started(
    op: Operation, at: float, executed_version: str | None, target_arn: str | None
) -> Event:
    details: dict[str, Any] = {
        "FunctionName": op["_target"],
        "Input": payload(op.get("_input")),
    }
    if op.get("_tenant"):
        details["TenantId"] = op["_tenant"]
    if executed_version:
        details["ExecutedVersion"] = executed_version
    if target_arn:
        details["DurableExecutionArn"] = target_arn
    return event(op, "ChainedInvokeStarted", at, details)


def invoke_finished(
    op: Operation, result: str | None, error: dict[str, Any] | None, status: str, at: float
) -> Event:
    if status == OP_SUCCEEDED:
        op["ChainedInvokeDetails"]["Result"] = result
        _close(op, OP_SUCCEEDED, at)
        return event(op, "ChainedInvokeSucceeded", at, {"Result": payload(result)})
    op["ChainedInvokeDetails"]["Error"] = dict(error or {})
    _close(op, status, at)
    kind = {
        OP_TIMED_OUT: "ChainedInvokeTimedOut",
        OP_STOPPED: "ChainedInvokeStopped",
    }.get(status, "ChainedInvokeFailed")
    return event(op, kind, at, {"Error": error_payload(error)})


_HANDLERS = {
    "EXECUTION": _execution,
    "CONTEXT": _context,
    "STEP": _step,
    "WAIT": _wait,
    "CALLBACK": _callback,
    "CHAINED_INVOKE": _chained_invoke,
}


def public(op: Operation) -> Operation:
    """The operation as the API shows it: our bookkeeping keys start with ``_``."""
    return {k: v for k, v in op.items() if not k.startswith("_")}


def due_at(op: Operation) -> float | None:
    """When the service must act on ``op`` next (a timer), if ever."""
    status = op.get("Status")
    if op["Type"] == "WAIT" and status == STARTED:
        return float(op["WaitDetails"]["ScheduledEndTimestamp"])
    if op["Type"] == "STEP" and status == PENDING:
        return float(op["StepDetails"]["NextAttemptTimestamp"])
    if op["Type"] == "CALLBACK" and status == STARTED:
        times = [t for t in (op.get("_timeout_at"), op.get("_heartbeat_at")) if t]
        return float(min(times)) if times else None
    return None


def replayed(operations: dict[str, Operation]) -> list[Operation]:
    """The operations a replay needs, in start order: a completed context's children
    are left out unless it asked for them (``ReplayChildren``), as Lambda's
    GetDurableExecutionState does."""
    hidden: dict[str, bool] = {}

    def is_hidden(op_id: str | None) -> bool:
        if op_id is None or op_id not in operations:
            return False
        if op_id not in hidden:
            parent = operations[op_id]
            closed_context = (
                parent["Type"] == "CONTEXT"
                and parent.get("Status") in CLOSED
                and not (parent.get("ContextDetails") or {}).get("ReplayChildren")
            )
            hidden[op_id] = closed_context or is_hidden(parent.get("ParentId"))
        return hidden[op_id]

    return [op for op in operations.values() if not is_hidden(op.get("ParentId"))]
