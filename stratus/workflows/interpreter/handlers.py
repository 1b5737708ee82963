"""What each state type does when it acts, and how a Task or Wait resumes.

Handlers are functions of (run, scope, state, ...) that either finish the state
(`run.exit`, `run.fail_state`) or leave the scope waiting on a token. They may raise
`StatesError` for evaluation failures; `Run.guarded` turns that into the state's failure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stratus.workflows.errors import StatesError
from stratus.workflows.expressions.values import type_name
from stratus.workflows.interpreter import containers, dataflow, tasks, waits
from stratus.workflows.interpreter.history import payload, to_json_text
from stratus.workflows.states import (
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
        tasks.act_task(run, scope, state)
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
                f"The JSONata expression '{dataflow.expression_text(condition)}' specified for the field "
                f"'Condition' returned an unexpected result type. Expected 'boolean', but was "
                f"'{type_name(value)}' for value: {to_json_text(value)}",
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


def timer_fired(run: Run, scope: Scope, state: State) -> None:
    """A Wait state's timer is due."""
    assert isinstance(state, WaitState)
    waits.finish_wait(run, scope, state)


# ---------------------------------------------------------------------------- helpers
