"""Payload templates: Parameters, ResultSelector, ItemSelector and JSONPath Arguments.

A template is JSON copied as is, except that a key ending in `.$` takes its value from
an expression and loses the suffix (developer guide, "Payload templates"): a path into
the input (`$.x`), the context object (`$$.x`), a variable (`$name`), or an intrinsic
function (`States.Format(...)`). Templates nest, inside objects and arrays alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stratus.workflows.errors import StatesError

from . import intrinsics
from .jsonpath import PathNotFound, VariableNotFound, select
from .values import to_compact_json


def render(
    template: Any,
    data: Any,
    context: Mapping[str, Any],
    variables: Mapping[str, Any] | None = None,
) -> Any:
    """Evaluate a payload template against the effective input `data`.

    A path that selects nothing fails the state with States.Runtime and AWS's cause:
    "The JSONPath '$.x' specified for the field 'x.$' could not be found in the input ...".
    """
    if isinstance(template, dict):
        out: dict[str, Any] = {}
        for key, value in template.items():
            if key.endswith(".$"):
                out[key[:-2]] = evaluate_field(key, value, data, context, variables)
            else:
                out[key] = render(value, data, context, variables)
        return out
    if isinstance(template, list):
        return [render(item, data, context, variables) for item in template]
    return template


def evaluate_field(
    field: str,
    expression: Any,
    data: Any,
    context: Mapping[str, Any],
    variables: Mapping[str, Any] | None = None,
) -> Any:
    """The value of one `key.$` field: a path or an intrinsic function call."""
    if not isinstance(expression, str):
        raise StatesError(
            "States.Runtime",
            f"The value for the field '{field}' must be a STRING that contains a JSONPath "
            f"but was a {type(expression).__name__}",
        )
    try:
        if expression.startswith("$"):
            return select(data, expression, context, variables)
        return intrinsics.evaluate(expression, data, context, variables)
    except VariableNotFound:
        raise
    except PathNotFound as exc:
        raise StatesError(
            "States.Runtime",
            f"The JSONPath '{exc.path}' specified for the field '{field}' could not be "
            f"found in the input '{to_compact_json(data)}'",
        ) from exc
