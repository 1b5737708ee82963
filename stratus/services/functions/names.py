"""Function names, ARNs and qualifiers as Lambda accepts them.

``FunctionName`` may be a name (``my-function``), a full ARN
(``arn:aws:lambda:us-east-1:123456789012:function:my-function``) or a partial ARN
(``123456789012:function:my-function``), each optionally ending in ``:qualifier``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stratus.services.functions.errors import InvalidParameter, Validation

ACCOUNT_ID = "000000000000"

FUNCTION_NAME_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?"
    r"(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?"
)
_FULL = re.compile(
    r"^(?:arn:(?P<partition>aws[a-zA-Z-]*):lambda:(?P<region>[a-z]{2}(?:-gov)?-[a-z]+-\d):"
    r"(?P<account>\d{12}):function:|(?P<paccount>\d{12}):function:)?"
    r"(?P<name>[a-zA-Z0-9_-]+)(?::(?P<qualifier>\$LATEST|[a-zA-Z0-9_-]+))?\Z"
)
_QUALIFIER = re.compile(r"^(\$LATEST|[a-zA-Z0-9-_]+)\Z")
# Patterns end in \Z, not $: $ also matches before a final newline, which would let
# "name\n" through as "name" (fuzz finding F4).
VERSION_NUMBER = re.compile(r"^[0-9]+\Z")


@dataclass(frozen=True, slots=True)
class FunctionRef:
    name: str
    qualifier: str | None


def function_arn(region: str, name: str, qualifier: str | None = None) -> str:
    arn = f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


def layer_arn(region: str, name: str, version: int | None = None) -> str:
    arn = f"arn:aws:lambda:{region}:{ACCOUNT_ID}:layer:{name}"
    return f"{arn}:{version}" if version is not None else arn


def validation_message(value: str, member: str, constraint: str) -> str:
    return (
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
        f"constraint: {constraint}"
    )


def parse_function_name(
    value: str, qualifier: str | None = None, *, member: str = "functionName"
) -> FunctionRef:
    """Split a FunctionName parameter into name and qualifier, checking Lambda's rules."""
    if not value or len(value) > 170:
        raise Validation(
            validation_message(value, member, "Member must have length less than or equal to 170")
            if value
            else validation_message(
                value, member, "Member must have length greater than or equal to 1"
            )
        )
    match = _FULL.match(value)
    if match is None:
        raise Validation(
            validation_message(
                value,
                member,
                f"Member must satisfy regular expression pattern: {FUNCTION_NAME_PATTERN}",
            )
        )
    name = match.group("name")
    if len(name) > 64:
        raise Validation(
            validation_message(value, member, "Member must have length less than or equal to 64")
        )
    derived = match.group("qualifier")
    if qualifier is not None:
        if not _QUALIFIER.match(qualifier) or len(qualifier) > 128:
            raise Validation(
                validation_message(
                    qualifier,
                    "qualifier",
                    "Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)",
                )
            )
        if derived is not None and derived != qualifier:
            raise InvalidParameter(
                "The derived qualifier from the function name does not match the specified "
                "qualifier."
            )
    return FunctionRef(name, derived if derived is not None else qualifier)


@dataclass(frozen=True, slots=True)
class LayerRef:
    name: str
    version: int | None


_LAYER = re.compile(
    r"^arn:aws[a-zA-Z-]*:lambda:[a-z]{2}(?:-gov)?-[a-z]+-\d:\d{12}:layer:"
    r"(?P<name>[a-zA-Z0-9-_]+)(?::(?P<version>[0-9]+))?\Z"
)
_LAYER_NAME = re.compile(r"^[a-zA-Z0-9-_]+\Z")


def parse_layer_name(value: str, member: str = "layerName") -> str:
    """A LayerName parameter is a name or a layer ARN without version."""
    match = _LAYER.match(value)
    if match is not None and match.group("version") is None:
        return match.group("name")
    if _LAYER_NAME.match(value) and len(value) <= 140:
        return value
    raise Validation(
        validation_message(
            value,
            member,
            "Member must satisfy regular expression pattern: "
            "(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+",
        )
    )


def parse_layer_version_arn(value: str) -> LayerRef:
    match = _LAYER.match(value)
    if match is None or match.group("version") is None:
        raise Validation(
            validation_message(
                value,
                "arn",
                "Member must satisfy regular expression pattern: "
                "arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+",
            )
        )
    return LayerRef(match.group("name"), int(match.group("version")))
