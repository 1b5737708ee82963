"""The JSON paths EventBridge takes in InputPath and InputPathsMap: ``$``, ``$.a.b``,
``$.a[0]``, ``$.a['b-c']``, ``$.detail.*`` is not allowed (a path names one value)."""

from __future__ import annotations

import re
from typing import Any

from stratus.services.events.errors import Invalid

_SEGMENT = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")
MISSING = object()


def parse_path(text: str) -> tuple[str | int, ...]:
    """``$.a[0].b`` -> ("a", 0, "b"); raises Invalid for anything else."""
    if not text.startswith("$"):
        raise Invalid(f"{text} is not a valid JSON path")
    steps: list[str | int] = []
    index = 1
    while index < len(text):
        match = _SEGMENT.match(text, index)
        if match is None or match.group(1) == "*":
            raise Invalid(f"{text} is not a valid JSON path")
        name, number, single, double = match.groups()
        steps.append(int(number) if number is not None else (name or single or double or ""))
        index = match.end()
    return tuple(steps)


def select(document: Any, steps: tuple[str | int, ...]) -> Any:
    """The value at ``steps`` in ``document``, or MISSING."""
    value = document
    for step in steps:
        if isinstance(step, int):
            if not isinstance(value, list) or step >= len(value):
                return MISSING
            value = value[step]
        else:
            if not isinstance(value, dict) or step not in value:
                return MISSING
            value = value[step]
    return value
