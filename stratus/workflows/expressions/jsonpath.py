"""AWS's JSONPath dialect, as Step Functions evaluates it.

Step Functions runs Jayway JsonPath, so a path is either *definite* (only names and
indexes: `$.a.b[0]`, a reference path) and selects one value, or *indefinite* (a
wildcard, slice, union, filter or `..`) and selects a list of every match. A definite
path that reaches nothing raises `PathNotFound`; an indefinite one returns what it found.

Three roots exist (developer guide, "Input and output processing" and "Variables"):
`$` the state's input, `$$` the context object, and `$name` a variable set by Assign.
Paths are parsed once and cached: the same few strings are evaluated on every state entry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from stratus.workflows.errors import StatesError
from stratus.workflows.expressions.values import json_copy

from .filters import Filter, parse_filter
from .values import to_compact_json


class PathNotFound(StatesError):
    """A definite path selected nothing; `States.Runtime` with Jayway's wording."""

    def __init__(self, path: str, cause: str | None = None) -> None:
        self.path = path
        super().__init__("States.Runtime", cause or _no_results(path))


class VariableNotFound(PathNotFound):
    """A `$name` path names a variable that no Assign has set."""

    def __init__(self, path: str, name: str) -> None:
        self.name = name
        super().__init__(path, f"Invalid path '{path}' : The variable '{name}' is not defined")


class PathSyntaxError(StatesError):
    """The text is not a JSONPath this engine understands."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        super().__init__("States.Runtime", f"Invalid path '{path}' : {reason}")


# ---------------------------------------------------------------------------- tokens


@dataclass(frozen=True, slots=True)
class Name:
    """`.name` or `['name']` (several names: a union, so indefinite)."""

    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Index:
    """`[0]`, `[-1]`, or a union `[0,2]`."""

    indexes: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Slice:
    """`[start:end:step]` over an array."""

    start: int | None
    end: int | None
    step: int | None


@dataclass(frozen=True, slots=True)
class Wildcard:
    """`.*` or `[*]`: every member or element."""


@dataclass(frozen=True, slots=True)
class Descend:
    """`..`: the following step applies at every depth."""


@dataclass(frozen=True, slots=True)
class FilterStep:
    """`[?(...)]`: the elements (or members) for which the predicate holds."""

    predicate: Filter


Step = Name | Index | Slice | Wildcard | Descend | FilterStep


@dataclass(frozen=True, slots=True)
class Path:
    """A parsed path: its root (`$`, `$$` or a variable name) and its steps."""

    text: str
    root: str  # "$" input, "$$" context, otherwise a variable name
    steps: tuple[Step, ...]

    @property
    def definite(self) -> bool:
        """True when the path can select at most one value (a reference path)."""
        for step in self.steps:
            if isinstance(step, Name) and len(step.names) == 1:
                continue
            if isinstance(step, Index) and len(step.indexes) == 1:
                continue
            return False
        return True


_VARIABLE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_IDENT = re.compile(r"[^.\[\]\s()'\",=<>!&|]+")
_INT = re.compile(r"\s*(-?\d+)\s*")


@lru_cache(maxsize=4096)
def parse(path: str) -> Path:
    """Parse `path`; raises PathSyntaxError. Cached because states re-evaluate paths."""
    if not isinstance(path, str) or not path.startswith("$"):
        raise PathSyntaxError(str(path), "a path must start with '$'")
    if path.startswith("$$"):
        root, pos = "$$", 2
    else:
        match = _VARIABLE.match(path)
        if match:
            root, pos = match.group(1), match.end()
        else:
            root, pos = "$", 1
    steps: list[Step] = []
    while pos < len(path):
        pos = _parse_step(path, pos, steps)
    return Path(path, root, tuple(steps))


def _parse_step(path: str, pos: int, steps: list[Step]) -> int:
    """Parse one step at `pos`, append it, return the position after it."""
    char = path[pos]
    if path.startswith("..", pos):
        steps.append(Descend())
        pos += 2
        if pos < len(path) and path[pos] == "[":
            return _parse_bracket(path, pos, steps)
        return _parse_dot_name(path, pos, steps)
    if char == ".":
        return _parse_dot_name(path, pos + 1, steps)
    if char == "[":
        return _parse_bracket(path, pos, steps)
    raise PathSyntaxError(path, f"unexpected character '{char}' at position {pos}")


def _parse_dot_name(path: str, pos: int, steps: list[Step]) -> int:
    if pos < len(path) and path[pos] == "*":
        steps.append(Wildcard())
        return pos + 1
    match = _IDENT.match(path, pos)
    if not match:
        raise PathSyntaxError(path, f"expected a name at position {pos}")
    name = match.group(0)
    if name.endswith("()"):
        raise PathSyntaxError(path, "functions are not supported")
    steps.append(Name((name,)))
    return match.end()


def _parse_bracket(path: str, pos: int, steps: list[Step]) -> int:
    """Parse `[...]` starting at the `[`."""
    inner_start = pos + 1
    rest = path[inner_start:].lstrip()
    if rest.startswith("?"):
        end = _matching_bracket(path, pos)
        steps.append(FilterStep(parse_filter(path, path[inner_start:end].strip()[1:].strip())))
        return end + 1
    end = _matching_bracket(path, pos)
    inner = path[inner_start:end].strip()
    if inner == "*":
        steps.append(Wildcard())
    elif inner[:1] in ("'", '"'):
        steps.append(Name(tuple(_split_quoted(path, inner))))
    elif ":" in inner:
        steps.append(_parse_slice(path, inner))
    else:
        parts = inner.split(",")
        if not parts or not all(_INT.fullmatch(part) for part in parts):
            raise PathSyntaxError(path, f"invalid subscript '[{inner}]'")
        steps.append(Index(tuple(int(part) for part in parts)))
    return end + 1


def _matching_bracket(path: str, pos: int) -> int:
    """Index of the `]` closing the `[` at `pos`, skipping quoted text and nesting."""
    depth, quote, index = 0, "", pos
    while index < len(path):
        char = path[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char in ("'", '"'):
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    raise PathSyntaxError(path, "unclosed '['")


def _split_quoted(path: str, inner: str) -> list[str]:
    """`'a'` or `'a','b'` into names (backslash escapes the quote)."""
    names: list[str] = []
    index = 0
    while index < len(inner):
        quote = inner[index]
        if quote not in ("'", '"'):
            raise PathSyntaxError(path, f"invalid subscript '[{inner}]'")
        index += 1
        chars: list[str] = []
        while index < len(inner) and inner[index] != quote:
            if inner[index] == "\\" and index + 1 < len(inner):
                index += 1
            chars.append(inner[index])
            index += 1
        if index >= len(inner):
            raise PathSyntaxError(path, "unclosed quote")
        names.append("".join(chars))
        index += 1
        while index < len(inner) and inner[index] in " ,":
            index += 1
    return names


def _parse_slice(path: str, inner: str) -> Slice:
    parts = [part.strip() for part in inner.split(":")]
    if len(parts) > 3 or not all(part == "" or _INT.fullmatch(part) for part in parts):
        raise PathSyntaxError(path, f"invalid slice '[{inner}]'")
    numbers = [int(part) if part else None for part in parts] + [None]
    return Slice(numbers[0], numbers[1], numbers[2])


def _no_results(path: str) -> str:
    """Jayway's message for a definite path that selects nothing."""
    try:
        parsed = parse(path)
    except PathSyntaxError:
        return f"Invalid path '{path}' : No results for path: {path}"
    return f"Invalid path '{path}' : No results for path: {canonical(parsed)}"


def canonical(path: Path) -> str:
    """Jayway's normalised spelling, e.g. `$['a'][0]`, used in error causes."""
    head = "$" if path.root in ("$", "$$") else f"${path.root}"
    if path.root == "$$":
        head = "$$"
    parts = [head]
    for step in path.steps:
        if isinstance(step, Name):
            parts.append("[" + ",".join(f"'{name}'" for name in step.names) + "]")
        elif isinstance(step, Index):
            parts.append("[" + ",".join(str(i) for i in step.indexes) + "]")
        elif isinstance(step, Wildcard):
            parts.append("[*]")
        elif isinstance(step, Descend):
            parts.append("..")
        elif isinstance(step, Slice):
            start = "" if step.start is None else str(step.start)
            end = "" if step.end is None else str(step.end)
            parts.append(f"[{start}:{end}]")
        else:
            parts.append("[?]")
    return "".join(parts)


# ---------------------------------------------------------------------------- selection


_MISSING = object()


def select(
    data: Any,
    path: str,
    context: Mapping[str, Any] | None = None,
    variables: Mapping[str, Any] | None = None,
) -> Any:
    """The value `path` selects: `$` from data, `$$` from context, `$name` from variables.

    A definite path returns the value or raises PathNotFound; an indefinite path returns
    the list of its matches (possibly empty), as Jayway does.
    """
    parsed = parse(path)
    root = _root_value(parsed, data, context, variables)
    if parsed.definite:
        value = root
        for step in parsed.steps:
            value = _definite_step(value, step)
            if value is _MISSING:
                raise PathNotFound(path)
        return value
    matches = [root]
    for step_index, step in enumerate(parsed.steps):
        if isinstance(step, Descend):
            continue
        descending = step_index > 0 and isinstance(parsed.steps[step_index - 1], Descend)
        found: list[Any] = []
        for value in matches:
            candidates = _descendants(value) if descending else [value]
            for candidate in candidates:
                found.extend(_apply(candidate, step, root))
        matches = found
    return matches


def exists(
    data: Any,
    path: str,
    context: Mapping[str, Any] | None = None,
    variables: Mapping[str, Any] | None = None,
) -> bool:
    """True when `path` selects something (IsPresent, optional fields)."""
    try:
        value = select(data, path, context, variables)
    except PathNotFound:
        return False
    return parse(path).definite or value != []


def _root_value(
    parsed: Path,
    data: Any,
    context: Mapping[str, Any] | None,
    variables: Mapping[str, Any] | None,
) -> Any:
    if parsed.root == "$":
        return data
    if parsed.root == "$$":
        return {} if context is None else context
    if variables is None or parsed.root not in variables:
        raise VariableNotFound(parsed.text, parsed.root)
    return variables[parsed.root]


def _definite_step(value: Any, step: Step) -> Any:
    if isinstance(step, Name):
        if isinstance(value, dict) and step.names[0] in value:
            return value[step.names[0]]
        return _MISSING
    assert isinstance(step, Index)
    if isinstance(value, list):
        index = step.indexes[0]
        if -len(value) <= index < len(value):
            return value[index]
    return _MISSING


def _apply(value: Any, step: Step, root: Any) -> list[Any]:
    """Every match of one step applied to one value (indefinite evaluation)."""
    if isinstance(step, Name):
        if not isinstance(value, dict):
            return []
        return [value[name] for name in step.names if name in value]
    if isinstance(step, Index):
        if not isinstance(value, list):
            return []
        return [value[i] for i in step.indexes if -len(value) <= i < len(value)]
    if isinstance(step, Wildcard):
        if isinstance(value, dict):
            return list(value.values())
        return list(value) if isinstance(value, list) else []
    if isinstance(step, Slice):
        if not isinstance(value, list):
            return []
        return value[step.start : step.end : step.step]
    if isinstance(step, FilterStep):
        if isinstance(value, list):
            items = value
        elif isinstance(value, dict):
            items = [value]
        else:
            return []
        return [item for item in items if step.predicate.test(item, root)]
    return []


def _descendants(value: Any) -> list[Any]:
    """The value and everything inside it, depth first (for `..`)."""
    out = [value]
    if isinstance(value, dict):
        for member in value.values():
            out.extend(_descendants(member))
    elif isinstance(value, list):
        for element in value:
            out.extend(_descendants(element))
    return out


# ---------------------------------------------------------------------------- ResultPath


class ResultPathMatchFailure(StatesError):
    """ResultPath cannot be applied to the state input."""

    def __init__(self, result_path: str, state_input: Any) -> None:
        super().__init__(
            "States.ResultPathMatchFailure",
            f'Unable to apply ResultPath "{result_path}" to input "{to_compact_json(state_input)}"',
        )


def apply_result_path(state_input: Any, result: Any, result_path: str | None) -> Any:
    """Combine a state's input and result as ResultPath says.

    None (JSON null) discards the result and passes the input through; `$` replaces the
    input; `$.a.b` writes the result there, creating objects on the way, into a copy of
    the input (the input itself is left untouched: the caller may still need it).
    """
    if result_path is None or result_path == "null":
        return state_input
    parsed = parse(result_path)
    if parsed.root != "$" or not parsed.definite:
        raise PathSyntaxError(result_path, "ResultPath must be a reference path")
    if not parsed.steps:
        return result
    output = json_copy(state_input)
    if output is None and isinstance(parsed.steps[0], Name):
        output = {}
    target = output
    for position, step in enumerate(parsed.steps):
        last = position == len(parsed.steps) - 1
        if isinstance(step, Name):
            if not isinstance(target, dict):
                raise ResultPathMatchFailure(result_path, state_input)
            key = step.names[0]
            if last:
                target[key] = result
                break
            if key not in target:
                target[key] = {}
            target = target[key]
        else:
            assert isinstance(step, Index)
            index = step.indexes[0]
            if not isinstance(target, list) or not -len(target) <= index < len(target):
                raise ResultPathMatchFailure(result_path, state_input)
            if last:
                target[index] = result
                break
            target = target[index]
    return output
