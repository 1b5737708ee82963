"""EventBridge event patterns (also Lambda event source mapping FilterCriteria)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stratus.services.patterns.compiler import Clause, compile_pattern
from stratus.services.patterns.conditions import exact_only
from stratus.services.patterns.dialect import EVENTBRIDGE, Dialect
from stratus.services.patterns.errors import InvalidPattern, Refusal
from stratus.services.patterns.matcher import Paths, clause_holds, gather
from stratus.services.patterns.source import load


class EventPattern:
    """A compiled event pattern: compile once, then ``matches`` many events.

    >>> EventPattern.compile({"detail": {"state": [{"anything-but": "pending"}]}}).matches(
    ...     {"detail": {"state": "running"}})
    True
    """

    __slots__ = ("_clauses", "_paths", "source")

    def __init__(self, source: Any, clauses: tuple[Clause, ...]) -> None:
        self.source = source
        self._clauses = clauses
        self._paths = Paths(frozenset(rule.path for clause in clauses for rule in clause))

    @classmethod
    def compile(cls, pattern: str | Mapping[str, Any]) -> EventPattern:
        """Compile ``pattern`` (JSON text or its parsed form) or raise InvalidPattern."""
        return cls._compile(pattern, EVENTBRIDGE)

    @classmethod
    def _compile(cls, pattern: str | Mapping[str, Any], dialect: Dialect) -> EventPattern:
        try:
            parsed = load(pattern)
            if not isinstance(parsed, dict):
                raise Refusal("Filter is not an object")
            compiled = compile_pattern(parsed, dialect)
        except Refusal as refusal:
            raise InvalidPattern(dialect.word(refusal.reason), refusal.reason) from None
        return cls(parsed, compiled.clauses)

    def matches(self, event: Mapping[str, Any]) -> bool:
        """Whether ``event`` (a parsed JSON object) matches the pattern."""
        found, in_arrays = gather(event, self._paths)
        return any(clause_holds(clause, found, in_arrays) for clause in self._clauses)

    def exact_values(self, path: str) -> frozenset[str] | None:
        """The strings ``path`` must equal for any clause to hold, or ``None`` when some
        clause accepts other values there (or does not read ``path``): what a rule index
        may key this pattern by."""
        values: set[str] = set()
        for clause in self._clauses:
            rule = next((r for r in clause if r.path == path), None)
            if rule is None or not exact_only(rule):
                return None
            values.update(rule.strings)
        return frozenset(values)

    def __repr__(self) -> str:
        return f"EventPattern({self.source!r})"
