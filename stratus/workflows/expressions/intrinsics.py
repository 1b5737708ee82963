"""The States.* intrinsic functions (developer guide, "Intrinsic functions for JSONPath").

`evaluate` parses the call (cached), resolves its arguments (literals, paths, nested
calls) and runs the function. Argument checks follow the guide's "Input validation"
notes; a failed check raises StatesError('States.IntrinsicFailure', ...). Where AWS
accepts a number "that must be an integer" it rounds a fractional one half-up (Java's
Math.round: 1.5 -> 2, -1.5 -> -1), which the recorded MathAdd executions show.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import random
import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from stratus.workflows.errors import StatesError

from .intrinsic_parser import Argument, Call, Literal, PathArg, parse
from .jsonpath import select
from .values import is_number, json_equal, to_compact_json, type_name

MAX_ARRAY_RANGE = 1000
MAX_ENCODE_CHARS = 10_000
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
HASH_ALGORITHMS: dict[str, Callable[[bytes], Any]] = {
    "MD5": hashlib.md5,
    "SHA-1": hashlib.sha1,
    "SHA-256": hashlib.sha256,
    "SHA-384": hashlib.sha384,
    "SHA-512": hashlib.sha512,
}


def fail(function: str, reason: str) -> StatesError:
    """The error a function raises when its arguments are unacceptable."""
    cause = f"Invalid arguments in States.{function}: {reason}"
    return StatesError("States.IntrinsicFailure", cause)


def evaluate(
    expression: str,
    data: Any,
    context: Mapping[str, Any],
    variables: Mapping[str, Any] | None = None,
) -> Any:
    """Evaluate an intrinsic call such as `States.Format('{}', $.x)` against the input."""
    return _call(parse(expression), data, context, variables)


def _call(
    call: Call, data: Any, context: Mapping[str, Any], variables: Mapping[str, Any] | None
) -> Any:
    function = _FUNCTIONS.get(call.name)
    if function is None:
        raise StatesError(
            "States.IntrinsicFailure", f"The function 'States.{call.name}' is not supported"
        )
    if call.name == "Format":
        return _format(call, data, context, variables)
    values = [_resolve(argument, data, context, variables) for argument in call.arguments]
    return function(values)


def _resolve(
    argument: Argument, data: Any, context: Mapping[str, Any], variables: Mapping[str, Any] | None
) -> Any:
    if isinstance(argument, Literal):
        return argument.value
    if isinstance(argument, PathArg):
        return select(data, argument.path, context, variables)
    return _call(argument, data, context, variables)


# ---------------------------------------------------------------------------- checks


def _arity(function: str, values: list[Any], *counts: int) -> None:
    if len(values) not in counts:
        expected = " or ".join(str(c) for c in counts)
        raise fail(function, f"expected {expected} arguments but received {len(values)}")


def _integer(function: str, value: Any, what: str) -> int:
    """An integer argument; fractional numbers round half-up as AWS does."""
    if not is_number(value):
        raise fail(function, f"{what} must be an integer but was {type_name(value)}")
    return math.floor(value + 0.5) if isinstance(value, float) else int(value)


def _string(function: str, value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise fail(function, f"{what} must be a string but was {type_name(value)}")
    return value


def _array(function: str, value: Any, what: str = "the first argument") -> list[Any]:
    if not isinstance(value, list):
        raise fail(function, f"{what} must be an array but was {type_name(value)}")
    return value


# ---------------------------------------------------------------------------- generic


def _format(
    call: Call, data: Any, context: Mapping[str, Any], variables: Mapping[str, Any] | None
) -> str:
    """States.Format: each unescaped `{}` takes the next argument's string form."""
    if not call.arguments:
        raise fail("Format", "expected at least 1 argument but received 0")
    first = call.arguments[0]
    values = [_resolve(argument, data, context, variables) for argument in call.arguments[1:]]
    if isinstance(first, Literal) and first.raw is not None:
        pieces = _split_template(first.raw)
    else:
        template = _resolve(first, data, context, variables)
        pieces = _string("Format", template, "the first argument").split("{}")
    if len(pieces) - 1 != len(values):
        raise fail(
            "Format",
            f"the template has {len(pieces) - 1} placeholders but {len(values)} values "
            "were supplied",
        )
    out = [pieces[0]]
    for value, piece in zip(values, pieces[1:], strict=True):
        out.append(format_value(value))
        out.append(piece)
    return "".join(out)


def _split_template(raw: str) -> list[str]:
    """Split a literal's raw text on unescaped `{}`, then unescape each piece."""
    pieces: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(raw):
        char = raw[index]
        if char == "\\" and index + 1 < len(raw):
            current.append(raw[index + 1])
            index += 2
        elif raw.startswith("{}", index):
            pieces.append("".join(current))
            current = []
            index += 2
        else:
            current.append(char)
            index += 1
    pieces.append("".join(current))
    return pieces


def format_value(value: Any) -> str:
    """A value's text inside States.Format, as Step Functions' Java runtime prints it.

    Strings appear unquoted; objects print like a Java map (`{a=1, b=[1, 2]}`), which the
    recorded `$$.StateMachine` case shows.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "[" + ", ".join(format_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}={format_value(item)}" for key, item in value.items()) + "}"
    return json.dumps(value)


# ---------------------------------------------------------------------------- JSON


def _string_to_json(values: list[Any]) -> Any:
    _arity("StringToJson", values, 1)
    text = _string("StringToJson", values[0], "the argument")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise fail("StringToJson", f"the argument is not valid JSON: {text}") from exc


def _json_to_string(values: list[Any]) -> str:
    _arity("JsonToString", values, 1)
    return to_compact_json(values[0])


def _json_merge(values: list[Any]) -> dict[str, Any]:
    _arity("JsonMerge", values, 3)
    left, right, deep = values
    if not isinstance(left, dict) or not isinstance(right, dict):
        raise fail("JsonMerge", "the first two arguments must be JSON objects")
    if not isinstance(deep, bool):
        raise fail("JsonMerge", "the third argument must be a boolean")
    if deep:
        raise fail("JsonMerge", "deep merging is not supported; the third argument must be false")
    return {**left, **right}


# ---------------------------------------------------------------------------- arrays


def _array_fn(values: list[Any]) -> list[Any]:
    return list(values)


def _array_partition(values: list[Any]) -> list[list[Any]]:
    _arity("ArrayPartition", values, 2)
    array = _array("ArrayPartition", values[0])
    size = _integer("ArrayPartition", values[1], "the chunk size")
    if size <= 0:
        raise fail("ArrayPartition", f"the chunk size must be a positive integer but was {size}")
    return [array[start : start + size] for start in range(0, len(array), size)]


def _array_contains(values: list[Any]) -> bool:
    _arity("ArrayContains", values, 2)
    array = _array("ArrayContains", values[0])
    return any(json_equal(item, values[1]) for item in array)


def _array_range(values: list[Any]) -> list[int]:
    _arity("ArrayRange", values, 3)
    start = _integer("ArrayRange", values[0], "the start")
    end = _integer("ArrayRange", values[1], "the end")
    step = _integer("ArrayRange", values[2], "the step")
    if step == 0:
        raise fail("ArrayRange", "the step must be a non-zero integer")
    count = max(0, (end - start) // step + 1)
    if count > MAX_ARRAY_RANGE:
        raise fail("ArrayRange", f"the array cannot contain more than {MAX_ARRAY_RANGE} items")
    return [start + step * i for i in range(count)]


def _array_get_item(values: list[Any]) -> Any:
    _arity("ArrayGetItem", values, 2)
    array = _array("ArrayGetItem", values[0])
    index = _integer("ArrayGetItem", values[1], "the index")
    if not 0 <= index < len(array):
        raise fail("ArrayGetItem", f"the index {index} is out of bounds for length {len(array)}")
    return array[index]


def _array_length(values: list[Any]) -> int:
    _arity("ArrayLength", values, 1)
    return len(_array("ArrayLength", values[0], "the argument"))


def _array_unique(values: list[Any]) -> list[Any]:
    _arity("ArrayUnique", values, 1)
    unique: list[Any] = []
    for item in _array("ArrayUnique", values[0], "the argument"):
        if not any(json_equal(item, seen) for seen in unique):
            unique.append(item)
    return unique


# ---------------------------------------------------------------------------- encoding


def _base64_encode(values: list[Any]) -> str:
    _arity("Base64Encode", values, 1)
    text = _string("Base64Encode", values[0], "the argument")
    if len(text) > MAX_ENCODE_CHARS:
        raise fail("Base64Encode", f"the input cannot exceed {MAX_ENCODE_CHARS} characters")
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _base64_decode(values: list[Any]) -> str:
    _arity("Base64Decode", values, 1)
    text = _string("Base64Decode", values[0], "the argument")
    if len(text) > MAX_ENCODE_CHARS:
        raise fail("Base64Decode", f"the input cannot exceed {MAX_ENCODE_CHARS} characters")
    try:
        return base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise fail("Base64Decode", "the argument is not valid base64-encoded UTF-8") from exc


def _hash(values: list[Any]) -> str:
    _arity("Hash", values, 2)
    text = _string("Hash", values[0], "the data")
    algorithm = _string("Hash", values[1], "the algorithm")
    if len(text) > MAX_ENCODE_CHARS:
        raise fail("Hash", f"the input cannot exceed {MAX_ENCODE_CHARS} characters")
    digest = HASH_ALGORITHMS.get(algorithm)
    if digest is None:
        supported = ", ".join(HASH_ALGORITHMS)
        raise fail("Hash", f"unknown algorithm '{algorithm}'; supported: {supported}")
    return str(digest(text.encode("utf-8")).hexdigest())


# ---------------------------------------------------------------------------- math, strings


def _math_random(values: list[Any]) -> int:
    _arity("MathRandom", values, 2, 3)
    start = _integer("MathRandom", values[0], "the start")
    end = _integer("MathRandom", values[1], "the end")
    if start >= end:
        raise fail("MathRandom", "the start must be less than the end")
    if len(values) == 3:
        seed = _integer("MathRandom", values[2], "the seed")
        return random.Random(seed).randrange(start, end)
    return random.randrange(start, end)


def _math_add(values: list[Any]) -> int:
    _arity("MathAdd", values, 2)
    total = 0
    for position, value in enumerate(values):
        number = _integer("MathAdd", value, f"argument {position + 1}")
        if not INT_MIN <= number <= INT_MAX:
            raise fail("MathAdd", f"argument {position + 1} is outside [{INT_MIN}, {INT_MAX}]")
        total += number
    return total


def _string_split(values: list[Any]) -> list[str]:
    """Split on any of the delimiter's characters, dropping empty pieces (as AWS does)."""
    _arity("StringSplit", values, 2)
    text = _string("StringSplit", values[0], "the first argument")
    delimiters = _string("StringSplit", values[1], "the delimiter")
    if not delimiters:
        return [text] if text else []
    pattern = "[" + re.escape(delimiters) + "]"
    return [piece for piece in re.split(pattern, text) if piece]


def _uuid(values: list[Any]) -> str:
    _arity("UUID", values, 0)
    return str(uuid.uuid4())


_FUNCTIONS: dict[str, Callable[[list[Any]], Any]] = {
    "Format": lambda values: None,  # needs the template's escapes: handled in _call
    "StringToJson": _string_to_json,
    "JsonToString": _json_to_string,
    "JsonMerge": _json_merge,
    "Array": _array_fn,
    "ArrayPartition": _array_partition,
    "ArrayContains": _array_contains,
    "ArrayRange": _array_range,
    "ArrayGetItem": _array_get_item,
    "ArrayLength": _array_length,
    "ArrayUnique": _array_unique,
    "Base64Encode": _base64_encode,
    "Base64Decode": _base64_decode,
    "Hash": _hash,
    "MathRandom": _math_random,
    "MathAdd": _math_add,
    "StringSplit": _string_split,
    "UUID": _uuid,
}

FUNCTION_NAMES = frozenset(f"States.{name}" for name in _FUNCTIONS)
