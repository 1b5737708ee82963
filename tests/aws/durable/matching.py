"""The conformance README's matching rules for results and histories.

In expected values ``"*"`` accepts any present value, ``{}`` accepts anything (even
absence), ``${NAME}`` binds on first sight and must then be equal everywhere,
``${/regex/}`` must match; anything else must be equal. Events are matched by EventId;
extra actual events are allowed.
"""

from __future__ import annotations

import random
import re
import string
from typing import Any

_TOKEN = re.compile(r"\$\{(/.*?/|[A-Za-z0-9_]+)\}")
_GEN = re.compile(r"\$\{GEN_STR:(\d+)\}")


def make_variables(spec: dict[str, str] | None) -> dict[str, str]:
    """``Variables``: ``${GEN_STR:n}`` is a random string of n characters."""
    values = {}
    for name, template in (spec or {}).items():
        values[name] = _GEN.sub(
            lambda m: "".join(random.choices(string.ascii_letters, k=int(m.group(1)))),
            template,
        )
    return values


def substitute(value: Any, variables: dict[str, str]) -> Any:
    """Replace ``${NAME}`` of the requirement's Variables (bindings stay for matching)."""
    if isinstance(value, str):
        return _TOKEN.sub(lambda m: variables.get(m.group(1), m.group(0)), value)
    if isinstance(value, list):
        return [substitute(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, variables) for k, v in value.items()}
    return value


class Mismatch(AssertionError):
    pass


def _text(actual: Any) -> str:
    if isinstance(actual, bool):
        return "true" if actual else "false"
    return str(actual)


def _match_template(expected: str, actual: Any, bindings: dict[str, str], path: str) -> None:
    pattern = ""
    position = 0
    names: list[str] = []
    for found in _TOKEN.finditer(expected):
        pattern += re.escape(expected[position : found.start()])
        token = found.group(1)
        if token.startswith("/"):
            body = token[1:-1].removeprefix("^").removesuffix("$")
            pattern += f"(?:{body})"
        elif token in bindings:
            pattern += re.escape(bindings[token])
        elif token in names:
            pattern += f"(?P={token})"
        else:
            pattern += f"(?P<{token}>.*?)"
            names.append(token)
        position = found.end()
    pattern += re.escape(expected[position:])
    found_match = re.fullmatch(pattern, _text(actual), re.DOTALL)
    if found_match is None:
        raise Mismatch(f"{path}: {actual!r} does not match {expected!r}")
    for name in names:
        bindings[name] = found_match.group(name)


def match(expected: Any, actual: Any, bindings: dict[str, str], path: str = "") -> None:
    if expected == {}:
        return
    if expected == "*":
        if actual is None:
            raise Mismatch(f"{path}: missing")
        return
    if isinstance(expected, str) and _TOKEN.search(expected):
        if actual is None:
            raise Mismatch(f"{path}: missing, expected {expected!r}")
        _match_template(expected, actual, bindings, path)
        return
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            raise Mismatch(f"{path}: expected an object, got {actual!r}")
        for key, value in expected.items():
            match(value, actual.get(key), bindings, f"{path}.{key}")
        return
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            raise Mismatch(f"{path}: expected {expected!r}, got {actual!r}")
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            match(e, a, bindings, f"{path}[{i}]")
        return
    if expected != actual:
        raise Mismatch(f"{path}: expected {expected!r}, got {actual!r}")


def match_history(expected: list[dict[str, Any]], actual: list[dict[str, Any]]) -> None:
    by_id = {event["EventId"]: event for event in actual}
    bindings: dict[str, str] = {}
    for event in expected:
        found = by_id.get(event["EventId"])
        if found is None:
            raise Mismatch(f"no event {event['EventId']} ({event.get('EventType')})")
        match(event, found, bindings, f"event {event['EventId']}")
