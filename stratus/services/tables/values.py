"""Attribute values in DynamoDB's JSON form (``{"S": "x"}``, ``{"N": "1.5"}``,
``{"B": b"..."}``...): validation, number normalization, comparison and item size.

Numbers follow DynamoDB's rules ("Data types" in the DynamoDB developer guide): up to 38
significant digits, magnitudes from 1E-130 to 9.9999999999999999999999999999999999999E+125,
stored and returned in canonical form (leading and trailing zeros trimmed), compared
numerically. Item size follows "Item sizes and formats": names and values in UTF-8 bytes,
numbers one byte per two significant digits plus one, three bytes of overhead per map or
list plus one per element.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from stratus.services.tables.errors import ValidationError, invalid

AttributeValue = dict[str, Any]
Item = dict[str, AttributeValue]

MAX_ITEM_BYTES = 400 * 1024
TYPES = ("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL")
SCALAR_TYPES = ("S", "N", "B")
SET_TYPES = ("SS", "NS", "BS")

_CONTEXT = decimal.Context(prec=38, Emax=125, Emin=-130, traps=[decimal.InvalidOperation])
_MAX = Decimal("9.9999999999999999999999999999999999999E+125")
_MIN = Decimal("1E-130")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_SET_NAMES = {"SS": "string set", "NS": "number set", "BS": "binary set"}


def to_decimal(text: str) -> Decimal:
    """A number attribute's value checked against DynamoDB's range and precision."""
    if not isinstance(text, str) or not _NUMBER.match(text):
        raise ValidationError("A value provided cannot be converted into a number")
    value = Decimal(text)
    if value.is_zero():
        return Decimal(0)
    value = value.normalize(decimal.Context(prec=1000))
    if len(value.as_tuple().digits) > 38:
        raise ValidationError("Attempting to store more than 38 significant digits in a Number")
    magnitude = abs(value)
    if magnitude > _MAX:
        raise ValidationError(
            "Number overflow. Attempting to store a number with magnitude larger than "
            "supported range"
        )
    if magnitude < _MIN:
        raise ValidationError(
            "Number underflow. Attempting to store a number with magnitude smaller than "
            "supported range"
        )
    return value


def number_text(value: Decimal) -> str:
    """The canonical text DynamoDB returns for a number ("1.50" -> "1.5", "1e2" -> "100")."""
    if value.is_zero():
        return "0"
    return format(value.normalize(decimal.Context(prec=1000)), "f")


def arithmetic(op: str, left: Decimal, right: Decimal) -> Decimal:
    """``+`` / ``-`` of an update expression, with DynamoDB's 38-digit precision."""
    try:
        result = left + right if op == "+" else left - right
        result = _CONTEXT.plus(result)
    except (decimal.Overflow, decimal.InvalidOperation):
        raise ValidationError(
            "Number overflow. Attempting to store a number with magnitude larger than "
            "supported range"
        ) from None
    return to_decimal(str(result))


def type_of(value: AttributeValue) -> str:
    return next(iter(value))


MAX_DEPTH = 32  # "Nested attribute depth" in DynamoDB's quotas


def normalize_value(value: Any, *, depth: int = 0) -> AttributeValue:
    """One attribute value checked (exactly one type, non-empty sets without duplicates,
    valid numbers, at most 32 levels of nesting) and with its numbers in canonical form."""
    if depth > MAX_DEPTH:
        raise ValidationError("Nesting Levels have exceeded supported limits")
    if not isinstance(value, Mapping) or len(value) != 1:
        if isinstance(value, Mapping) and not value:
            raise invalid(
                "Supplied AttributeValue is empty, must contain exactly one of the "
                "supported datatypes"
            )
        raise invalid(
            "Supplied AttributeValue has more than one datatypes set, must contain "
            "exactly one of the supported datatypes"
        )
    kind, inner = next(iter(value.items()))
    if kind == "S":
        return {"S": inner}
    if kind == "N":
        return {"N": number_text(to_decimal(inner))}
    if kind == "B":
        return {"B": inner}
    if kind == "BOOL":
        return {"BOOL": bool(inner)}
    if kind == "NULL":
        if inner is not True:
            raise invalid("Null attribute value types must have the value of true")
        return {"NULL": True}
    if kind in SET_TYPES:
        if not inner:
            raise invalid(f"An {_SET_NAMES[kind]}  may not be empty")
        members = [number_text(to_decimal(x)) for x in inner] if kind == "NS" else list(inner)
        if len(set(members)) != len(members):
            shown = ", ".join(str(m) for m in inner)
            raise invalid(f"Input collection [{shown}] contains duplicates.")
        return {kind: members}
    if kind == "M":
        return {"M": {k: normalize_value(v, depth=depth + 1) for k, v in inner.items()}}
    if kind == "L":
        return {"L": [normalize_value(v, depth=depth + 1) for v in inner]}
    raise invalid(
        "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
    )


def normalize_item(item: Mapping[str, Any]) -> Item:
    return {name: normalize_value(value) for name, value in item.items()}


def value_size(value: AttributeValue) -> int:
    kind, inner = next(iter(value.items()))
    if kind == "S":
        return len(inner.encode("utf-8"))
    if kind == "N":
        return _number_size(inner)
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode("utf-8")) for s in inner)
    if kind == "NS":
        return sum(_number_size(n) for n in inner)
    if kind == "BS":
        return sum(len(b) for b in inner)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in inner)
    if kind == "M":
        return 3 + sum(1 + len(k.encode("utf-8")) + value_size(v) for k, v in inner.items())
    return 0


def _number_size(text: str) -> int:
    digits = text.lstrip("-").replace(".", "").strip("0")
    return (len(digits) + 1) // 2 + 1


def item_size(item: Mapping[str, AttributeValue]) -> int:
    """The item's size as DynamoDB counts it toward the 400 KB limit."""
    return sum(len(k.encode("utf-8")) + value_size(v) for k, v in item.items())


def check_size(item: Mapping[str, AttributeValue]) -> int:
    size = item_size(item)
    if size > MAX_ITEM_BYTES:
        raise ValidationError("Item size has exceeded the maximum allowed size")
    return size


def equal(a: AttributeValue, b: AttributeValue) -> bool:
    """DynamoDB equality: numbers by value, sets regardless of order."""
    ka, va = next(iter(a.items()))
    kb, vb = next(iter(b.items()))
    if ka != kb:
        return False
    if ka == "N":
        return bool(Decimal(va) == Decimal(vb))
    if ka == "NS":
        return {Decimal(x) for x in va} == {Decimal(x) for x in vb}
    if ka in ("SS", "BS"):
        return set(va) == set(vb)
    if ka == "L":
        return len(va) == len(vb) and all(equal(x, y) for x, y in zip(va, vb, strict=True))
    if ka == "M":
        return va.keys() == vb.keys() and all(equal(va[k], vb[k]) for k in va)
    return bool(va == vb)


def compare(a: AttributeValue, b: AttributeValue) -> int | None:
    """-1/0/1 for two scalars of one type (N numerically, S and B by bytes), else None."""
    ka, va = next(iter(a.items()))
    kb, vb = next(iter(b.items()))
    if ka != kb or ka not in SCALAR_TYPES:
        return None
    if ka == "N":
        d1, d2 = Decimal(va), Decimal(vb)
        return int(d1 > d2) - int(d1 < d2)
    if ka == "S":
        b1, b2 = bytes(va.encode("utf-8")), bytes(vb.encode("utf-8"))
    else:
        b1, b2 = bytes(va), bytes(vb)
    return int(b1 > b2) - int(b1 < b2)
