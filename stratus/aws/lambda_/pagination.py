"""Marker/MaxItems pagination as Lambda's List operations do it.

The marker is opaque to clients: here the sort key of the last item returned, so a page
stays correct when items before it are deleted in between.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from stratus.aws.protocol.errors import ServiceError

T = TypeVar("T")


def paginate(
    items: Sequence[T],
    key: Callable[[T], str],
    marker: str | None,
    max_items: int | None,
    *,
    default: int = 50,
) -> tuple[list[T], str | None]:
    """One page and the next marker; ``MaxItems``' range is the model's, checked at the edge."""
    limit = default if max_items is None else max_items
    start = 0
    if marker:
        try:
            after = base64.urlsafe_b64decode(marker.encode()).decode()
        except (ValueError, UnicodeDecodeError) as exc:
            raise ServiceError(
                "Invalid marker.", code="InvalidParameterValueException", fields={"Type": "User"}
            ) from exc
        start = next((i for i, item in enumerate(items) if key(item) > after), len(items))
    page = list(items[start : start + limit])
    if start + limit < len(items):
        return page, base64.urlsafe_b64encode(key(page[-1]).encode()).decode()
    return page, None


def list_result(
    member: str,
    items: Sequence[T],
    key: Callable[[T], str],
    params: dict[str, Any],
    render: Callable[[T], Any],
) -> dict[str, Any]:
    """A List operation's answer: one page of ``items`` under ``member``, and the marker."""
    page, marker = paginate(items, key, params.get("Marker"), params.get("MaxItems"))
    result: dict[str, Any] = {member: [render(item) for item in page]}
    if marker:
        result["NextMarker"] = marker
    return result
