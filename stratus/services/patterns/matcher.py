"""Matching compiled clauses against values gathered from an event.

An event is flattened once per match into the values found at the paths the pattern
names (``detail.state`` collects ``{"detail": {"state": ...}}`` and also
``{"detail": {"state.x": ...}}`` style keys, since both sides join names with dots, as
Event Ruler does). Subtrees no pattern path leads into are never walked.

Arrays: a field matches if any element matches. When several fields are read from
objects inside the same array, their values must come from the same element (Event
Ruler's array consistency): ``{"a": [{"b": 1}, {"c": 2}]}`` does not satisfy
``{"a": {"b": [1], "c": [2]}}``. Every value carries the array positions it was found at,
and a clause holds only if one choice of matching values agrees on every shared array.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from stratus.services.patterns.conditions import FieldRule

Position = tuple[tuple[int, int], ...]   # (array id, index) for each enclosing array
Found = dict[str, list[tuple[Any, Position]]]


class Paths:
    """The paths a pattern reads, and every dotted prefix leading to them."""

    __slots__ = ("inner", "leaves")

    def __init__(self, leaves: frozenset[str]) -> None:
        self.leaves = leaves
        inner: set[str] = set()
        for path in leaves:
            parts = path.split(".")
            for end in range(1, len(parts)):
                inner.add(".".join(parts[:end]))
        self.inner = frozenset(inner)


def gather(event: Mapping[str, Any], paths: Paths) -> Found:
    """The scalar values at each path of ``paths`` (with their array positions)."""
    found: Found = {}
    counter = iter(range(1 << 62))
    leaves, inner = paths.leaves, paths.inner

    def visit(value: Any, path: str, position: Position) -> None:
        if isinstance(value, dict):
            if path in inner:
                for key, child in value.items():
                    visit(child, f"{path}.{key}", position)
        elif isinstance(value, list):
            if path in leaves or path in inner:
                array = next(counter)
                for index, element in enumerate(value):
                    visit(element, path, (*position, (array, index)))
        elif path in leaves:
            found.setdefault(path, []).append((value, position))

    for key, value in event.items():
        if key in leaves or key in inner:
            visit(value, key, ())
    return found


def clause_holds(clause: tuple[FieldRule, ...], found: Found) -> bool:
    """Whether every field of ``clause`` is satisfied by consistent values in ``found``."""
    choices: list[list[Position]] = []
    constrained = False
    for rule in clause:
        values = found.get(rule.path)
        if not values:
            if rule.absent:
                continue
            return False
        positions = [position for value, position in values if rule.accepts(value)]
        if not positions:
            return False
        if any(positions):
            constrained = True
        choices.append(positions)
    if not constrained or len(choices) < 2:
        return True
    return _consistent(choices, 0, {})


def _consistent(choices: list[list[Position]], index: int, chosen: dict[int, int]) -> bool:
    if index == len(choices):
        return True
    for position in _distinct(choices[index]):
        added: list[int] = []
        fits = True
        for array, element in position:
            current = chosen.get(array)
            if current is None:
                chosen[array] = element
                added.append(array)
            elif current != element:
                fits = False
                break
        if fits and _consistent(choices, index + 1, chosen):
            return True
        for array in added:
            del chosen[array]
    return False


def _distinct(positions: list[Position]) -> Iterator[Position]:
    seen: set[Position] = set()
    for position in positions:
        if position not in seen:
            seen.add(position)
            yield position
