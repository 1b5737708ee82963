"""Input validation from the botocore model, worded as AWS's front ends word it.

Every AWS service built on Coral checks a request against its model before the service
code runs and answers all the violations at once::

    2 validation errors detected: Value 'x y' at 'functionName' failed to satisfy
    constraint: Member must satisfy regular expression pattern: ...; Value '0' at
    'timeout' failed to satisfy constraint: Member must have value greater than or
    equal to 1

This module compiles, once per (service, operation, protocol), a small tree of closures
from the operation's input shape, keeping only members that carry a constraint (or lead
to one), so a request whose shapes constrain little (Lambda's Invoke: a name pattern and
two enums; its payload is an unconstrained blob) costs a few dictionary lookups.

How AWS words each part, from its answers as users report them (sources in
``tests/aws/protocol/test_validation.py`` and ``tests/aws/lambda_/test_bad_requests.py``):

- members are named in lower camel case (``kMSKeyArn``), nested ones joined with dots
  (``vpcConfig.subnetIds``), items of a list of structures as ``tags.1.member.key``
  (1-based);
- the value is Java's ``toString`` of it in quotes (``'10241'``, ``'[a, b]'``,
  ``'{k=v}'``); a missing one is ``Value null``; a ``sensitive`` shape's value is never
  shown (``Value at 'environment.variables'``);
- one violation per broken constraint, the pattern before the length; a list or a map
  whose items break their own constraints is one violation at the collection that lists
  every constraint of the item shape: ``Member must satisfy constraint: [...]`` for a
  list, ``Map keys must satisfy constraint: [...]`` / ``Map value must satisfy
  constraint: [...]`` for a map;
- members in the model's order. AWS's own order follows its Java model's hashing and
  varies between services; ours is the model's, stable and documented.

Errors: ``json`` and ``rest-json`` services answer ``ValidationException``, ``query``
services ``ValidationError`` (both HTTP 400); the protocol edge renames it for the
services that call it otherwise (``aws/app.py`` ``VALIDATION_CODES``: API Gateway's
``BadRequestException``, CloudWatch Logs' ``InvalidParameterException``). ``rest-xml`` (S3) is not validated here: S3
does not answer Coral's messages but its own (``InvalidArgument``, ``InvalidBucketName``...),
which its provider raises.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from botocore.model import OperationModel, Shape

from stratus.aws.protocol.errors import QueryValidationError, RequestValidationError, ServiceError
from stratus.aws.protocol.java_regex import compile_java_pattern
from stratus.aws.protocol.models import ServiceSpec, lower_first

__all__ = [
    "VALIDATED_PROTOCOLS",
    "check_input",
    "input_violations",
    "render_value",
    "validation_error",
]

#: Protocols whose services answer Coral's validation messages.
VALIDATED_PROTOCOLS = frozenset({"json", "rest-json", "query"})

# A check appends the violations of one (present) value at ``path`` to ``out``.
Check = Callable[[Any, str, list[str]], None]

_CHECKS: dict[tuple[str, str, str], Check | None] = {}


def check_input(
    spec: ServiceSpec, protocol: str, operation: OperationModel, params: Mapping[str, Any]
) -> None:
    """Raise the protocol's validation error if ``params`` break the operation's model.

    The one call :class:`~stratus.aws.app.AwsApp` makes between parsing and the provider.
    """
    key = (spec.name, operation.name, protocol)
    try:
        check = _CHECKS[key]
    except KeyError:
        check = _CHECKS[key] = _operation_check(operation, protocol)
    if check is None:
        return
    out: list[str] = []
    check(params, "", out)
    if out:
        raise validation_error(out, protocol)


def input_violations(operation: OperationModel, params: Mapping[str, Any]) -> list[str]:
    """Every violation of ``params`` against the operation's input shape, in order."""
    check = _operation_check(operation, "json")
    out: list[str] = []
    if check is not None:
        check(params, "", out)
    return out


def validation_error(violations: list[str], protocol: str) -> ServiceError:
    """AWS's error listing ``violations``: ``N validation error(s) detected: a; b``."""
    count = len(violations)
    noun = "error" if count == 1 else "errors"
    message = f"{count} validation {noun} detected: " + "; ".join(violations)
    if protocol == "query":
        return QueryValidationError(message)
    return RequestValidationError(message)


def _operation_check(operation: OperationModel, protocol: str) -> Check | None:
    if protocol not in VALIDATED_PROTOCOLS:
        return None
    shape = operation.input_shape
    if shape is None:
        return None
    return _Compiler(enums=operation.service_model.service_name not in _OWN_ENUMS).compile(shape)


#: Services that check their enums themselves: SQS answers an unknown attribute name with
#: InvalidAttributeName ("Unknown Attribute X."), and ReceiveMessage's deprecated
#: ``AttributeNames`` (modeled as queue attribute names) still takes message system
#: attribute names such as ``SentTimestamp``.
_OWN_ENUMS = frozenset({"sqs"})


# -- compiling shapes into checks ---------------------------------------------------------


class _Compiler:
    """Turn a shape tree into checks; models are recursive, so shapes are compiled once
    each and a shape met again while being compiled is checked through a late binding."""

    def __init__(self, *, enums: bool = True) -> None:
        self._enums = enums
        self._done: dict[str, Check | None] = {}
        self._pending: dict[str, list[Check | None]] = {}

    def compile(self, shape: Shape) -> Check | None:
        name = shape.name
        if name in self._done:
            return self._done[name]
        pending = self._pending.get(name)
        if pending is not None:
            return _late(pending)
        cell: list[Check | None] = [None]
        self._pending[name] = cell
        check = self._build(shape)
        cell[0] = check
        del self._pending[name]
        self._done[name] = check
        return check

    def _build(self, shape: Shape) -> Check | None:
        kind = shape.type_name
        if kind == "structure":
            if getattr(shape, "is_document_type", False):
                return None
            return self._structure(shape)
        if kind == "list":
            return self._list(shape)
        if kind == "map":
            return self._map(shape)
        return _scalar_check(shape, self._enums)

    def _structure(self, shape: Shape) -> Check | None:
        required = set(shape.required_members)
        members: list[tuple[str, str, bool, bool, Check | None]] = []
        for name, member in shape.members.items():
            check = self.compile(member)
            if check is None and name not in required:
                continue
            sensitive = bool(member.serialization.get("sensitive") or _sensitive(member))
            members.append((name, lower_first(name), name in required, sensitive, check))
        if not members:
            return None
        entries = tuple(members)

        def check_structure(value: Any, path: str, out: list[str]) -> None:
            if not isinstance(value, dict):
                return
            prefix = f"{path}." if path else ""
            for name, wire, is_required, sensitive, member_check in entries:
                item = value.get(name)
                if item is None:
                    if is_required:
                        shown = "Value at" if sensitive else "Value null at"
                        out.append(
                            f"{shown} '{prefix}{wire}' failed to satisfy constraint: "
                            "Member must not be null"
                        )
                elif member_check is not None:
                    member_check(item, prefix + wire, out)

        return check_structure

    def _list(self, shape: Shape) -> Check | None:
        size = _size_checks(shape)
        member = shape.member
        item_check: Check | None = None
        if member.type_name in ("structure", "list", "map"):
            nested = self.compile(member)
            if nested is not None:

                def item_check(value: Any, path: str, out: list[str]) -> None:
                    for index, item in enumerate(value, 1):
                        if item is not None:
                            nested(item, f"{path}.{index}.member", out)

        else:
            scalar = _scalar_check(member, self._enums)
            if scalar is not None:
                summary = ", ".join([*_descriptions(member), "Member must not be null"])
                reason = f"Member must satisfy constraint: [{summary}]"

                def item_check(value: Any, path: str, out: list[str]) -> None:
                    found: list[str] = []
                    for item in value:
                        if item is None:
                            found.append("null")
                            break
                        scalar(item, path, found)
                        if found:
                            break
                    if found:
                        out.append(_violation(shape, value, path, reason))

        if size is None and item_check is None:
            return None

        def check_list(value: Any, path: str, out: list[str]) -> None:
            if not isinstance(value, list):
                return
            if size is not None:
                size(value, len(value), path, out)
            if item_check is not None:
                item_check(value, path, out)

        return check_list

    def _map(self, shape: Shape) -> Check | None:
        size = _size_checks(shape)
        key_check = _scalar_check(shape.key, self._enums)
        key_reason = (
            "Map keys must satisfy constraint: [" + ", ".join(_descriptions(shape.key)) + "]"
        )
        value_shape = shape.value
        value_scalar: Check | None = None
        value_nested: Check | None = None
        if value_shape.type_name in ("structure", "list", "map"):
            value_nested = self.compile(value_shape)
        else:
            value_scalar = _scalar_check(value_shape, self._enums)
        value_reason = (
            "Map value must satisfy constraint: [" + ", ".join(_descriptions(value_shape)) + "]"
        )
        if size is None and key_check is None and value_scalar is None and value_nested is None:
            return None

        def check_map(value: Any, path: str, out: list[str]) -> None:
            if not isinstance(value, dict):
                return
            if size is not None:
                size(value, len(value), path, out)
            if key_check is not None:
                found: list[str] = []
                for key in value:
                    key_check(key, path, found)
                    if found:
                        out.append(_violation(shape, value, path, key_reason))
                        break
            if value_scalar is not None:
                found = []
                for item in value.values():
                    value_scalar(item, path, found)
                    if found:
                        out.append(_violation(shape, value, path, value_reason))
                        break
            if value_nested is not None:
                for key, item in value.items():
                    value_nested(item, f"{path}.{key}", out)

        return check_map


def _late(cell: list[Check | None]) -> Check:
    """A check of a shape still being compiled (a recursive model), bound when it is."""

    def late(value: Any, path: str, out: list[str]) -> None:
        check = cell[0]
        if check is not None:
            check(value, path, out)

    return late


def _sensitive(shape: Shape) -> bool:
    return bool(getattr(shape, "metadata", {}).get("sensitive"))


# -- scalars ------------------------------------------------------------------------------

SizeCheck = Callable[[Any, int, str, list[str]], None]

_REMEMBERED_VALUES = 1024  # per distinct pattern constraint set
_REMEMBERED_LENGTH = 256  # longer values are checked every time


def _scalar_check(shape: Shape, enums: bool = True) -> Check | None:
    """The checks of a string, number or blob shape, in AWS's order: pattern, length,
    range, enum (unless ``enums`` is false: the service checks them)."""
    kind = shape.type_name
    if kind == "string":
        return _string_check(shape, enums)
    if kind in ("integer", "long", "float", "double"):
        return _range_check(shape)
    if kind == "blob":
        if shape.serialization.get("streaming") or shape.metadata.get("streaming"):
            return None  # a streamed body (Invoke's Payload): its size is the service's rule
        size = _size_checks(shape)
        if size is None:
            return None

        def check_blob(value: Any, path: str, out: list[str]) -> None:
            if isinstance(value, bytes | bytearray):
                size(value, len(value), path, out)

        return check_blob
    return None


_STRING_CHECKS: dict[tuple[Any, ...], Check | None] = {}


def _string_check(shape: Shape, enums: bool = True) -> Check | None:
    """One check per distinct set of string constraints, shared by every operation and shape
    that has it (Lambda's ``FunctionName`` serves some thirty operations), so the values
    it remembers are bounded per constraint set, not per operation."""
    metadata = shape.metadata
    enum = metadata.get("enum") if enums else None
    key = (
        metadata.get("pattern"),
        metadata.get("min"),
        metadata.get("max"),
        tuple(enum) if enum else None,
        _sensitive(shape),
    )
    try:
        return _STRING_CHECKS[key]
    except KeyError:
        check = _STRING_CHECKS[key] = _build_string_check(shape, enums)
        return check


def _build_string_check(shape: Shape, enums: bool = True) -> Check | None:
    metadata = shape.metadata
    pattern_text = metadata.get("pattern")
    pattern = compile_java_pattern(pattern_text) if pattern_text is not None else None
    size = _size_checks(shape)
    enum = metadata.get("enum") if enums else None
    allowed = frozenset(enum) if enum else None
    if pattern is None and size is None and allowed is None:
        return None
    pattern_reason = f"Member must satisfy regular expression pattern: {pattern_text}"
    enum_reason = f"Member must satisfy enum value set: [{', '.join(enum or ())}]"
    fullmatch = pattern.fullmatch if pattern is not None else None
    # Values that passed the pattern, so the hot path (the same function name on every
    # Invoke) costs a set lookup instead of a regular expression. Bounded: emptied when full.
    remember = fullmatch is not None
    passed: set[str] = set()

    def check_string(value: Any, path: str, out: list[str]) -> None:
        if not isinstance(value, str) or value in passed:
            return
        found = len(out)
        if fullmatch is not None and fullmatch(value) is None:
            out.append(_violation(shape, value, path, pattern_reason))
        if size is not None:
            size(value, _java_length(value), path, out)
        if allowed is not None and value not in allowed:
            out.append(_violation(shape, value, path, enum_reason))
        if remember and len(out) == found and len(value) <= _REMEMBERED_LENGTH:
            if len(passed) >= _REMEMBERED_VALUES:
                passed.clear()
            passed.add(value)

    return check_string


def _range_check(shape: Shape) -> Check | None:
    metadata = shape.metadata
    low = metadata.get("min")
    high = metadata.get("max")
    if low is None and high is None:
        return None
    floating = shape.type_name in ("float", "double")
    low_reason = f"Member must have value greater than or equal to {_bound(low, floating)}"
    high_reason = f"Member must have value less than or equal to {_bound(high, floating)}"

    def check_range(value: Any, path: str, out: list[str]) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return
        if high is not None and value > high:
            out.append(_violation(shape, value, path, high_reason))
        elif low is not None and value < low:
            out.append(_violation(shape, value, path, low_reason))

    return check_range


def _size_checks(shape: Shape) -> SizeCheck | None:
    """Length bounds of a string, blob, list or map (AWS says "length" for all four)."""
    metadata = shape.metadata
    low = metadata.get("min")
    high = metadata.get("max")
    if low is not None and low <= 0:
        low = None
    if low is None and high is None:
        return None
    high_reason = f"Member must have length less than or equal to {high}"
    low_reason = f"Member must have length greater than or equal to {low}"

    def check_size(value: Any, size: int, path: str, out: list[str]) -> None:
        if high is not None and size > high:
            out.append(_violation(shape, value, path, high_reason))
        elif low is not None and size < low:
            out.append(_violation(shape, value, path, low_reason))

    return check_size


def _descriptions(shape: Shape) -> list[str]:
    """Every constraint of an item shape, as AWS lists them inside ``[...]``: maximum,
    minimum, pattern, enum (the order of Lambda's ``layers`` and ``subnetIds`` answers)."""
    metadata = shape.metadata
    kind = shape.type_name
    found: list[str] = []
    noun = "value" if kind in ("integer", "long", "float", "double") else "length"
    floating = kind in ("float", "double")
    if metadata.get("max") is not None:
        found.append(
            f"Member must have {noun} less than or equal to {_bound(metadata['max'], floating)}"
        )
    if metadata.get("min") is not None:
        found.append(
            f"Member must have {noun} greater than or equal to {_bound(metadata['min'], floating)}"
        )
    if metadata.get("pattern") is not None:
        found.append(f"Member must satisfy regular expression pattern: {metadata['pattern']}")
    if metadata.get("enum"):
        found.append(f"Member must satisfy enum value set: [{', '.join(metadata['enum'])}]")
    return found


def _violation(shape: Shape, value: Any, path: str, reason: str) -> str:
    if _sensitive(shape):
        return f"Value at '{path}' failed to satisfy constraint: {reason}"
    return f"Value '{render_value(value)}' at '{path}' failed to satisfy constraint: {reason}"


def _java_length(text: str) -> int:
    """``String.length()`` in Java counts UTF-16 code units: an emoji is 2."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def _bound(bound: Any, floating: bool) -> str:
    if floating:
        return _java_double(float(bound))
    return str(int(bound)) if isinstance(bound, float) and bound.is_integer() else str(bound)


# -- values as AWS's Java backend prints them ---------------------------------------------


def render_value(value: Any) -> str:
    """``String.valueOf`` of the value AWS's Java model would hold.

    Strings as they are, numbers and booleans as Java prints them, lists ``[a, b]``, maps
    ``{k=v}``, blobs as the ``java.nio.HeapByteBuffer`` that holds them.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _java_double(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(render_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{render_value(k)}={render_value(v)}" for k, v in value.items()) + "}"
        )
    if isinstance(value, bytes | bytearray):
        size = len(value)
        return f"java.nio.HeapByteBuffer[pos=0 lim={size} cap={size}]"
    if isinstance(value, datetime):
        return value.strftime("%a %b %d %H:%M:%S UTC %Y")
    if value is None:
        return "null"
    return str(value)


def _java_double(number: float) -> str:
    """``Double.toString``: ``1.0``, ``0.5``, ``1.0E10``, ``1.0E-5``, ``NaN``, ``Infinity``."""
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    magnitude = abs(number)
    if number == 0 or 1e-3 <= magnitude < 1e7:
        text = repr(number)
        return text if "." in text else f"{text}.0"
    text = repr(magnitude)  # the shortest digits that read back as the same double
    mantissa, _, exponent = text.partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    leading = len(digits) - len(digits.lstrip("0"))
    significant = digits.strip("0") or "0"
    power = len(whole) + int(exponent or 0) - leading - 1
    sign = "-" if number < 0 else ""
    return f"{sign}{significant[0]}.{significant[1:] or '0'}E{power}"
