"""Java regular expressions, as botocore's models write them, compiled for Python's ``re``.

AWS's front ends validate ``pattern`` traits with ``java.util.regex`` and ``matches()``
(the whole value must match), so that is what we reproduce:

- ``\\d``, ``\\w``, ``\\s`` are ASCII-only in Java: we compile with ``re.ASCII``;
- ``\\p{L}``, ``\\p{N}``, ``\\p{Z}``... (Unicode categories, e.g. Lambda's ``TagKey``) do not
  exist in ``re``: each becomes the explicit code point ranges of that category, computed
  once per category from :mod:`unicodedata`;
- ``[\\w-_]`` is a literal ``-`` in Java but a bad range in ``re``: the ``-`` is escaped.

A pattern that still does not compile is not enforced (``None``): accepting a value AWS
would refuse is better than refusing one it accepts.
"""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = ["compile_java_pattern"]

_PROPERTY = re.compile(r"\\([pP])\{(\w+)\}|\\([pP])([A-Z])")
_SHORTHAND_DASH = re.compile(r"(\\[wdsWDS])-")
# Java's POSIX-style names that botocore models use, as Unicode general categories.
_ALIASES = {"Alpha": "L", "Digit": "Nd", "Alnum": "LNd", "Space": "Zs", "Punct": "P"}


def compile_java_pattern(pattern: str) -> re.Pattern[str] | None:
    """``pattern`` compiled for a whole-value ``fullmatch``; ``None`` if it cannot be."""
    return _compile(pattern)


@functools.cache
def _compile(pattern: str) -> re.Pattern[str] | None:
    translated = _translate(pattern)
    if translated is None:
        return None
    try:
        return re.compile(translated, re.ASCII)
    except (re.error, OverflowError):
        return None


def _translate(pattern: str) -> str | None:
    out: list[str] = []
    position = 0
    in_class = False
    length = len(pattern)
    while position < length:
        char = pattern[position]
        if char == "\\" and position + 1 < length:
            match = _PROPERTY.match(pattern, position)
            if match is not None:
                negated = (match.group(1) or match.group(3)) == "P"
                name = match.group(2) or match.group(4)
                ranges = _category_ranges(_ALIASES.get(name, name))
                if ranges is None or (negated and in_class):
                    return None
                if in_class:
                    out.append(ranges)
                else:
                    out.append(f"[{'^' if negated else ''}{ranges}]")
                position = match.end()
                continue
            escape = pattern[position : position + 2]
            if in_class and escape[1] in "wdsWDS" and pattern[position + 2 : position + 3] == "-":
                out.append(escape + "\\-")
                position += 3
                continue
            out.append(escape)
            position += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        position += 1
    return "".join(out)


# Planes past these hold no assigned code points but private use (category Co), which no
# model pattern needs: scanning only these keeps the one-time table build near 100 ms.
_SCANNED = (range(0, 0x323B0), range(0xE0000, 0xE01F0))
# POSIX classes Java spells as properties: ASCII-only, as in java.util.regex.
_POSIX = {"ASCII": "\\x00-\\x7f", "Print": "\\x20-\\x7e", "Graph": "\\x21-\\x7e"}


@functools.cache
def _category_table() -> dict[str, list[tuple[int, int]]]:
    """Every two-letter general category as sorted code point runs, built once."""
    table: dict[str, list[tuple[int, int]]] = {}
    for span in _SCANNED:
        for code in span:
            if 0xD800 <= code <= 0xDFFF:
                continue
            runs = table.setdefault(unicodedata.category(chr(code)), [])
            if runs and runs[-1][1] == code - 1:
                runs[-1] = (runs[-1][0], code)
            else:
                runs.append((code, code))
    return table


@functools.cache
def _category_ranges(category: str) -> str | None:
    """Code point ranges (as ``re`` class contents) of one or more general categories.

    ``"LNd"`` means letters and decimal digits: each capital starts a category name.
    """
    if category in _POSIX:
        return _POSIX[category]
    names = re.findall(r"[A-Z][a-z]?", category)
    if not names or "".join(names) != category or any(n[0] not in "LMNPSZC" for n in names):
        return None
    runs = sorted(
        run
        for kind, kind_runs in _category_table().items()
        if any(kind.startswith(name) for name in names)
        for run in kind_runs
    )
    return "".join(_range(first, last) for first, last in runs)


def _range(first: int, last: int) -> str:
    if first == last:
        return re.escape(chr(first))
    return f"{re.escape(chr(first))}-{re.escape(chr(last))}"
