"""``MaxResults`` and ``NextToken`` of the API Gateway v2 listings (GetApis, GetRoutes ...).

Both are strings in the model. A page holds the first ``MaxResults`` items after the
token's position, in the order of their identifiers; the token names the last item
returned (not an offset), so an item created or deleted between two pages neither
repeats nor hides another. No ``MaxResults`` returns every item, as before pagination.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from stratus.services.apis.errors import BadRequest

T = TypeVar("T")
_MARK = "stratus-v2:"
_MAX_SHOWN = 64  # of a bad token echoed in the error


def _token(key: str) -> str:
    return base64.urlsafe_b64encode((_MARK + key).encode()).decode().rstrip("=")


def _after(token: str) -> str:
    try:
        padded = token + "=" * (-len(token) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode()
    except (binascii.Error, ValueError, UnicodeError):
        text = ""
    if not text.startswith(_MARK):
        raise BadRequest(f"Invalid NextToken specified: {token[:_MAX_SHOWN]}")
    return text[len(_MARK) :]


def _limit(value: Any) -> int | None:
    if value is None:
        return None
    text = str(value)
    if not text.isdigit() or not 1 <= int(text) <= 10_000_000:
        raise BadRequest(f"Invalid MaxResults specified: {text[:_MAX_SHOWN]}")
    return int(text)


def page(
    items: Sequence[T], key: Callable[[T], str], params: dict[str, Any]
) -> tuple[list[T], str | None]:
    """One page of ``items`` and the token of the next (None: this was the last)."""
    limit = _limit(params.get("MaxResults"))
    ordered = sorted(items, key=key)
    token = params.get("NextToken")
    if token:
        after = _after(str(token))
        ordered = [item for item in ordered if key(item) > after]
    if limit is None or len(ordered) <= limit:
        return ordered, None
    shown = ordered[:limit]
    return shown, _token(key(shown[-1]))


def listing(
    items: Sequence[T],
    key: Callable[[T], str],
    params: dict[str, Any],
    render: Callable[[T], dict[str, Any]],
) -> dict[str, Any]:
    """A listing's answer: ``Items`` and, when more follow, ``NextToken``."""
    shown, token = page(items, key, params)
    answer: dict[str, Any] = {"Items": [render(item) for item in shown]}
    if token is not None:
        answer["NextToken"] = token
    return answer
