"""GetDurableExecutionHistory's paging and the IncludeExecutionData filter."""

from __future__ import annotations

from typing import Any

from stratus.services.durable.model import Event

_DATA = ("Input", "Result", "Error")


def without_data(event: Event) -> Event:
    """The event with payloads left out (IncludeExecutionData=false)."""
    out = dict(event)
    for key, value in event.items():
        if key.endswith("Details") and isinstance(value, dict):
            details = dict(value)
            for member in _DATA:
                if isinstance(details.get(member), dict):
                    details[member] = {k: v for k, v in details[member].items() if k != "Payload"}
            out[key] = details
    return out


def page(
    items: list[Any], marker: str | None, max_items: int | None, default: int = 100
) -> tuple[list[Any], str | None]:
    """One page of ``items`` from ``marker`` (an offset we gave out)."""
    start = int(marker) if marker and marker.isdigit() else 0
    size = max_items or default
    chunk = items[start : start + size]
    following = start + size
    return chunk, (str(following) if following < len(items) else None)
