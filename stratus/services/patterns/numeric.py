"""The ``numeric`` operator: one comparison or a two-sided range, checked like Event Ruler.

Operands are ``["=", x]``, ``[">" | ">=" | "<" | "<=", x]`` or a lower bound followed by
an upper one (``[">", 0, "<=", 5]``). Only JSON numbers match: the string "5" does not.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from stratus.services.patterns.errors import Refusal


def is_number(value: Any) -> bool:
    """A JSON number (Python's bool is an int, and is not one)."""
    cls = value.__class__
    return cls is int or cls is float


def _text(token: Any) -> str:
    """How Jackson prints the token Event Ruler complains about."""
    if isinstance(token, list):
        return "["
    if isinstance(token, dict):
        return "{"
    return token if isinstance(token, str) else json.dumps(token)


@dataclass(frozen=True, slots=True)
class NumericRange:
    low: float
    low_open: bool
    high: float
    high_open: bool

    def contains(self, value: Any) -> bool:
        cls = value.__class__
        if cls is not int and cls is not float:
            return False
        if value < self.low or (self.low_open and value == self.low):
            return False
        return not (value > self.high or (self.high_open and value == self.high))


def parse_numeric(operand: Any) -> NumericRange:
    """Compile a ``numeric`` operand or raise Refusal with Event Ruler's sentence."""
    if not isinstance(operand, list):
        raise Refusal("Value of numeric must be an array.")
    if not operand:
        raise Refusal("Invalid member in numeric match: ]")
    operator = operand[0]
    if not isinstance(operator, str):
        raise Refusal(f"Invalid member in numeric match: {_text(operator)}")
    rest = operand[1:]
    if operator == "=":
        value = _bound(rest, "equals")
        if len(rest) > 1:
            raise Refusal("Too many elements in numeric expression")
        return NumericRange(value, False, value, False)
    if operator in (">", ">="):
        low = _bound(rest, operator)
        if len(rest) == 1:
            return NumericRange(low, operator == ">", math.inf, False)
        upper = rest[1]
        if not isinstance(upper, str):
            raise Refusal(f"Bad value in numeric range: {_text(upper)}")
        if upper not in ("<", "<="):
            raise Refusal(f"Bad numeric range operator: {upper}")
        high = _bound(rest[2:], upper)
        if len(rest) > 3:
            raise Refusal("Too many terms in numeric range expression")
        if low >= high:
            raise Refusal("Bottom must be less than top")
        return NumericRange(low, operator == ">", high, upper == "<")
    if operator in ("<", "<="):
        high = _bound(rest, operator)
        if len(rest) > 1:
            raise Refusal("Too many elements in numeric expression")
        return NumericRange(-math.inf, False, high, operator == "<")
    raise Refusal(f"Unrecognized numeric range operator: {operator}")


def _bound(rest: list[Any], operator: str) -> float:
    if not rest or not is_number(rest[0]):
        raise Refusal(f"Value of {operator} must be numeric")
    value = float(rest[0])
    if not math.isfinite(value):
        raise Refusal(f"Value of {operator} must be numeric")
    return value
