"""JSONata for states with `QueryLanguage: JSONata` (developer guide, "Transforming data
with JSONata").

A string field is an expression when it is exactly `{% ... %}`; anything else is a
literal. Expressions see `$states` (input, context, result, errorOutput) and every Assign
variable, plus the functions Step Functions adds to JSONata: `$partition`, `$range`,
`$hash`, `$random`, `$uuid` and `$parse`. Failures raise `States.QueryEvaluationError`
with the cause texts AWS records, e.g. "The JSONata expression '$x' specified for the
field 'Output' returned nothing (undefined)."
"""

from __future__ import annotations

import json
import math
import random
import threading
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import jsonata as jsonata_lib
from jsonata.utils import Utils

from stratus.workflows.errors import StatesError

from .values import is_number, type_name

QUERY_ERROR = "States.QueryEvaluationError"
HASH_ALGORITHMS = ("MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512")
_UNDEFINED = object()


class QueryEvaluationError(StatesError):
    """A JSONata expression failed or produced something a field cannot hold."""

    def __init__(self, cause: str) -> None:
        super().__init__(QUERY_ERROR, cause)


def is_expression(value: Any) -> bool:
    """True for a string written as `{% ... %}`."""
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")


def expression_body(value: str) -> str:
    """The JSONata text between `{%` and `%}`, trimmed."""
    return value[2:-2].strip()


def evaluate_template(
    value: Any,
    states: Mapping[str, Any],
    variables: Mapping[str, Any],
    field: str = "",
) -> Any:
    """Evaluate every `{% %}` string inside `value` (objects and arrays recursively).

    `field` names the definition field for error causes; nested members extend it with
    '/' as AWS does ("Output/result").
    """
    if is_expression(value):
        return evaluate_expression(expression_body(value), states, variables, field)
    if isinstance(value, dict):
        return {
            key: evaluate_template(item, states, variables, _join(field, key))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [
            evaluate_template(item, states, variables, _join(field, str(index)))
            for index, item in enumerate(value)
        ]
    return value


def _join(field: str, key: str) -> str:
    return f"{field}/{key}" if field else key


def evaluate_expression(
    expr: str,
    states: Mapping[str, Any],
    variables: Mapping[str, Any],
    field: str = "",
) -> Any:
    """Evaluate one JSONata expression (without its `{% %}`) to a JSON value.

    Returning nothing (JSONata's undefined) or a function is an error, as in AWS.
    """
    label = field or "expression"
    if expr.startswith("{%") and expr.endswith("%}"):
        expr = expression_body(expr)
    try:
        compiled = jsonata_lib.Jsonata(expr)
    except Exception as exc:  # the library raises JException and plain Python errors
        raise QueryEvaluationError(
            f"The JSONata expression '{expr}' specified for the field '{label}' is invalid: "
            f"{_describe(exc)}"
        ) from exc
    compiled.set_output_convert_nulls(False)
    compiled.set_validate_input(False)
    _register_extras(compiled)
    bindings = {name: from_json(value) for name, value in variables.items()}
    bindings["states"] = from_json(dict(states))
    try:
        with _LOCK:
            raw = compiled.evaluate(None, bindings)
    except Exception as exc:
        detail = exc.cause if isinstance(exc, QueryEvaluationError) else _describe(exc)
        raise QueryEvaluationError(
            f"The JSONata expression '{expr}' specified for the field '{label}' threw an "
            f"error during evaluation: {detail}"
        ) from exc
    if raw is None:
        raise QueryEvaluationError(
            f"The JSONata expression '{expr}' specified for the field '{label}' returned "
            "nothing (undefined)."
        )
    result = to_json(raw)
    if result is _UNDEFINED:
        raise QueryEvaluationError(
            f"The JSONata expression '{expr}' specified for the field '{label}' returned an "
            "unsupported result type."
        )
    return result


# jsonata-python keeps the current instance in shared state during evaluation; extras call
# back into Python, so evaluations are serialised rather than risk interleaving.
_LOCK = threading.RLock()


def _describe(exc: Exception) -> str:
    code = getattr(exc, "error", None)
    return f"{code}: {exc}" if isinstance(code, str) else str(exc)


def from_json(value: Any) -> Any:
    """A JSON value as jsonata-python reads it: JSON null is its NULL_VALUE, because a
    Python None means JSONata's undefined (a member that is absent)."""
    if value is None:
        return Utils.NULL_VALUE
    if isinstance(value, dict):
        return {key: from_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [from_json(item) for item in value]
    return value


def to_json(value: Any) -> Any:
    """A JSONata result as plain JSON: nulls, sequences and whole doubles normalised.

    Returns the module's _UNDEFINED marker when the value contains a function.
    """
    if value is Utils.NULL_VALUE:
        return None
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return int(value)
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            converted = to_json(item)
            if converted is _UNDEFINED:
                return _UNDEFINED
            if item is not None:  # undefined members vanish, as in JSON.stringify
                out[key] = converted
        return out
    if isinstance(value, list | tuple):
        items = [to_json(item) for item in value if item is not None]
        return _UNDEFINED if any(item is _UNDEFINED for item in items) else items
    return _UNDEFINED


# ---------------------------------------------------------------------------- AWS extras


def _arg(value: Any) -> Any:
    """An argument passed from JSONata into a Python extra, as plain JSON."""
    converted = to_json(value)
    return None if converted is _UNDEFINED else converted


def _partition(array: Any, size: Any) -> Any:
    array, size = _arg(array), _arg(size)
    if not isinstance(array, list):
        array = [] if array is None else [array]
    if not is_number(size) or size <= 0 or int(size) != size:
        raise QueryEvaluationError(
            f"The $partition function requires a positive integer chunk size, got {size}"
        )
    size = int(size)
    return [array[start : start + size] for start in range(0, len(array), size)]


def _range(first: Any, last: Any, step: Any = 1) -> Any:
    first, last, step = _arg(first), _arg(last), _arg(step)
    if not all(is_number(v) for v in (first, last, step)) or step == 0:
        raise QueryEvaluationError(
            "The $range function requires numeric start, end and a non-zero step"
        )
    count = max(0, math.floor((last - first) / step) + 1)
    if count > 1000:
        raise QueryEvaluationError("The $range function cannot produce more than 1000 items")
    values = [first + step * index for index in range(count)]
    # JSONata collapses a one-item sequence to its item; AWS's $range does the same.
    return values[0] if len(values) == 1 else values


def _hash(value: Any, algorithm: Any = "SHA-256") -> str:
    import hashlib

    value, algorithm = _arg(value), _arg(algorithm)
    if algorithm not in HASH_ALGORITHMS:
        raise QueryEvaluationError(
            f"The $hash function does not support the algorithm '{algorithm}'; "
            f"use one of {', '.join(HASH_ALGORITHMS)}"
        )
    if not isinstance(value, str):
        raise QueryEvaluationError(
            f"The $hash function requires a string but got a {type_name(value)}"
        )
    digest = hashlib.new(algorithm.replace("-", "").lower(), value.encode("utf-8"))
    return digest.hexdigest()


def _random(seed: Any = None) -> float:
    seed = _arg(seed)
    if seed is None:
        return random.random()
    if not is_number(seed):
        raise QueryEvaluationError("The $random function requires a numeric seed")
    return random.Random(seed).random()


def _uuid() -> str:
    return str(uuid.uuid4())


def _parse(text: Any) -> Any:
    text = _arg(text)
    if not isinstance(text, str):
        raise QueryEvaluationError(
            f"The $parse function requires a string but got a {type_name(text)}"
        )
    try:
        return json.loads(text)
    except ValueError as exc:
        raise QueryEvaluationError(f"The $parse function could not parse: {text}") from exc


_EXTRAS: dict[str, Callable[..., Any]] = {
    "partition": _partition,
    "range": _range,
    "hash": _hash,
    "random": _random,
    "uuid": _uuid,
    "parse": _parse,
}


def _register_extras(compiled: Any) -> None:
    for name, function in _EXTRAS.items():
        compiled.register_lambda(name, _returning_jsonata(function))


def _returning_jsonata(function: Callable[..., Any]) -> Callable[..., Any]:
    """Extras compute plain JSON; JSONata must get its own null back."""

    def call(*args: Any) -> Any:
        return from_json(function(*args))

    return call
