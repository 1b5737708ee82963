"""Task states: the RunTask command, its history events and how the answer is handled.

A Lambda function ARN records LambdaFunction* events; every other resource records Task*
events with the resourceType/resource pair AWS derives from the ARN. A result over the
payload quota becomes a catchable States.DataLimitExceeded, as AWS records it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stratus.workflows import tokens
from stratus.workflows.errors import StatesError
from stratus.workflows.interpreter import dataflow
from stratus.workflows.interpreter.history import payload, task_resource, to_json_text
from stratus.workflows.interpreter.messages import CancelTask, CancelTimer, RunTask
from stratus.workflows.interpreter.results import finish_with_result
from stratus.workflows.limits import MAX_PAYLOAD_BYTES
from stratus.workflows.states import State, TaskState

if TYPE_CHECKING:
    from stratus.workflows.interpreter.core import Run
    from stratus.workflows.interpreter.model import Scope


def act_task(run: Run, scope: Scope, state: TaskState) -> None:
    context = run.context(scope, state)
    token = run.token(scope, "task")
    if state.resource.endswith(".waitForTaskToken"):
        # Parameters may read $$.Task.Token, so it exists before the input is evaluated.
        context["Task"] = {"Token": tokens.encode(run.x.execution_arn, token)}
    variables = scope.variables
    if state.is_jsonata:
        states = dataflow.jsonata_states(scope.state_input, context)
        task_input = (
            dataflow.jsonata_value(state.arguments, "Arguments", states, variables)
            if state.has_arguments
            else scope.state_input
        )
        timeout = _jsonata_number(state.timeout_seconds, "TimeoutSeconds", states, variables)
        heartbeat = _jsonata_number(state.heartbeat_seconds, "HeartbeatSeconds", states, variables)
    else:
        task_input = dataflow.effective_input(state, scope.state_input, context, variables)
        timeout = _path_number(state.timeout_seconds, state.timeout_seconds_path, scope, context)
        heartbeat = _path_number(
            state.heartbeat_seconds, state.heartbeat_seconds_path, scope, context
        )
    if run.resources is not None:
        # A resource the integration cannot use now fails the state before it is
        # scheduled, as on AWS (no Activity/Task event; the location-prefixed cause).
        missing = run.resources.unavailable(state.resource, run.x.execution_arn)
        if missing is not None:
            raise StatesError("States.Runtime", missing)
    scope.phase = "task"
    scope.pending = token
    scope.effective_input = task_input
    run.wait_on(scope, token)
    run.commands.append(
        RunTask(
            token=token,
            resource=state.resource,
            input=task_input,
            state_name=state.name,
            context=context,
            timeout_seconds=timeout,
            heartbeat_seconds=heartbeat,
            credentials=state.credentials,
        )
    )
    _record_scheduled(run, scope, state, task_input, timeout, heartbeat)
    if timeout is not None:
        run.track_deadline(scope, f"{token}:deadline", run.at + float(timeout))
    if heartbeat is not None:
        scope.heartbeat = f"{token}:heartbeat"
        scope.heartbeat_seconds = float(heartbeat)
        run.start_timer(scope, scope.heartbeat, run.at + float(heartbeat))


def is_activity_state(state: State) -> bool:
    """Activity tasks record Activity* events instead of Task* ones."""
    kind = task_resource(state.resource) if isinstance(state, TaskState) else None
    return kind is not None and kind[0] == "activity"


def heartbeat_error(state: State) -> str:
    """The error a task past its HeartbeatSeconds fails with.

    Only an activity reports States.HeartbeatTimeout (ActivityTimedOut), as AWS documents
    it. Every other task (a ``.waitForTaskToken`` callback, a ``.sync`` job, Lambda)
    records TaskTimedOut with States.Timeout and no cause, as AWS-recorded executions of
    callback tasks whose heartbeat lapsed show (with or without TimeoutSeconds), so a
    ``States.Timeout`` catcher or retrier handles it.
    """
    return "States.HeartbeatTimeout" if is_activity_state(state) else "States.Timeout"


def _record_scheduled(
    run: Run,
    scope: Scope,
    state: TaskState,
    task_input: Any,
    timeout: float | None,
    heartbeat: float | None,
) -> None:
    kind = task_resource(state.resource)
    if kind is None:
        details: dict[str, Any] = {"resource": state.resource, **payload("input", task_input)}
        if timeout is not None:
            details["timeoutInSeconds"] = int(timeout)
        run.record(scope, "LambdaFunctionScheduled", details)
        run.record_started(scope, "LambdaFunctionStarted")
        return
    resource_type, resource = kind
    if resource_type == "activity":
        details = {"resource": resource, **payload("input", task_input)}
        if timeout is not None:
            details["timeoutInSeconds"] = int(timeout)
        if heartbeat is not None:
            details["heartbeatInSeconds"] = int(heartbeat)
        run.record(scope, "ActivityScheduled", details)
        return  # ActivityStarted comes when a worker takes the task
    details = {
        "resourceType": resource_type,
        "resource": resource,
        "region": _region(run.x.execution_arn),
        "parameters": to_json_text(task_input),
    }
    if timeout is not None:
        details["timeoutInSeconds"] = int(timeout)
    if heartbeat is not None:
        details["heartbeatInSeconds"] = int(heartbeat)
    run.record(scope, "TaskScheduled", details)
    run.record_started(scope, "TaskStarted", {"resourceType": resource_type, "resource": resource})


def _settle(run: Run, scope: Scope) -> None:
    """The task answered: forget its token and cancel its deadline and heartbeat timers."""
    if scope.pending:
        run.x.waiting.pop(scope.pending, None)
    if scope.deadline:
        run.x.waiting.pop(scope.deadline, None)
        run.commands.append(CancelTimer(token=scope.deadline))
    scope.pending = None
    run.forget_deadline(scope)
    if scope.heartbeat:
        run.x.waiting.pop(scope.heartbeat, None)
        run.commands.append(CancelTimer(token=scope.heartbeat))
    scope.heartbeat = None


def task_succeeded(run: Run, scope: Scope, state: State, output: Any) -> None:
    assert isinstance(state, TaskState)
    kind = task_resource(state.resource)
    if len(to_json_text(output).encode()) > MAX_PAYLOAD_BYTES:
        name = kind[0] if kind else state.resource
        task_failed(
            run,
            scope,
            state,
            "States.DataLimitExceeded",
            f"The state/task '{name}' returned a result with a size exceeding the maximum "
            "number of bytes service limit.",
        )
        return
    _settle(run, scope)
    if kind is None:
        run.record(scope, "LambdaFunctionSucceeded", payload("output", output))
    elif kind[0] == "activity":
        run.record(scope, "ActivitySucceeded", payload("output", output))
    else:
        run.record(
            scope,
            "TaskSucceeded",
            {"resourceType": kind[0], "resource": kind[1], **payload("output", output)},
        )
    scope.phase = "act"  # a failure while shaping the output is retried like AWS does
    finish_with_result(run, scope, state, output)


def task_failed(run: Run, scope: Scope, state: State, error: str, cause: str | None) -> None:
    assert isinstance(state, TaskState)
    _settle(run, scope)
    kind = task_resource(state.resource)
    details: dict[str, Any] = {"error": error, "cause": cause}
    if kind is None:
        run.record(scope, "LambdaFunctionFailed", details)
    elif kind[0] == "activity":
        run.record(scope, "ActivityFailed", details)
    else:
        run.record(scope, "TaskFailed", {"resourceType": kind[0], "resource": kind[1], **details})
    scope.phase = "act"
    scope.failed_task = True
    run.fail_state(scope, state, error, cause)


def task_timed_out(run: Run, scope: Scope, state: State, error: str, cause: str | None) -> None:
    record_timed_out(run, scope, state, error, cause)
    fail_timed_out(run, scope, state, error, cause)


def record_timed_out(
    run: Run,
    scope: Scope,
    state: State,
    error: str = "States.Timeout",
    cause: str | None = None,
) -> None:
    """The task is given up on: cancel it and record its TimedOut event. The state stays
    waiting ("task" phase) until `fail_timed_out`, so a sibling's failure handled in
    between records it Aborted, as AWS does for tasks that timed out together."""
    assert isinstance(state, TaskState)
    if scope.pending:
        run.commands.append(CancelTask(token=scope.pending))
    _settle(run, scope)
    scope.failed_task = True
    kind = task_resource(state.resource)
    details: dict[str, Any] = {"error": error}
    if cause:
        details["cause"] = cause
    if kind is None:
        run.record(scope, "LambdaFunctionTimedOut", details)
    elif kind[0] == "activity":
        run.record(scope, "ActivityTimedOut", details)
    else:
        run.record(scope, "TaskTimedOut", {"resourceType": kind[0], "resource": kind[1], **details})


def fail_timed_out(run: Run, scope: Scope, state: State, error: str, cause: str | None) -> None:
    """The timed-out state fails (Retry, Catch, or its scope fails)."""
    scope.phase = "act"
    run.fail_state(scope, state, error, cause)


def _path_number(
    literal: Any, path: str | None, scope: Scope, context: dict[str, Any]
) -> float | None:
    if path is None:
        return literal if isinstance(literal, int | float) else None
    from stratus.workflows.expressions import jsonpath

    value = jsonpath.select(scope.state_input, path, context, scope.variables)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise StatesError("States.Runtime", f"The value at {path} is not a number: {value}")
    return value


def _jsonata_number(
    value: Any, field: str, states: dict[str, Any], variables: dict[str, Any]
) -> float | None:
    if value is None:
        return None
    result = dataflow.jsonata_value(value, field, states, variables)
    return result if isinstance(result, int | float) else None


def _region(arn: str) -> str:
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 and parts[3] else "us-east-1"
