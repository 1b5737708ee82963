"""Leaving a state with a result or through a catcher: output shaping and Assign.

Shared by Task, Map and Parallel (ResultSelector, ResultPath, OutputPath, or JSONata
Output) and by every state with Catch (the error output, ResultPath or Output).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stratus.workflows.errors import StatesError
from stratus.workflows.interpreter import dataflow
from stratus.workflows.interpreter.history import payload, to_json_text
from stratus.workflows.states import Catcher, State

if TYPE_CHECKING:
    from stratus.workflows.interpreter.core import Run
    from stratus.workflows.interpreter.model import Scope


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
