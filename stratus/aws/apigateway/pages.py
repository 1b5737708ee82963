"""API Gateway's pagination of its ``Get*`` listings: ``limit`` (1 to 500, 25 when absent)
and ``position``, the token the previous page answered.

A position names the first item of the next page by its key, not by its index, so a page
boundary stays put when items before it are deleted between two calls; an item that was
deleted resumes the listing at the next key.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from stratus.services.apis.errors import BadRequest

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "page"]

T = TypeVar("T")
DEFAULT_LIMIT = 25
MAX_LIMIT = 500


def _decode(position: str) -> str:
    try:
        padded = position + "=" * (-len(position) % 4)
        raw = base64.b64decode(padded.encode("ascii"), altchars=b"-_", validate=True)
        return raw.decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise BadRequest("Invalid position parameter") from exc


def _encode(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode("ascii").rstrip("=")


def page(
    items: Iterable[T],
    key: Callable[[T], str],
    params: dict[str, Any],
    render: Callable[[T], Any],
    member: str = "items",
) -> dict[str, Any]:
    """One page of ``items`` (ordered by ``key``) as the listing's output shape."""
    limit = params.get("limit")
    if limit is None:
        limit = DEFAULT_LIMIT
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
        raise BadRequest(f"Invalid limit value {limit}: limit must be between 1 and {MAX_LIMIT}")
    ordered = sorted(items, key=key)
    start = 0
    position = params.get("position")
    if position:
        after = _decode(str(position))
        start = next((i for i, item in enumerate(ordered) if key(item) >= after), len(ordered))
    chosen = ordered[start : start + limit]
    out: dict[str, Any] = {member: [render(item) for item in chosen]}
    if start + limit < len(ordered):
        out["position"] = _encode(key(ordered[start + limit]))
    return out
