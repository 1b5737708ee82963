"""IAM's ``Marker``/``MaxItems`` paging of list calls."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from stratus.services.identity.names import check_range
from stratus.services.identity.state import page

__all__ = ["page_of"]

T = TypeVar("T")


def page_of(items: Sequence[T], params: dict[str, Any]) -> tuple[list[T], dict[str, Any]]:
    """One page and its ``IsTruncated``/``Marker`` members."""
    if params.get("MaxItems") is not None:
        check_range(params["MaxItems"], "maxItems", 1, 1000)
    chunk, marker = page(items, params.get("Marker"), params.get("MaxItems"))
    return chunk, {"IsTruncated": marker is not None, "Marker": marker}
