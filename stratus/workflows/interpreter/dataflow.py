"""Input and output processing of one state, in both query languages.

JSONPath (developer guide, "Input and output processing"): InputPath -> Parameters ->
(the work) -> ResultSelector -> ResultPath -> OutputPath, plus Assign.
JSONata ("Transforming data with JSONata"): Arguments -> (the work) -> Output, plus
Assign, with `$states.input / .result / .errorOutput / .context` bound.

Errors raised here are `StatesError`s from the expression layer; the core adds the
"An error occurred while executing the state ..." prefix AWS puts on them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stratus.workflows.expressions import jsonpath
from stratus.workflows.states import State

_UNDEFINED = object()


# ------------------------------------------------------------------------- JSONPath


def select_path(
    data: Any, path: str | None, context: Mapping[str, Any], variables: Mapping[str, Any]
) -> Any:
    """InputPath/OutputPath: a null path yields {} (AWS: "an empty JSON object")."""
    if path is None:
        return {}
    if path == "$":
        return data
    return jsonpath.select(data, path, context, variables)


def render(
    template: Any, data: Any, context: Mapping[str, Any], variables: Mapping[str, Any]
) -> Any:
    """A Parameters/ResultSelector/ItemSelector/Assign payload template."""
    from stratus.workflows.expressions import payload

    return payload.render(template, data, context, variables)


def effective_input(
    state: State, state_input: Any, context: Mapping[str, Any], variables: Mapping[str, Any]
) -> Any:
    """InputPath then Parameters: what the state works on (JSONPath states)."""
    value = select_path(state_input, state.input_path, context, variables)
    if state.has_parameters:
        value = render(state.parameters, value, context, variables)
    return value


def jsonpath_output(
    state: State,
    state_input: Any,
    result: Any,
    context: Mapping[str, Any],
    variables: Mapping[str, Any],
    *,
    selector: bool = True,
) -> Any:
    """ResultSelector -> ResultPath -> OutputPath for a JSONPath state's result."""
    if selector and state.has_result_selector:
        result = render(state.result_selector, result, context, variables)
    combined = jsonpath.apply_result_path(state_input, result, state.result_path)
    return select_path(combined, state.output_path, context, variables)


def jsonpath_assign(
    assign: Mapping[str, Any] | None,
    data: Any,
    context: Mapping[str, Any],
    variables: Mapping[str, Any],
) -> dict[str, Any]:
    """Evaluate a JSONPath-mode Assign block against `data` (all with the old variables)."""
    if not assign:
        return {}
    rendered = render(dict(assign), data, context, variables)
    return dict(rendered) if isinstance(rendered, Mapping) else {}


# ------------------------------------------------------------------------- JSONata


def is_expression(value: Any) -> bool:
    """A JSONata expression string: '{% ... %}'."""
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")


def expression_text(value: Any) -> str:
    """The JSONata text of a '{% %}' field as AWS quotes it in causes."""
    text = str(value)
    return text[2:-2].strip() if is_expression(text) else text


def jsonata_value(
    value: Any,
    field: str,
    states: Mapping[str, Any],
    variables: Mapping[str, Any],
) -> Any:
    """Evaluate every '{% %}' string inside `value`; `field` names it in error causes
    ("Output/result"), as AWS does for an expression that returns nothing."""
    from stratus.workflows.expressions import jsonata

    return jsonata.evaluate_template(value, states, variables, field)


def jsonata_assign(
    assign: Mapping[str, Any] | None, states: Mapping[str, Any], variables: Mapping[str, Any]
) -> dict[str, Any]:
    """Evaluate a JSONata-mode Assign block (all with the old variables)."""
    if not assign:
        return {}
    return {
        key: jsonata_value(value, f"Assign/{key}", states, variables)
        for key, value in assign.items()
    }


def jsonata_states(
    state_input: Any,
    context: Mapping[str, Any],
    *,
    result: Any = _UNDEFINED,
    error_output: Any = _UNDEFINED,
) -> dict[str, Any]:
    """The `$states` binding for one evaluation."""
    bound: dict[str, Any] = {"input": state_input, "context": context}
    if result is not _UNDEFINED:
        bound["result"] = result
    if error_output is not _UNDEFINED:
        bound["errorOutput"] = error_output
    return bound
