"""Parser for the intrinsic function grammar (developer guide, "Intrinsic functions").

    call      := 'States.' NAME '(' [ argument { ',' argument } ] ')'
    argument  := call | string | number | 'true' | 'false' | 'null' | path
    string    := "'" { char | '\\'' | '\\{' | '\\}' | '\\\\' } "'"
    path      := '$' ...   (a JSONPath, '$$' context path or '$name' variable)

String literals keep their raw text as well as their value: in States.Format an escaped
`\\{\\}` is literal text while a bare `{}` is a placeholder, a distinction the unescaped
value alone would lose. Calls may nest up to 10 deep, AWS's documented limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from stratus.workflows.errors import StatesError

MAX_NESTING = 10


class IntrinsicSyntaxError(StatesError):
    """The text is not a well-formed intrinsic function call."""

    def __init__(self, expression: str, reason: str) -> None:
        self.expression = expression
        super().__init__(
            "States.IntrinsicFailure",
            f"The intrinsic function '{expression}' is invalid: {reason}",
        )


@dataclass(frozen=True, slots=True)
class Literal:
    """A string, number, boolean or null written in the expression."""

    value: Any
    raw: str | None = None  # a string literal's text between the quotes, escapes kept


@dataclass(frozen=True, slots=True)
class PathArg:
    """A `$...` argument, resolved against input, context or variables at call time."""

    path: str


@dataclass(frozen=True, slots=True)
class Call:
    """`States.<name>(arguments...)`."""

    name: str
    arguments: tuple[Literal | PathArg | Call, ...]


Argument = Literal | PathArg | Call

_NAME = re.compile(r"States\.([A-Za-z0-9]+)\s*\(")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_WORD = re.compile(r"(true|false|null)\b")
_ESCAPABLE = "'{}\\"


@lru_cache(maxsize=4096)
def parse(expression: str) -> Call:
    """Parse an intrinsic call; raises IntrinsicSyntaxError. Cached per expression."""
    parser = _Parser(expression)
    parser.skip_space()
    call = parser.call(depth=1)
    parser.skip_space()
    if parser.pos != len(expression):
        parser.fail(f"unexpected text '{expression[parser.pos :]}' after the call")
    return call


def is_intrinsic(expression: str) -> bool:
    """Cheap test used by payload templates to tell intrinsics from paths."""
    return expression.lstrip().startswith("States.")


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, reason: str) -> None:
        raise IntrinsicSyntaxError(self.text, reason)

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def call(self, depth: int) -> Call:
        if depth > MAX_NESTING:
            self.fail(f"intrinsic functions can be nested at most {MAX_NESTING} deep")
        match = _NAME.match(self.text, self.pos)
        if not match:
            self.fail(f"expected 'States.<function>(' at position {self.pos}")
            raise AssertionError  # unreachable, for the type checker
        name = match.group(1)
        self.pos = match.end()
        arguments: list[Argument] = []
        self.skip_space()
        if self.peek() == ")":
            self.pos += 1
            return Call(name, ())
        while True:
            self.skip_space()
            arguments.append(self.argument(depth))
            self.skip_space()
            char = self.peek()
            if char == ",":
                self.pos += 1
                continue
            if char == ")":
                self.pos += 1
                return Call(name, tuple(arguments))
            self.fail(f"expected ',' or ')' at position {self.pos}")

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def argument(self, depth: int) -> Argument:
        char = self.peek()
        if char == "'":
            return self.string()
        if char == "$":
            return self.path()
        if self.text.startswith("States.", self.pos):
            return self.call(depth + 1)
        number = _NUMBER.match(self.text, self.pos)
        if number:
            self.pos = number.end()
            text = number.group(0)
            is_float = any(c in text for c in ".eE")
            return Literal(float(text) if is_float else int(text))
        word = _WORD.match(self.text, self.pos)
        if word:
            self.pos = word.end()
            return Literal({"true": True, "false": False, "null": None}[word.group(1)])
        self.fail(f"unexpected argument at position {self.pos}")
        raise AssertionError  # unreachable

    def string(self) -> Literal:
        start = self.pos + 1
        index = start
        chars: list[str] = []
        while index < len(self.text):
            char = self.text[index]
            if char == "\\":
                following = self.text[index + 1 : index + 2]
                if following not in _ESCAPABLE or not following:
                    self.fail(f"invalid escape '\\{following}' at position {index}")
                chars.append(following)
                index += 2
                continue
            if char == "'":
                self.pos = index + 1
                return Literal("".join(chars), raw=self.text[start:index])
            chars.append(char)
            index += 1
        self.fail("unterminated string literal")
        raise AssertionError  # unreachable

    def path(self) -> PathArg:
        """A path runs to the next ',' or ')' outside brackets, quotes and parentheses."""
        start = self.pos
        depth, quote = 0, ""
        index = start
        while index < len(self.text):
            char = self.text[index]
            if quote:
                if char == "\\":
                    index += 1
                elif char == quote:
                    quote = ""
            elif char in ("'", '"') and depth > 0:
                quote = char
            elif char in "[(":
                depth += 1
            elif char in "])":
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and (char == "," or char.isspace()):
                break
            index += 1
        self.pos = index
        return PathArg(self.text[start:index])
