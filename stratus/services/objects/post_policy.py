"""The policy document of a browser upload (POST Object), checked as S3 checks it.

A signed form carries a base64 JSON document: an ``expiration`` and a list of
``conditions`` that every form field must meet (exact matches, ``eq``, ``starts-with``,
``content-length-range``). Every field the form sends, except the signature's own and
``x-ignore-*``, must be named by some condition. A pure check: the form in, the allowed
size range out, or the exception S3's answer is made from.
See https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html
"""

from __future__ import annotations

import base64
import binascii
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from stratus.services.objects import errors as oe

__all__ = ["SizeRange", "check_policy", "check_size"]

#: Fields a policy need not name: the signature's own, the file, ``x-ignore-*``.
_EXEMPT = frozenset(
    {"awsaccesskeyid", "signature", "file", "policy", "x-amz-signature", "x-amz-security-token"}
)
_EXPIRATION_FORMATS = ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class SizeRange:
    """``content-length-range``: the file's size must lie within it (inclusive)."""

    minimum: int = 0
    maximum: int | None = None


@dataclass(frozen=True, slots=True)
class _Condition:
    operator: str  # "eq", "starts-with" or "content-length-range"
    field: str  # lower-cased, without "$"
    value: str
    text: str  # the condition as written, for the error message


def _denied(reason: str) -> oe.AccessDenied:
    return oe.AccessDenied(f"Invalid according to Policy: {reason}")


def _decode(policy: str) -> dict[str, Any]:
    try:
        document = orjson.loads(base64.b64decode(policy, validate=False))
    except (binascii.Error, ValueError):
        raise oe.InvalidPolicyDocument("Invalid JSON.") from None
    if not isinstance(document, dict):
        raise oe.InvalidPolicyDocument("Invalid JSON.")
    return document


def _expiration(value: Any) -> float:
    if not isinstance(value, str):
        raise oe.InvalidPolicyDocument(f"Invalid 'expiration' value: '{value}'")
    for pattern in _EXPIRATION_FORMATS:
        try:
            return datetime.strptime(value, pattern).replace(tzinfo=UTC).timestamp()
        except ValueError:
            continue
    raise oe.InvalidPolicyDocument(f"Invalid 'expiration' value: '{value}'")


def _field(name: Any) -> str:
    if not isinstance(name, str) or not name.startswith("$"):
        raise oe.InvalidPolicyDocument(
            f"Invalid Condition: field name '{name}' must start with '$'"
        )
    return name[1:].lower()


def _conditions(raw: Any) -> tuple[list[_Condition], SizeRange]:
    if not isinstance(raw, list):
        raise oe.InvalidPolicyDocument("Invalid 'conditions' value: must be a List.")
    out: list[_Condition] = []
    size = SizeRange()
    for item in raw:
        text = orjson.dumps(item).decode()
        if isinstance(item, dict):
            if len(item) != 1:
                raise oe.InvalidPolicyDocument(
                    "Invalid Simple-Condition: Simple-Conditions must have exactly one "
                    "property specified."
                )
            ((name, value),) = item.items()
            if not isinstance(value, str):
                raise oe.InvalidPolicyDocument("Invalid Simple-Condition: value must be a string.")
            out.append(_Condition("eq", name.lower(), value, f'["eq", "${name}", "{value}"]'))
            continue
        if not isinstance(item, list) or not item or not isinstance(item[0], str):
            raise oe.InvalidPolicyDocument(f"Invalid Condition: {text}")
        operator = item[0].lower()
        if operator == "content-length-range":
            if (
                len(item) != 3
                or not all(isinstance(n, int) and not isinstance(n, bool) for n in item[1:])
                or item[1] < 0
                or item[2] < item[1]
            ):
                raise oe.InvalidPolicyDocument(f"Invalid content-length-range condition: {text}")
            size = SizeRange(item[1], item[2])
        elif operator in ("eq", "starts-with"):
            if len(item) != 3 or not isinstance(item[2], str):
                raise oe.InvalidPolicyDocument(
                    f"Invalid Condition: wrong number of arguments: {text}"
                )
            out.append(_Condition(operator, _field(item[1]), item[2], text))
        else:
            raise oe.InvalidPolicyDocument(f"Invalid Condition: unknown operator '{item[0]}'")
    return out, size


def _holds(condition: _Condition, value: str | None) -> bool:
    if value is None:
        return False
    if condition.operator == "eq":
        return value == condition.value
    return value.startswith(condition.value)


def check_policy(
    policy: str, fields: dict[str, str], bucket: str, now: float | None = None
) -> SizeRange:
    """Check the form's ``fields`` (lower-cased names; ``key`` already has ``${filename}``
    replaced) against the base64 ``policy``; the file's allowed sizes come back."""
    document = _decode(policy)
    if "expiration" not in document:
        raise oe.InvalidPolicyDocument("Policy missing expiration.")
    if "conditions" not in document:
        raise oe.InvalidPolicyDocument("Policy missing conditions.")
    expires = _expiration(document["expiration"])
    conditions, size = _conditions(document["conditions"])
    if (time.time() if now is None else now) > expires:
        raise _denied("Policy expired.")
    values = dict(fields)
    values["bucket"] = bucket
    for condition in conditions:
        if not _holds(condition, values.get(condition.field)):
            raise _denied(f"Policy Condition failed: {condition.text}")
    named = {c.field for c in conditions}
    for name in fields:
        if name in _EXEMPT or name.startswith("x-ignore-") or name in named:
            continue
        raise _denied(f"Extra input fields: {name}")
    return size


def check_size(size: int, allowed: SizeRange) -> None:
    if allowed.maximum is not None and size > allowed.maximum:
        raise oe.EntityTooLarge(size, allowed.maximum)
    if size < allowed.minimum:
        raise oe.EntityTooSmall(
            size,
            allowed.minimum,
            "Your proposed upload is smaller than the minimum allowed size",
        )
