"""What each state type does when it acts, and how a Task or Wait resumes.

Handlers are functions of (run, scope, state, ...) that either finish the state
(`run.exit`, `run.fail_state`) or leave the scope waiting on a token. They may raise
`StatesError` for evaluation failures; `Run.guarded` turns that into the state's failure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stratus.workflows.errors import StatesError
from stratus.workflows.interpreter import containers, dataflow, waits
from stratus.workflows.interpreter.history import payload, task_resource, to_json_text
from stratus.workflows.interpreter.messages import CancelTask, CancelTimer, RunTask
from stratus.workflows.states import (
    Catcher,
    ChoiceState,
    FailState,
    MapState,
    ParallelState,
    PassState,
    State,
    SucceedState,
    TaskState,
    WaitState,
)

if TYPE_CHECKING:
    from stratus.workflows.interpreter.core import Run
    from stratus.workflows.interpreter.model import Scope


def act(run: Run, scope: Scope, state: State) -> None:
    """The state's work, right after it was entered (or when a retry is due)."""
    if isinstance(state, PassState):
        act_pass(run, scope, state)
    elif isinstance(state, ChoiceState):
        act_choice(run, scope, state)
    elif isinstance(state, WaitState):
        waits.act_wait(run, scope, state)
    elif isinstance(state, SucceedState):
        act_succeed(run, scope, state)
    elif isinstance(state, FailState):
        act_fail(run, scope, state)
    elif isinstance(state, TaskState):
        act_task(run, scope, state)
    elif isinstance(state, MapState | ParallelState):
        containers.act(run, scope, state)
    else:  # pragma: no cover - the validator rejects unknown types
        raise StatesError("States.Runtime", f"Unsupported state type {state.type}")


# ---------------------------------------------------------------------------- Pass


def act_pass(run: Run, scope: Scope, state: PassState) -> None:
    context = run.context(scope, state)
    variables = scope.variables
    if state.is_jsonata:
        states = dataflow.jsonata_states(scope.state_input, context)
        assigned = dataflow.jsonata_assign(state.assign, states, variables)
        output = (
            dataflow.jsonata_value(state.output, "Output", states, variables)
            if state.has_output
            else scope.state_input
        )
        run.exit(scope, state, output, assigned)
        return
    effective = dataflow.effective_input(state, scope.state_input, context, variables)
    result = state.result if state.has_result else effective
    assigned = dataflow.jsonpath_assign(state.assign, result, context, variables)
    output = dataflow.jsonpath_output(
        state, scope.state_input, result, context, variables, selector=False
    )
    run.exit(scope, state, output, assigned)


# ---------------------------------------------------------------------------- Choice


def act_choice(run: Run, scope: Scope, state: ChoiceState) -> None:
    context = run.context(scope, state)
    variables = scope.variables
    if state.is_jsonata:
        _choice_jsonata(run, scope, state, context)
        return
    from stratus.workflows.expressions import choice

    effective = dataflow.select_path(scope.state_input, state.input_path, context, variables)
    chosen: str | None = None
    assign = state.assign
    for rule in state.choices:
        if choice.matches(rule, effective, context, variables):
            chosen = rule.get("Next")
            assign = rule.get("Assign", None)
            break
    if chosen is None:
        chosen = state.default
    if chosen is None:
        run.fail_state(scope, state, "States.NoChoiceMatched", "No Matches!")
        return
    assigned = dataflow.jsonpath_assign(assign, effective, context, variables)
    output = dataflow.select_path(effective, state.output_path, context, variables)
    _leave_choice(run, scope, state, output, assigned, chosen)


def _choice_jsonata(run: Run, scope: Scope, state: ChoiceState, context: dict[str, Any]) -> None:
    variables = scope.variables
    states = dataflow.jsonata_states(scope.state_input, context)
    chosen: str | None = None
    assign, output_template, has_output = state.assign, state.output, state.has_output
    for index, rule in enumerate(state.choices):
        condition = rule.get("Condition")
        value = dataflow.jsonata_value(condition, f"Choices[{index}]/Condition", states, variables)
        if not isinstance(value, bool):
            raise StatesError(
                "States.QueryEvaluationError",
                f"The JSONata expression '{_strip(condition)}' specified for the field "
                f"'Condition' returned an unexpected result type. Expected 'boolean', but was "
                f"'{_type_name(value)}' for value: {to_json_text(value)}",
            )
        if value:
            chosen = rule.get("Next")
            assign = rule.get("Assign", None)
            output_template, has_output = rule.get("Output"), "Output" in rule
            break
    if chosen is None:
        chosen = state.default
    if chosen is None:
        run.fail_state(scope, state, "States.NoChoiceMatched", "No Matches!")
        return
    assigned = dataflow.jsonata_assign(assign, states, variables)
    output = (
        dataflow.jsonata_value(output_template, "Output", states, variables)
        if has_output
        else scope.state_input
    )
    _leave_choice(run, scope, state, output, assigned, chosen)


def _leave_choice(
    run: Run,
    scope: Scope,
    state: ChoiceState,
    output: Any,
    assigned: dict[str, Any],
    chosen: str,
) -> None:
    details: dict[str, Any] = {"name": state.name, **payload("output", output)}
    if assigned:
        scope.variables.update(assigned)
        details["assignedVariables"] = {k: to_json_text(v) for k, v in assigned.items()}
        details["assignedVariablesDetails"] = {"truncated": False}
    run.record(scope, "ChoiceStateExited", details)
    run.transition(scope, state, output, chosen)


# ---------------------------------------------------------------------------- Succeed/Fail


def act_succeed(run: Run, scope: Scope, state: SucceedState) -> None:
    context = run.context(scope, state)
    variables = scope.variables
    if state.is_jsonata:
        states = dataflow.jsonata_states(scope.state_input, context)
        output = (
            dataflow.jsonata_value(state.output, "Output", states, variables)
            if state.has_output
            else scope.state_input
        )
    else:
        effective = dataflow.select_path(scope.state_input, state.input_path, context, variables)
        output = dataflow.select_path(effective, state.output_path, context, variables)
    run.exit(scope, state, output)


def act_fail(run: Run, scope: Scope, state: FailState) -> None:
    context = run.context(scope, state)
    variables = scope.variables
    if state.is_jsonata:
        states = dataflow.jsonata_states(scope.state_input, context)
        error = dataflow.jsonata_value(state.error, "Error", states, variables)
        cause = dataflow.jsonata_value(state.cause, "Cause", states, variables)
    else:
        error = _fail_field(state.error, state.error_path, "ErrorPath", scope, context)
        cause = _fail_field(state.cause, state.cause_path, "CausePath", scope, context)
    run.fail_scope(scope, error, cause)


def _fail_field(
    literal: Any, path: str | None, field: str, scope: Scope, context: dict[str, Any]
) -> Any:
    if path is None:
        return literal
    if path.startswith("States."):
        from stratus.workflows.expressions import intrinsics

        return intrinsics.evaluate(path, scope.state_input, context, scope.variables)
    from stratus.workflows.expressions import jsonpath

    try:
        return jsonpath.select(scope.state_input, path, context, scope.variables)
    except StatesError:
        raise StatesError(
            "States.Runtime",
            f"The JSONPath '{path}' specified for the field '{field}' could not be found "
            f"in the input '{to_json_text(scope.state_input)}'",
        ) from None


# ---------------------------------------------------------------------------- Task


def act_task(run: Run, scope: Scope, state: TaskState) -> None:
    context = run.context(scope, state)
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
    token = run.token(scope, "task")
    scope.phase = "task"
    scope.pending = token
    scope.effective_input = task_input
    run.wait_on(scope, token)
    if state.resource.endswith(".waitForTaskToken"):
        context["Task"] = {"Token": token}
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
        deadline = f"{token}:deadline"
        scope.deadline = deadline
        run.start_timer(scope, deadline, run.at + float(timeout))


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
        run.record(scope, "LambdaFunctionStarted")
        return
    resource_type, resource = kind
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
    run.record(scope, "TaskStarted", {"resourceType": resource_type, "resource": resource})


def _settle(run: Run, scope: Scope) -> None:
    """The task answered: forget its token and cancel its deadline timer."""
    if scope.pending:
        run.x.waiting.pop(scope.pending, None)
    if scope.deadline:
        run.x.waiting.pop(scope.deadline, None)
        run.commands.append(CancelTimer(token=scope.deadline))
    scope.pending = None
    scope.deadline = None


#: Step Functions' payload quota: 256 KiB of UTF-8 JSON per state input or output.
MAX_PAYLOAD_BYTES = 262144


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
    else:
        run.record(
            scope,
            "TaskSucceeded",
            {"resourceType": kind[0], "resource": kind[1], **payload("output", output)},
        )
    scope.phase = "act"  # a failure while shaping the output is retried like AWS does
    finish_with_result(run, scope, state, output)


def finish_with_result(run: Run, scope: Scope, state: State, result: Any) -> None:
    """Shape a Task/Map/Parallel result into the state output and leave the state."""
    context = run.context(scope, state)
    variables = scope.variables
    if state.is_jsonata:
        states = dataflow.jsonata_states(scope.state_input, context, result=result)
        assigned = dataflow.jsonata_assign(state.assign, states, variables)
        output = (
            dataflow.jsonata_value(state.output, "Output", states, variables)
            if state.has_output
            else result
        )
    else:
        selected = result
        if state.has_result_selector:
            selected = dataflow.render(state.result_selector, result, context, variables)
        assigned = dataflow.jsonpath_assign(state.assign, selected, context, variables)
        output = dataflow.jsonpath_output(
            state, scope.state_input, selected, context, variables, selector=False
        )
    run.exit(scope, state, output, assigned)


def task_failed(run: Run, scope: Scope, state: State, error: str, cause: str | None) -> None:
    assert isinstance(state, TaskState)
    _settle(run, scope)
    kind = task_resource(state.resource)
    details: dict[str, Any] = {"error": error, "cause": cause}
    if kind is None:
        run.record(scope, "LambdaFunctionFailed", details)
    else:
        run.record(scope, "TaskFailed", {"resourceType": kind[0], "resource": kind[1], **details})
    scope.phase = "act"
    run.fail_state(scope, state, error, cause)


def task_timed_out(run: Run, scope: Scope, state: State, error: str, cause: str | None) -> None:
    assert isinstance(state, TaskState)
    if scope.pending:
        run.commands.append(CancelTask(token=scope.pending))
    _settle(run, scope)
    kind = task_resource(state.resource)
    details: dict[str, Any] = {"error": error}
    if cause:
        details["cause"] = cause
    if kind is None:
        run.record(scope, "LambdaFunctionTimedOut", details)
    else:
        run.record(scope, "TaskTimedOut", {"resourceType": kind[0], "resource": kind[1], **details})
    scope.phase = "act"
    run.fail_state(scope, state, error, cause)


def timer_fired(run: Run, scope: Scope, state: State) -> None:
    """A Wait state's timer is due."""
    assert isinstance(state, WaitState)
    waits.finish_wait(run, scope, state)


# ---------------------------------------------------------------------------- Catch


def catch(
    run: Run,
    scope: Scope,
    state: State,
    catcher: Catcher,
    error: str | None,
    cause: str | None,
) -> None:
    """Leave `state` through `catcher` with the error output."""
    error_output = {"Error": error, "Cause": cause if cause is not None else ""}
    context = run.context(scope, state)
    variables = scope.variables
    try:
        if state.is_jsonata:
            states = dataflow.jsonata_states(scope.state_input, context, error_output=error_output)
            assigned = dataflow.jsonata_assign(catcher.assign, states, variables)
            output = (
                dataflow.jsonata_value(catcher.output, "Catch/Output", states, variables)
                if catcher.has_output
                else error_output
            )
        else:
            from stratus.workflows.expressions import jsonpath

            assigned = dataflow.jsonpath_assign(catcher.assign, error_output, context, variables)
            output = jsonpath.apply_result_path(
                scope.state_input, error_output, catcher.result_path
            )
    except StatesError as failure:
        run.fail_scope(scope, failure.error, failure.cause)
        return
    details: dict[str, Any] = {"name": state.name, **payload("output", output)}
    if assigned:
        scope.variables.update(assigned)
        details["assignedVariables"] = {k: to_json_text(v) for k, v in assigned.items()}
        details["assignedVariablesDetails"] = {"truncated": False}
    run.record(scope, f"{state.type}StateExited", details)
    run.transition(scope, state, output, catcher.next)


# ---------------------------------------------------------------------------- helpers


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


def _strip(expression: Any) -> str:
    text = str(expression)
    return text[2:-2].strip() if dataflow.is_expression(text) else text


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _region(arn: str) -> str:
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 and parts[3] else "us-east-1"
