"""JSON value helpers shared by the expression modules.

Python's `True == 1` and `1 == 1.0` disagree with JSON: ASL compares JSON values, where a
boolean is never a number but 1 and 1.0 are the same number. Everything that compares or
type-checks values (ArrayContains, ArrayUnique, Choice, filters) goes through here.
"""

from __future__ import annotations

import copy
import json
import math
from typing import Any

import orjson

from stratus.workflows.errors import StatesError
from stratus.workflows.limits import MAX_JSON_DEPTH

#: orjson writes at most 254 nested levels: data wrapped in this many one-item arrays
#: makes orjson itself refuse any value nested deeper than MAX_JSON_DEPTH.
_WRAPS = 254 - MAX_JSON_DEPTH


def is_number(value: Any) -> bool:
    """A JSON number (bool excluded, NaN/inf excluded)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return not (isinstance(value, float) and not math.isfinite(value))


def json_equal(left: Any, right: Any) -> bool:
    """Structural JSON equality: types must agree, numbers compare by value."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if is_number(left) and is_number(right):
        return bool(left == right)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(json_equal, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(json_equal(v, right[k]) for k, v in left.items())
    return type(left) is type(right) and bool(left == right)


def to_compact_json(value: Any) -> str:
    """Compact JSON, as AWS prints values in outputs and error causes.

    orjson writes exactly what ``json.dumps(separators=(",", ":"), ensure_ascii=False)``
    writes for JSON data, several times faster; what it cannot write (integers beyond
    64 bits, non-string keys) goes through ``json``. Data nested deeper than
    MAX_JSON_DEPTH raises `States.DataLimitExceeded` (see `limits.py`): every state's
    input and output is written here for its history event, so no execution carries data
    the store could not write or the interpreter could not walk.
    """
    try:
        text = orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError) as error:
        if "Recursion limit" in str(error) or nesting_exceeds(value, MAX_JSON_DEPTH):
            raise too_deep() from None
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    # Data nested deeper than the limit has more opening brackets than the limit: only
    # then (rare, and counted in C) is the depth itself checked.
    if (
        len(text) > 2 * MAX_JSON_DEPTH
        and text.count(b"[") + text.count(b"{") > MAX_JSON_DEPTH
        and _deeper_than_limit(value)
    ):
        raise too_deep()
    return text.decode()


def _deeper_than_limit(value: Any) -> bool:
    wrapped = value
    for _ in range(_WRAPS):
        wrapped = [wrapped]
    try:
        orjson.dumps(wrapped)
    except (TypeError, orjson.JSONEncodeError) as error:
        return "Recursion limit" in str(error)
    return False


def too_deep() -> StatesError:
    """The failure of data nested deeper than MAX_JSON_DEPTH (a Stratus bound)."""
    return StatesError(
        "States.DataLimitExceeded",
        f"The data is nested deeper than the maximum depth ({MAX_JSON_DEPTH}).",
    )


def nesting_exceeds(value: Any, limit: int) -> bool:
    """Whether arrays and objects in `value` nest more than `limit` levels deep.

    Iterative on purpose: it must answer for data nested far deeper than Python's
    recursion limit, which is exactly the data it exists to refuse.
    """
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth + 1 > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def type_name(value: Any) -> str:
    """The JSON type name AWS uses in messages ('string', 'number', 'object'...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def json_copy(value: Any) -> Any:
    """A deep copy of JSON data, through orjson (several times faster than deepcopy);
    values orjson cannot write (integers beyond 64 bits) fall back to deepcopy."""
    try:
        return orjson.loads(orjson.dumps(value))
    except (TypeError, orjson.JSONEncodeError):
        return copy.deepcopy(value)
