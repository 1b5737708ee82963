"""The IAM and STS models' constraints on names, paths and numbers.

The protocol layer checks only required members; lengths and patterns of the model
(``roleNameType``: 1..64 of ``[\\w+=,.@-]+``, ``pathType`` ...) are checked here, with
the message AWS's front end writes: ``1 validation error detected: Value 'x' at
'roleName' failed to satisfy constraint: ...``.
"""

from __future__ import annotations

import re

from stratus.services.identity.errors import InvalidName

__all__ = [
    "NAME_PATTERN",
    "PATH_PATTERN",
    "check_length",
    "check_name",
    "check_path",
    "check_path_prefix",
    "check_policy_path",
    "check_range",
]

NAME_PATTERN = r"[\w+=,.@-]+"
PATH_PATTERN = r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)"
PATH_PREFIX_PATTERN = r"\u002F[\u0021-\u007F]*"
POLICY_PATH_PATTERN = r"((/[A-Za-z0-9\.,\+@=_-]+)*)/"
_NAME = re.compile(NAME_PATTERN)
_PATH = re.compile(r"/|/[\x21-\x7e]+/")
_PATH_PREFIX = re.compile(r"/[\x21-\x7f]*")
_POLICY_PATH = re.compile(POLICY_PATH_PATTERN)


def _error(value: object, member: str, constraint: str) -> InvalidName:
    return InvalidName(
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
        f"constraint: {constraint}"
    )


def check_length(value: str, member: str, low: int, high: int) -> None:
    """The model's ``min``/``max`` for a string member."""
    if len(value) < low:
        raise _error(value, member, f"Member must have length greater than or equal to {low}")
    if len(value) > high:
        raise _error(value, member, f"Member must have length less than or equal to {high}")


def check_name(value: str, member: str, high: int = 64, low: int = 1) -> None:
    """A role, user, group, policy or profile name (``[\\w+=,.@-]+``)."""
    check_length(value, member, low, high)
    if not _NAME.fullmatch(value):
        raise _error(
            value, member, f"Member must satisfy regular expression pattern: {NAME_PATTERN}"
        )


def check_path(value: str, member: str = "path") -> None:
    """An entity path: ``/`` or ``/a/b/``."""
    check_length(value, member, 1, 512)
    if not _PATH.fullmatch(value):
        raise _error(
            value, member, f"Member must satisfy regular expression pattern: {PATH_PATTERN}"
        )


def check_policy_path(value: str) -> None:
    """A managed policy's path (``policyPathType``: a narrower alphabet than entities')."""
    check_length(value, "path", 1, 512)
    if not _POLICY_PATH.fullmatch(value):
        raise _error(
            value, "path", f"Member must satisfy regular expression pattern: {POLICY_PATH_PATTERN}"
        )


def check_path_prefix(value: str) -> None:
    """A list call's ``PathPrefix``."""
    check_length(value, "pathPrefix", 1, 512)
    if not _PATH_PREFIX.fullmatch(value):
        raise _error(
            value,
            "pathPrefix",
            f"Member must satisfy regular expression pattern: {PATH_PREFIX_PATTERN}",
        )


def check_range(value: int, member: str, low: int, high: int) -> None:
    """An integer member's ``min``/``max``."""
    if value < low:
        raise _error(value, member, f"Member must have value greater than or equal to {low}")
    if value > high:
        raise _error(value, member, f"Member must have value less than or equal to {high}")
