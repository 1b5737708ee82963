"""Function names, ARNs and qualifiers as Lambda accepts them, and function identities.

``FunctionName`` may be a name (``my-function``), a full ARN
(``arn:aws:lambda:us-east-1:123456789012:function:my-function``) or a partial ARN
(``123456789012:function:my-function``), each optionally ending in ``:qualifier``.

Functions and layers belong to an account and a region, as in AWS. Inside the service a
function is identified by its unqualified ARN (its *function id*): it is unique across
accounts and regions, and it is what AWS's own messages name. A caller's plain name
becomes an id in the caller's :class:`Scope` (``services/scope.py``); an ARN carries its own.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from stratus.services.functions.errors import InvalidParameter, Validation
from stratus.services.scope import DEFAULT_ACCOUNT_ID, Scope

ACCOUNT_ID = DEFAULT_ACCOUNT_ID

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
    region: str | None = None  # from an ARN form; None: the caller's
    account: str | None = None

    def function_id(self, scope: Scope) -> str:
        """The function's id: its unqualified ARN, in the ARN's scope or the caller's."""
        return function_arn(
            self.region or scope.region, self.name, account=self.account or scope.account
        )


def function_arn(
    region: str, name: str, qualifier: str | None = None, *, account: str = ACCOUNT_ID
) -> str:
    arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


def qualified(function_id: str, qualifier: str | None) -> str:
    """A function id (unqualified ARN) with ``:qualifier`` when there is one."""
    return f"{function_id}:{qualifier}" if qualifier else function_id


def name_of(function_id: str) -> str:
    """The plain function name in a function id."""
    return function_id.rsplit(":", 1)[-1]


def layer_arn(
    region: str, name: str, version: int | None = None, *, account: str = ACCOUNT_ID
) -> str:
    arn = f"arn:aws:lambda:{region}:{account}:layer:{name}"
    return f"{arn}:{version}" if version is not None else arn


def validation_message(value: str, member: str, constraint: str) -> str:
    return (
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
        f"constraint: {constraint}"
    )


@functools.lru_cache(maxsize=4096)
def parse_function_name(
    value: str, qualifier: str | None = None, *, member: str = "functionName"
) -> FunctionRef:
    """Split a FunctionName parameter into name and qualifier, checking Lambda's rules.

    Cached (the result is immutable; refusals raise and are not kept): every Invoke
    parses the same few names, and on an invoke that follows an idle moment this is
    one of the steps whose cost is mostly cold caches."""
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
    return FunctionRef(
        name,
        derived if derived is not None else qualifier,
        match.group("region"),
        match.group("account") or match.group("paccount"),
    )


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
