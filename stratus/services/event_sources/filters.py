"""FilterCriteria: which records a mapping hands its function.

Each filter is an EventBridge pattern (the shared matcher in ``services/patterns``)
applied to the record as the source shows it to filters; a record passes when any filter
matches it. Records that pass no filter are acknowledged without invoking, as Lambda does
for SQS ("Lambda event filtering": messages that don't match are deleted from the queue).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from stratus.services.event_sources.errors import InvalidMapping
from stratus.services.patterns import EventPattern, InvalidPattern

INVALID_FILTER = "Invalid filter pattern definition."


class FilterSet:
    """The compiled filters of one mapping (none: every record passes)."""

    __slots__ = ("_patterns",)

    def __init__(self, patterns: Sequence[EventPattern]) -> None:
        self._patterns = tuple(patterns)

    @classmethod
    def compile(cls, texts: Sequence[str]) -> FilterSet:
        """Compile each filter's ``Pattern`` (JSON text); raises InvalidMapping."""
        compiled = []
        for text in texts:
            try:
                compiled.append(EventPattern.compile(text))
            except InvalidPattern as exc:
                raise InvalidMapping(INVALID_FILTER) from exc
        return cls(compiled)

    @property
    def empty(self) -> bool:
        return not self._patterns

    def passes(self, view: dict[str, Any]) -> bool:
        return not self._patterns or any(p.matches(view) for p in self._patterns)
