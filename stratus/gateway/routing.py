"""HTTP API route selection, as API Gateway does it: the most specific route wins.

A route key is ``METHOD /path`` (``ANY`` for every method) or ``$default``. For a request,
API Gateway prefers, in order: a route whose path matches fully without variables; then
routes with path variables, the one whose literal parts come first winning; then greedy
``{proxy+}`` routes, the longest literal prefix winning; a route naming the method beats
``ANY``; ``$default`` catches the rest (docs: "Working with routes for HTTP APIs",
"Routing API requests"). Matching is decided once per request and allocates only the
path parameters it returns.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Compiled(Generic[T]):
    method: str  # "ANY" matches every method
    parts: tuple[str, ...]  # literal parts, or "{name}" / "{name+}"
    greedy: str | None  # the greedy variable's name, if the last part is one
    rank: tuple[int, ...]  # larger is more specific
    target: T


def _compile(method: str, path: str, target: T) -> _Compiled[T]:
    parts = tuple(p for p in path.split("/") if p) if path != "/" else ()
    greedy = None
    if parts and parts[-1].endswith("+}"):
        greedy = parts[-1][1:-2]
    literal = tuple(0 if p.startswith("{") else 1 for p in parts)
    rank = (int(greedy is None), *literal, len(parts), int(method != "ANY"))
    return _Compiled(method, parts, greedy, rank, target)


class RouteTable(Generic[T]):
    """Routes of one deployed API; ``match`` returns the target and its path parameters."""

    def __init__(self, routes: Iterable[tuple[str, T]]) -> None:
        self._exact: dict[tuple[str, str], T] = {}
        self._patterns: list[_Compiled[T]] = []
        self.default: T | None = None
        for key, target in routes:
            if key == "$default":
                self.default = target
                continue
            method, _, path = key.partition(" ")
            compiled = _compile(method, path, target)
            if "{" not in path:
                self._exact[(method, "/" + "/".join(compiled.parts))] = target
            self._patterns.append(compiled)
        # Most specific first: the first pattern that matches wins.
        self._patterns.sort(key=lambda c: c.rank, reverse=True)

    def match(self, method: str, path: str) -> tuple[T, dict[str, str] | None] | None:
        normalized = path if path == "/" else path.rstrip("/") or "/"
        exact = self._exact.get((method, normalized))
        if exact is None:
            exact = self._exact.get(("ANY", normalized))
        if exact is not None:
            return exact, None
        segments = [s for s in normalized.split("/") if s]
        for compiled in self._patterns:
            if compiled.method != "ANY" and compiled.method != method:
                continue
            params = _match_parts(compiled, segments)
            if params is not None:
                return compiled.target, params
        if self.default is not None:
            return self.default, None
        return None


def _match_parts(compiled: _Compiled[T], segments: list[str]) -> dict[str, str] | None:
    parts = compiled.parts
    fixed = len(parts) - 1 if compiled.greedy is not None else len(parts)
    if compiled.greedy is None and len(segments) != fixed:
        return None
    if compiled.greedy is not None and len(segments) <= fixed:
        return None  # a greedy variable matches at least one segment
    params: dict[str, str] = {}
    for index in range(fixed):
        part = parts[index]
        segment = segments[index]
        if part[0] == "{":
            params[part[1:-1]] = segment
        elif part != segment:
            return None
    if compiled.greedy is not None:
        params[compiled.greedy] = "/".join(segments[fixed:])
    return params
