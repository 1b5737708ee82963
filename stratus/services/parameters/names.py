"""Parameter names and paths as Systems Manager checks them, with its messages."""

from __future__ import annotations

import re

from stratus.services.parameters.errors import HierarchyTooDeep, Invalid

__all__ = ["check_name", "check_path", "parse_selector"]

#: A hierarchy has at most 15 levels (``/a/b/.../o``).
MAX_DEPTH = 15

_NAME = re.compile(r"^[A-Za-z0-9_.\-/]+$")
_RESERVED = re.compile(r"^/?(aws|ssm)", re.IGNORECASE)

NAME_RULES = (
    'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as '
    "a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed "
    "as a mix of letters, numbers and the following 3 symbols .-_"
)
PATH_RULES = (
    "The parameter doesn't meet the parameter name requirements. The parameter name must "
    'begin with a forward slash "/". It can\'t be prefixed with "aws" or "ssm" '
    "(case-insensitive). It must use only letters, numbers, or the following symbols: . "
    "(period), - (hyphen), _ (underscore). Special characters are not allowed. All "
    'sub-paths, if specified, must use the forward slash symbol "/". Valid example: '
    "/get/parameters2-/by1./path0_."
)


def check_name(name: str) -> None:
    """A name PutParameter accepts: its characters, no reserved prefix, a path from the
    root if it has slashes at all, at most 15 levels."""
    if not _NAME.match(name) or _RESERVED.match(name) or "//" in name or name.endswith("/"):
        raise Invalid(NAME_RULES)
    if "/" in name and not name.startswith("/"):
        raise Invalid("Parameter name must be a fully qualified name.")
    if name.count("/") > MAX_DEPTH:
        raise HierarchyTooDeep(
            "A hierarchy can have a maximum of 15 levels. For more information, see "
            "Requirements and Constraints for Parameter Names in the AWS Systems Manager "
            "User Guide."
        )


def check_path(path: str) -> str:
    """A path GetParametersByPath takes; answered without its trailing slash (but ``/``)."""
    if not path.startswith("/") or not _NAME.match(path) or _RESERVED.match(path):
        raise Invalid(PATH_RULES)
    if "//" in path:
        raise Invalid(PATH_RULES)
    return path if path == "/" else path.rstrip("/")


def parse_selector(name: str) -> tuple[str, str | None]:
    """``name:3`` or ``name:label`` -> (name, "3" | "label"); a bare name -> (name, None)."""
    if ":" in name:
        base, _, selector = name.rpartition(":")
        return base, selector
    return name, None
