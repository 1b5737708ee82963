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

Position = tuple[tuple[int, int], ...]  # (array id, index) for each enclosing array
Found = dict[str, list[tuple[Any, Position]]]


class Paths:
    """The paths a pattern reads, compiled into the event keys to look up at each level.

    An event key matters at path ``P`` only if ``P.key`` is a pattern path or leads to one,
    so every key worth reading is a dot-join of the segments that follow ``P`` in some
    pattern path: ``{"detail": {"state": {"status": ...}}}`` and ``{"detail":
    {"state.status": ...}}`` both reach ``detail.state.status``. Those keys are listed per
    path once, and matching looks them up instead of walking the event.
    """

    __slots__ = ("keys", "leaves")

    def __init__(self, leaves: frozenset[str]) -> None:
        self.leaves = leaves
        keys: dict[str, dict[str, str]] = {}
        for path in leaves:
            parts = path.split(".")
            for start in range(len(parts)):
                parent = ".".join(parts[:start])
                for end in range(start + 1, len(parts) + 1):
                    key = ".".join(parts[start:end])
                    child = f"{parent}.{key}" if parent else key
                    keys.setdefault(parent, {})[key] = child
        # The paths under which something is looked up, and (key, child path) pairs.
        self.keys: dict[str, tuple[tuple[str, str], ...]] = {
            parent: tuple(children.items()) for parent, children in keys.items()
        }


def gather(event: Mapping[str, Any], paths: Paths) -> tuple[Found, bool]:
    """The scalar values at each path of ``paths`` with their array positions, and whether
    any of them sits inside an array (only then does array consistency need checking)."""
    found: Found = {}
    arrays = [0]
    keys = paths.keys
    leaves = paths.leaves
    get = event.get
    for key, child in keys.get("", ()):
        item = get(key, _MISSING)
        if item is not _MISSING:
            _visit(item, child, (), found, keys, leaves, arrays)
    return found, arrays[0] > 0


def _visit(
    value: Any,
    path: str,
    position: Position,
    found: Found,
    keys: dict[str, tuple[tuple[str, str], ...]],
    leaves: frozenset[str],
    arrays: list[int],
) -> None:
    cls = value.__class__
    if cls in _SCALARS:
        if path in leaves:
            values = found.get(path)
            if values is None:
                found[path] = [(value, position)]
            else:
                values.append((value, position))
    elif cls is dict or isinstance(value, Mapping):
        get = value.get
        for key, child in keys.get(path, ()):
            item = get(key, _MISSING)
            if item is not _MISSING:
                _visit(item, child, position, found, keys, leaves, arrays)
    elif cls is list or isinstance(value, (list, tuple)):
        arrays[0] += 1
        array = arrays[0]
        for index, element in enumerate(value):
            _visit(element, path, (*position, (array, index)), found, keys, leaves, arrays)


_MISSING = object()
_SCALARS = frozenset({str, int, float, bool, type(None)})


def clause_holds(clause: tuple[FieldRule, ...], found: Found, in_arrays: bool = True) -> bool:
    """Whether every field of ``clause`` is satisfied by consistent values in ``found``."""
    if not in_arrays:
        for rule in clause:
            values = found.get(rule.path)
            if not values:
                if rule.absent:
                    continue
                return False
            accepts = rule.accepts
            for value, _ in values:
                if accepts(value):
                    break
            else:
                return False
        return True
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
