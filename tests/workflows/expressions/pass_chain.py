"""A few-line runner for state machines made only of Pass (and Choice) states.

Test scaffolding, not the interpreter: it strings the expression functions together in
the order the developer guide gives for a Pass state (InputPath, Parameters or Result,
Assign, ResultPath, OutputPath; or JSONata Assign and Output), so recorded executions
exercise paths, templates, variables and JSONata the way a real run would.
"""

from __future__ import annotations

from typing import Any

from stratus.workflows.errors import StatesError
from stratus.workflows.expressions import (
    apply_result_path,
    evaluate_template,
    matches,
    render,
    select,
)
from stratus.workflows.expressions.payload import evaluate_field


def run(definition: dict[str, Any], data: Any, context: dict[str, Any]) -> Any:
    """The execution output; StatesError propagates as the execution's failure."""
    variables: dict[str, Any] = {}
    default_language = definition.get("QueryLanguage", "JSONPath")
    name = definition["StartAt"]
    while True:
        state = definition["States"][name]
        context = {**context, "State": {"Name": name, "EnteredTime": "2024-01-01T00:00:00Z"}}
        language = state.get("QueryLanguage", default_language)
        if state["Type"] == "Choice":
            name, assigned, data = _choose(state, data, context, variables, language)
            variables = {**variables, **assigned}
            continue
        if state["Type"] == "Fail":
            raise _failure(state, data, context, variables, language)
        if state["Type"] == "Succeed":
            if language == "JSONata":
                return evaluate_template(
                    state.get("Output", data), _states(data, context), variables, field="Output"
                )
            effective = _path(data, state.get("InputPath", "$"), context, variables)
            return _path(effective, state.get("OutputPath", "$"), context, variables)
        if language == "JSONata":
            data, assigned = _jsonata_pass(state, data, context, variables)
        else:
            data, assigned = _jsonpath_pass(state, data, context, variables)
        variables = {**variables, **assigned}
        if state.get("End") or state["Type"] != "Pass":
            return data
        name = state["Next"]


def _states(data: Any, context: Any) -> dict[str, Any]:
    return {"input": data, "context": context}


def _failure(
    state: dict[str, Any], data: Any, context: Any, variables: Any, language: str
) -> StatesError:
    """A Fail state's error and cause (literal, JSONata, path or intrinsic)."""
    if language == "JSONata":
        fields = {key: state[key] for key in ("Error", "Cause") if key in state}
        values = evaluate_template(fields, _states(data, context), variables)
        return StatesError(values.get("Error", ""), values.get("Cause", ""))
    values = {}
    for key in ("Error", "Cause"):
        if key in state:
            values[key] = state[key]
        elif f"{key}Path" in state:
            values[key] = evaluate_field(
                f"{key}Path", state[f"{key}Path"], data, context, variables
            )
    return StatesError(values.get("Error", ""), values.get("Cause", ""))


def _choose(
    state: dict[str, Any], data: Any, context: Any, variables: Any, language: str
) -> tuple[str, dict[str, Any], Any]:
    """The next state, the Assign of the rule taken (or the state's own) and the output."""
    states = _states(data, context)
    taken: dict[str, Any] = state
    for rule in state["Choices"]:
        if language == "JSONata":
            holds = evaluate_template(rule["Condition"], states, variables, "Condition") is True
        else:
            holds = matches(rule, data, context, variables)
        if holds:
            taken = rule
            break
    assigned = _assign(taken.get("Assign", {}), data, context, variables, language)
    output = data
    if language == "JSONata" and "Output" in taken:
        output = evaluate_template(taken["Output"], states, variables, field="Output")
    target = taken["Next"] if taken is not state else state["Default"]
    return str(target), assigned, output


def _assign(template: Any, data: Any, context: Any, variables: Any, language: str) -> Any:
    if language == "JSONata":
        states = {"input": data, "context": context}
        return evaluate_template(template, states, variables, field="Assign")
    return render(template, data, context, variables)


def _path(value: Any, path: Any, context: Any, variables: Any) -> Any:
    return {} if path is None else select(value, path, context, variables)


def _jsonpath_pass(
    state: dict[str, Any], data: Any, context: Any, variables: Any
) -> tuple[Any, dict[str, Any]]:
    effective = _path(data, state.get("InputPath", "$"), context, variables)
    if "Parameters" in state:
        result = render(state["Parameters"], effective, context, variables)
    else:
        result = state.get("Result", effective)
    assigned = render(state.get("Assign", {}), result, context, variables)
    output = apply_result_path(data, result, state.get("ResultPath", "$"))
    return _path(output, state.get("OutputPath", "$"), context, variables), assigned


def _jsonata_pass(
    state: dict[str, Any], data: Any, context: Any, variables: Any
) -> tuple[Any, dict[str, Any]]:
    states = {"input": data, "context": context}
    assigned = evaluate_template(state.get("Assign", {}), states, variables, field="Assign")
    if "Output" in state:
        return evaluate_template(state["Output"], states, variables, field="Output"), assigned
    return data, assigned
