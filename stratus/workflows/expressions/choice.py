"""JSONPath Choice rules (developer guide, "Choice workflow state").

A rule is a boolean combination (`And`, `Or`, `Not`) or a comparison of the value at
`Variable` against a literal (`StringEquals`) or against another path (`StringEqualsPath`).
A comparison whose operand has the wrong type is simply false; only a `Variable` (or a
`...Path` operand) that selects nothing is an error, and `IsPresent` exists to test that.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from stratus.workflows.errors import StatesError

from .jsonpath import PathNotFound, exists, select
from .values import is_number

Compare = Callable[[Any, Any], bool]

_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "GreaterThan": operator.gt,
    "LessThanEquals": operator.le,
    "GreaterThanEquals": operator.ge,
}

# RFC 3339 as Step Functions restricts it: uppercase T and Z, offsets as +hh:mm.
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})"
)


def parse_timestamp(value: Any) -> datetime | None:
    """The instant a timestamp string denotes, or None when it is not one."""
    if not isinstance(value, str):
        return None
    match = _TIMESTAMP.fullmatch(value)
    if not match:
        return None
    fraction = match.group(7) or ""
    # Python keeps microseconds: truncate finer fractions rather than reject them.
    text = value[: match.start(7)] if fraction else value[: match.start(8)]
    if fraction:
        text += fraction[:7]
    zone = match.group(8)
    text += "+00:00" if zone == "Z" else zone
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _string_compare(test: Callable[[Any, Any], bool]) -> Compare:
    return lambda a, b: isinstance(a, str) and isinstance(b, str) and test(a, b)


def _numeric_compare(test: Callable[[Any, Any], bool]) -> Compare:
    return lambda a, b: is_number(a) and is_number(b) and test(a, b)


def _timestamp_compare(test: Callable[[Any, Any], bool]) -> Compare:
    def compare(left: Any, right: Any) -> bool:
        a, b = parse_timestamp(left), parse_timestamp(right)
        return a is not None and b is not None and test(a, b)

    return compare


def _boolean_equals(left: Any, right: Any) -> bool:
    return isinstance(left, bool) and isinstance(right, bool) and left == right


@lru_cache(maxsize=1024)
def wildcard_pattern(pattern: str) -> re.Pattern[str]:
    """StringMatches: `*` matches any run of characters; `\\*` and `\\\\` are literals."""
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            out.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        out.append(".*" if char == "*" else re.escape(char))
        index += 1
    return re.compile("".join(out), re.DOTALL)


def _string_matches(left: Any, right: Any) -> bool:
    return (
        isinstance(left, str)
        and isinstance(right, str)
        and bool(wildcard_pattern(right).fullmatch(left))
    )


COMPARISONS: dict[str, Compare] = {
    "BooleanEquals": _boolean_equals,
    "StringMatches": _string_matches,
}
for _suffix, _test in _ORDER.items():
    COMPARISONS[f"String{_suffix}"] = _string_compare(_test)
    COMPARISONS[f"Numeric{_suffix}"] = _numeric_compare(_test)
    COMPARISONS[f"Timestamp{_suffix}"] = _timestamp_compare(_test)

PATH_COMPARISONS: dict[str, Compare] = {
    f"{name}Path": compare for name, compare in COMPARISONS.items() if name != "StringMatches"
}

TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "IsNull": lambda value: value is None,
    "IsNumeric": is_number,
    "IsString": lambda value: isinstance(value, str),
    "IsBoolean": lambda value: isinstance(value, bool),
    "IsTimestamp": lambda value: parse_timestamp(value) is not None,
}

OPERATORS = (
    frozenset(COMPARISONS) | frozenset(PATH_COMPARISONS) | frozenset(TYPE_TESTS) | {"IsPresent"}
)


def invalid_path(path: str) -> StatesError:
    """AWS's error when a Choice rule's path selects nothing."""
    return StatesError(
        "States.Runtime",
        f"Invalid path '{path}': The choice state's condition path references an invalid value.",
    )


def matches(
    rule: Mapping[str, Any],
    data: Any,
    context: Mapping[str, Any],
    variables: Mapping[str, Any] | None = None,
) -> bool:
    """Whether a JSONPath Choice rule holds for the state's effective input."""
    if "And" in rule:
        return all(matches(inner, data, context, variables) for inner in rule["And"])
    if "Or" in rule:
        return any(matches(inner, data, context, variables) for inner in rule["Or"])
    if "Not" in rule:
        return not matches(rule["Not"], data, context, variables)
    variable = rule.get("Variable")
    if not isinstance(variable, str):
        raise StatesError("States.Runtime", "A Choice rule needs a 'Variable' path")
    name = _operator_of(rule)
    expected = rule[name]
    if name == "IsPresent":
        return exists(data, variable, context, variables) == bool(expected)
    value = _lookup(variable, data, context, variables)
    if name in TYPE_TESTS:
        return TYPE_TESTS[name](value) == bool(expected)
    if name in PATH_COMPARISONS:
        other = _lookup(expected, data, context, variables)
        return PATH_COMPARISONS[name](value, other)
    return COMPARISONS[name](value, expected)


def _operator_of(rule: Mapping[str, Any]) -> str:
    for key in rule:
        if key in OPERATORS:
            return key
    raise StatesError("States.Runtime", f"No comparison operator in Choice rule {dict(rule)}")


def _lookup(
    path: Any, data: Any, context: Mapping[str, Any], variables: Mapping[str, Any] | None
) -> Any:
    if not isinstance(path, str):
        raise invalid_path(str(path))
    try:
        return select(data, path, context, variables)
    except PathNotFound as exc:
        raise invalid_path(path) from exc
