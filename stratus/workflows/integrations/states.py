"""``arn:aws:states:::states:startExecution`` with every pattern: start a child workflow.

"Start a new AWS Step Functions state machine execution" (developer guide):

- request-response answers StartExecution's result (``ExecutionArn``, ``StartDate``) with
  the SDK metadata, as the optimized integrations do;
- ``.sync`` waits for the child and answers DescribeExecution's result with ``Input`` and
  ``Output`` as JSON text, ``.sync:2`` the same with both parsed; a child that did not
  succeed fails the task with ``States.TaskFailed`` and that result (with its ``Error``
  and ``Cause``) as JSON text for the cause;
- ``.waitForTaskToken`` starts the child and waits for SendTaskSuccess/SendTaskFailure.

An integration may run again after a crash, so a child without a ``Name`` gets one derived
from the task token: the second start finds the first child instead of starting another
(StartExecution is idempotent for the same name and input).
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson

from stratus.workflows.errors import StatesError
from stratus.workflows.integrations.arns import (
    SYNC,
    SYNC2,
    WAIT_FOR_TASK_TOKEN,
    parse_service_resource,
)
from stratus.workflows.integrations.base import AWAIT_CALLBACK, ExecutionStarter, TaskRequest
from stratus.workflows.integrations.metadata import epoch_millis, http_date, sdk_metadata

__all__ = ["StartExecutionIntegration", "child_name", "is_start_execution"]

#: Names derived from task tokens live in their own UUID namespace.
_NAMESPACE = uuid.UUID("8f3c2d4e-5a6b-4c7d-9e8f-0a1b2c3d4e5f")
_PATTERNS = ("", SYNC, SYNC2, WAIT_FOR_TASK_TOKEN)
_DATES = ("StartDate", "StopDate")


def is_start_execution(resource: str) -> bool:
    """``arn:aws:states:::states:startExecution`` with any supported pattern."""
    parsed = parse_service_resource(resource)
    return (
        parsed is not None
        and parsed.service == "states"
        and parsed.action == "startExecution"
        and parsed.pattern in _PATTERNS
    )


def child_name(task_token: str) -> str:
    """The execution name a child gets when the state gives none (stable per task)."""
    return str(uuid.uuid5(_NAMESPACE, task_token))


class StartExecutionIntegration:
    """Starts child executions through the Step Functions service's ExecutionStarter."""

    def __init__(self, starter: ExecutionStarter) -> None:
        self._starter = starter

    async def __call__(self, request: TaskRequest) -> Any:
        parsed = parse_service_resource(request.resource)
        pattern = parsed.pattern if parsed is not None else ""
        params = request.input if isinstance(request.input, dict) else {}
        machine = params.get("StateMachineArn")
        if not isinstance(machine, str):
            raise _parameter_error(request, "The field 'StateMachineArn' is required")
        name = params.get("Name")
        if name is not None and not isinstance(name, str):
            raise _parameter_error(request, "The value for the field 'Name' must be a STRING")
        child_input = _child_input(request, params.get("Input"))
        started = await self._starter.start_child(
            machine, child_input, name or child_name(request.task_token), request.execution_arn
        )
        started = _pascal(started)
        if pattern == WAIT_FOR_TASK_TOKEN:
            return AWAIT_CALLBACK
        if pattern in (SYNC, SYNC2):
            finished = _pascal(await self._starter.wait_finished(started["ExecutionArn"]))
            return _sync_result(finished, parse_json=pattern == SYNC2)
        return _start_result(started)


def _child_input(request: TaskRequest, value: Any) -> Any:
    """The child's input: a JSON text is parsed (StartExecution takes text), nothing is
    ``{}``, any other value is used as it is."""
    if value is None:
        return {}
    if isinstance(value, str):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            raise StatesError(
                "StepFunctions.InvalidExecutionInputException",
                f"Invalid State Machine Execution Input: '{value}' "
                "(Service: AWSStepFunctions; Status Code: 400; Error Code: "
                f"InvalidExecutionInput; Request ID: {uuid.uuid4()}; Proxy: null)",
            ) from None
    return value


def _parameter_error(request: TaskRequest, problem: str) -> StatesError:
    parameters = orjson.dumps(request.input).decode()
    return StatesError(
        "States.Runtime",
        f"An error occurred while executing the state '{request.state_name}'. "
        f"The Parameters '{parameters}' could not be used to start the Task: [{problem}]",
    )


def _pascal(value: Any) -> Any:
    """The SDK result's member names in PascalCase (the API's model writes camelCase)."""
    if isinstance(value, dict):
        return {key[:1].upper() + key[1:]: _pascal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_pascal(item) for item in value]
    return value


def _start_result(started: dict[str, Any]) -> dict[str, Any]:
    request_id = str(uuid.uuid4())
    start_date = epoch_millis(started.get("StartDate"))
    body = orjson.dumps(
        {"executionArn": started["ExecutionArn"], "startDate": start_date / 1000}
        if isinstance(start_date, int)
        else {"executionArn": started["ExecutionArn"]}
    )
    headers = [
        ("x-amzn-RequestId", request_id),
        ("connection", "keep-alive"),
        ("Content-Length", str(len(body))),
        ("Date", http_date()),
        ("Content-Type", "application/x-amz-json-1.0"),
    ]
    return {
        "ExecutionArn": started["ExecutionArn"],
        **sdk_metadata(200, headers, request_id),
        "StartDate": start_date,
    }


def _sync_result(described: dict[str, Any], *, parse_json: bool) -> dict[str, Any]:
    """DescribeExecution's result as ``.sync``/``.sync:2`` return it (or fail with it)."""
    result: dict[str, Any] = {}
    for key in sorted(described):
        value = described[key]
        if key in _DATES:
            value = epoch_millis(value)
        elif key in ("Input", "Output"):
            value = _as_json(value, parse=parse_json)
        result[key] = value
    if result.get("Status") != "SUCCEEDED":
        raise StatesError("States.TaskFailed", orjson.dumps(result).decode())
    return result


def _as_json(value: Any, *, parse: bool) -> Any:
    """``Input``/``Output`` as text (``.sync``) or parsed (``.sync:2``), whatever the
    starter handed over."""
    if isinstance(value, str | bytes):
        if not parse:
            return value if isinstance(value, str) else value.decode()
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value if parse else orjson.dumps(value).decode()
