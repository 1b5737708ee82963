"""An index of many event patterns, so matching an event costs about the patterns that
could match it, not all of them.

Most rules name the events they want by exact ``source`` (and often ``detail-type``)
values. Each pattern is filed under the first of ``KEYS`` whose values it pins down in
every alternative (``EventPattern.exact_values``); an event looks up its own values of
those fields and tests only the patterns filed there, plus the few that pin none (kept
in one list and always tested). The outcome is the same as testing every pattern.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping
from typing import Any, Generic, TypeVar

from stratus.services.patterns.event_pattern import EventPattern

K = TypeVar("K", bound=Hashable)

KEYS = ("source", "detail-type")


class PatternIndex(Generic[K]):
    def __init__(self, keys: tuple[str, ...] = KEYS) -> None:
        self._keys = keys
        self._by_value: dict[str, dict[str, dict[K, EventPattern]]] = {k: {} for k in keys}
        self._unindexed: dict[K, EventPattern] = {}
        self._filed: dict[K, tuple[str | None, frozenset[str]]] = {}

    def __len__(self) -> int:
        return len(self._filed)

    def add(self, key: K, pattern: EventPattern) -> None:
        self.discard(key)
        for field in self._keys:
            values = pattern.exact_values(field)
            if values:
                table = self._by_value[field]
                for value in values:
                    table.setdefault(value, {})[key] = pattern
                self._filed[key] = (field, values)
                return
        self._unindexed[key] = pattern
        self._filed[key] = (None, frozenset())

    def discard(self, key: K) -> None:
        filed = self._filed.pop(key, None)
        if filed is None:
            return
        field, values = filed
        if field is None:
            self._unindexed.pop(key, None)
            return
        table = self._by_value[field]
        for value in values:
            bucket = table.get(value)
            if bucket is not None:
                bucket.pop(key, None)
                if not bucket:
                    del table[value]

    def candidates(self, event: Mapping[str, Any]) -> Iterator[tuple[K, EventPattern]]:
        seen: set[K] = set()
        for field in self._keys:
            table = self._by_value[field]
            if not table:
                continue
            value = event.get(field)
            for item in value if isinstance(value, list) else (value,):
                if isinstance(item, str):
                    for key, pattern in table.get(item, {}).items():
                        if key not in seen:
                            seen.add(key)
                            yield key, pattern
        yield from self._unindexed.items()

    def matching(self, event: Mapping[str, Any]) -> list[K]:
        """The keys of every pattern ``event`` matches."""
        return [key for key, pattern in self.candidates(event) if pattern.matches(event)]
