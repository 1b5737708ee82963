"""FilterCriteria: which records a mapping hands its function.

Each filter is an EventBridge pattern (the shared matcher in ``services/patterns``)
applied to the record as the source shows it to filters; a record passes when any filter
matches it. Records that pass no filter are acknowledged without invoking, as Lambda does
for SQS ("Lambda event filtering": "messages that don't match are deleted from the
queue") and skips for streams.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import orjson

from stratus.services.event_sources.errors import InvalidMapping

if TYPE_CHECKING:
    from stratus.services.patterns import EventPattern

INVALID_FILTER = "Invalid filter pattern definition."


class FilterSet:
    """The compiled filters of one mapping (none: every record passes)."""

    __slots__ = ("_patterns",)

    def __init__(self, patterns: Sequence[EventPattern]) -> None:
        self._patterns = tuple(patterns)

    @classmethod
    def compile(cls, texts: Sequence[str]) -> FilterSet:
        """Compile each filter's ``Pattern`` (JSON text); raises InvalidMapping."""
        # Imported here until the shared matcher is merged in (services/patterns).
        from stratus.services.patterns import EventPattern, InvalidPattern

        compiled = []
        for text in texts:
            try:
                pattern = orjson.loads(text)
            except orjson.JSONDecodeError as exc:
                raise InvalidMapping(INVALID_FILTER) from exc
            if not isinstance(pattern, dict):
                raise InvalidMapping(INVALID_FILTER)
            try:
                compiled.append(EventPattern.compile(pattern))
            except InvalidPattern as exc:
                raise InvalidMapping(INVALID_FILTER) from exc
        return cls(compiled)

    @property
    def empty(self) -> bool:
        return not self._patterns

    def passes(self, view: dict[str, Any]) -> bool:
        return not self._patterns or any(p.matches(view) for p in self._patterns)
