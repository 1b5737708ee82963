"""AWS-style pages over a sorted listing: ``nextToken`` is opaque to callers and names
the last item handed out, so a page is stable while items come and go."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import TypeVar

from stratus.services.logs.errors import InvalidParameter

T = TypeVar("T")


def encode_token(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode()


def decode_token(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidParameter("The specified nextToken is invalid.") from exc


def page(
    items: Sequence[T], key: Callable[[T], str], limit: int, token: str | None
) -> tuple[list[T], str | None]:
    """``limit`` items after the token's; the next token when more remain."""
    start = 0
    if token:
        last = decode_token(token)
        keys = [key(item) for item in items]
        start = next((i + 1 for i, k in enumerate(keys) if k == last), None) or next(
            (i for i, k in enumerate(keys) if k > last), len(items)
        )
    chunk = list(items[start : start + limit])
    more = start + limit < len(items)
    return chunk, encode_token(key(chunk[-1])) if more and chunk else None
