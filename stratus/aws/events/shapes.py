"""What the events adapter's answers share: timestamps, omitted members, pages, filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from stratus.services.events.errors import Invalid

Params = dict[str, Any]
Result = dict[str, Any]


def when(seconds: float | None) -> dt.datetime | None:
    return None if seconds is None else dt.datetime.fromtimestamp(seconds, dt.UTC)


def compact(answer: Result) -> Result:
    return {k: v for k, v in answer.items() if v is not None}


def one_filter(operation: str, params: Params) -> None:
    """ListArchives and ListReplays take at most one of their filters (AWS's words)."""
    given = [k for k in ("NamePrefix", "EventSourceArn", "State") if params.get(k)]
    if len(given) > 1:
        raise Invalid(
            f"At most one filter is allowed for {operation}. "
            "Use either : State, EventSourceArn, or NamePrefix."
        )


def page(items: list[Any], params: Params) -> tuple[list[Any], str | None]:
    token = str(params.get("NextToken") or "0")
    start = int(token) if token.isdigit() else 0
    limit = int(params.get("Limit") or 100)
    following = start + limit
    return items[start:following], (str(following) if following < len(items) else None)
