"""Paging of CloudFormation's StackSet and registry listings (MaxResults, NextToken).

The token is the next entry's offset; a token Stratus did not make starts from the
first entry. AWS pages these listings at 100 entries when MaxResults is not given.
"""

from __future__ import annotations

from typing import Any

__all__ = ["page"]

_DEFAULT = 100


def page(key: str, items: list[Any], params: dict[str, Any]) -> dict[str, Any]:
    """``{key: items of this page}``, with ``NextToken`` while more follow."""
    token = str(params.get("NextToken") or "0")
    start = int(token) if token.isdigit() else 0
    following = start + int(params.get("MaxResults") or _DEFAULT)
    out: dict[str, Any] = {key: items[start:following]}
    if following < len(items):
        out["NextToken"] = str(following)
    return out
