"""CloudWatch Logs filter patterns, compiled once into a test of one message.

What is understood (AWS's "Filter pattern syntax", for unstructured and JSON events):

- an empty pattern (or ``""``) matches every event;
- terms, case-sensitive, all of which must appear: ``ERROR timeout``; a quoted term is
  one phrase (``"request failed"``); ``-term`` must not appear; ``?term`` terms are
  alternatives (any one of them matches);
- JSON selectors ``{ $.a.b = "x" }``: ``=``, ``!=`` (a string, ``*`` a wildcard, or a
  number), ``<``, ``<=``, ``>``, ``>=`` (numbers), ``IS NULL``/``IS TRUE``/``IS FALSE``,
  ``EXISTS``/``NOT EXISTS``, joined by ``&&`` or ``||`` (without parentheses).

Space-delimited patterns (``[ip, user, ...]``) and regular expressions (``%...%``) are
refused (InvalidParameter), so nobody believes a filter works that does not.

``sieve`` is a literal every matching message contains (or ``None``): the store can
skip rows without it before the exact test runs.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from stratus.services.logs.errors import InvalidParameter

__all__ = ["CompiledPattern", "compile_pattern"]

Test = Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class CompiledPattern:
    text: str
    test: Test
    sieve: str | None
    everything: bool = False
    #: The JSON selectors a pattern names (``$.a.b``), whose values it extracts.
    selectors: tuple[str, ...] = ()

    def matches(self, message: str) -> bool:
        return self.everything or self.test(message)

    def extracted(self, message: str) -> dict[str, str]:
        """The values of the pattern's selectors in a matching message, as
        TestMetricFilter's ``extractedValues`` shows them (``{"$.a": "x"}``)."""
        if not self.selectors:
            return {}
        try:
            document = json.loads(message)
        except ValueError:
            return {}
        found: dict[str, str] = {}
        for path in self.selectors:
            value = _select(document, path[1:])
            if value is _MISSING:
                continue
            found[path] = value if isinstance(value, str) else json.dumps(value)
        return found


def _invalid(pattern: str) -> InvalidParameter:
    return InvalidParameter(f"Invalid filter pattern: {pattern}")


def compile_pattern(pattern: str | None) -> CompiledPattern:
    text = (pattern or "").strip()
    if text in ("", '""'):
        return CompiledPattern(text, lambda _m: True, None, everything=True)
    if text.startswith("{"):
        selectors = tuple(dict.fromkeys(m.group(1) for m in _SELECTOR.finditer(text)))
        return CompiledPattern(text, _json_test(text), None, selectors=selectors)
    if text.startswith("[") or text.startswith("%"):
        raise _invalid(text)
    return _terms(text)


_TERM = re.compile(r'([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))')


def _terms(text: str) -> CompiledPattern:
    required: list[str] = []
    excluded: list[str] = []
    optional: list[str] = []
    for match in _TERM.finditer(text):
        sign, quoted, bare = match.group(1), match.group(2), match.group(3)
        term = quoted.replace('\\"', '"') if quoted is not None else bare
        if not term:
            continue
        if sign == "?":
            optional.append(term)
        elif sign == "-":
            excluded.append(term)
        else:
            required.append(term)

    def test(message: str) -> bool:
        if any(term not in message for term in required):
            return False
        if any(term in message for term in excluded):
            return False
        return not optional or any(term in message for term in optional)

    sieve = max(required, key=len) if required else None
    return CompiledPattern(text, test, sieve)


# -- JSON selectors ------------------------------------------------------------------

_COMPARISON = re.compile(
    r"\s*\$(?P<path>(?:\.[A-Za-z0-9_\-]+|\[\d+\])+)\s*"
    r"(?:(?P<op>!=|=|<=|>=|<|>)\s*(?P<value>\"(?:[^\"\\]|\\.)*\"|[^\s&|}]+)"
    r"|(?P<is>IS\s+(?:NULL|TRUE|FALSE))|(?P<exists>NOT\s+EXISTS|EXISTS))\s*"
)
_MISSING = object()
_SELECTOR = re.compile(r"(\$(?:\.[A-Za-z0-9_\-]+|\[\d+\])+)")


def _select(document: Any, path: str) -> Any:
    for step in re.findall(r"\.([A-Za-z0-9_\-]+)|\[(\d+)\]", path):
        key, index = step
        if key:
            if not isinstance(document, dict) or key not in document:
                return _MISSING
            document = document[key]
        else:
            if not isinstance(document, list) or int(index) >= len(document):
                return _MISSING
            document = document[int(index)]
    return document


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _comparison(match: re.Match[str]) -> Callable[[Any], bool]:
    path = match.group("path")
    if match.group("exists"):
        want = not match.group("exists").startswith("NOT")
        return lambda doc: (_select(doc, path) is not _MISSING) == want
    if match.group("is"):
        expected = {"NULL": None, "TRUE": True, "FALSE": False}[match.group("is").split()[-1]]
        return lambda doc: _select(doc, path) is expected
    op, raw = match.group("op"), match.group("value")
    quoted = raw.startswith('"')
    value = raw[1:-1] if quoted else raw
    number = None if quoted else _number(value)
    if op in ("<", "<=", ">", ">="):
        if number is None:
            raise _invalid(match.string)
        limit = number

        def numeric(doc: Any) -> bool:
            found = _select(doc, path)
            if isinstance(found, bool) or not isinstance(found, (int, float)):
                return False
            return {"<": found < limit, "<=": found <= limit, ">": found > limit}.get(
                op, found >= limit
            )

        return numeric

    def equal(doc: Any) -> bool:
        found = _select(doc, path)
        if found is _MISSING:
            return False
        if number is not None and not isinstance(found, bool):
            same = isinstance(found, (int, float)) and found == number
        elif isinstance(found, str):
            same = fnmatch.fnmatchcase(found, value) if "*" in value else found == value
        else:
            same = False
        return same if op == "=" else not same

    return equal


def _json_test(text: str) -> Test:
    body = text.strip()
    if not body.endswith("}"):
        raise _invalid(text)
    body = body[1:-1]
    joiner = "&&" if "&&" in body else "||"
    if "&&" in body and "||" in body:
        raise _invalid(text)  # mixing needs parentheses, which are not understood here
    tests = []
    for part in body.split(joiner):
        match = _COMPARISON.fullmatch(part)
        if match is None:
            raise _invalid(text)
        tests.append(_comparison(match))
    combine = all if joiner == "&&" else any

    def test(message: str) -> bool:
        if not message.lstrip().startswith("{"):
            return False
        try:
            document = json.loads(message)
        except ValueError:
            return False
        return combine(check(document) for check in tests)

    return test
