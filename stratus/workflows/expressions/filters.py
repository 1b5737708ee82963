"""JSONPath filter predicates: the `?(...)` in `$.items[?(@.price < 10)]`.

Jayway's filter language, the subset Step Functions users write: `@`/`$` paths, string,
number, boolean and null literals, `== != < <= > >=`, `=~ /regex/flags`, `in`/`nin`
against an array literal, existence (`?(@.isbn)`), `!`, `&&`, `||` and parentheses.
Comparisons between different JSON types are false, as in Jayway.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from stratus.workflows.errors import StatesError

from .values import is_number, json_equal


class FilterSyntaxError(StatesError):
    """A filter expression that does not parse."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__("States.Runtime", f"Invalid path '{path}' : {reason}")


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*")
      | (?P<regex>/(?:\\.|[^/\\])*/[a-z]*)
      | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
      | (?P<path>[@$][^\s=!<>&|)]*)
      | (?P<op>==|!=|<=|>=|=~|&&|\|\||<|>|!|\(|\)|\[|\]|,)
      | (?P<word>[A-Za-z_]+)
    )""",
    re.VERBOSE,
)

_UNSET = object()


class Filter:
    """A compiled predicate; `test(item, root)` evaluates it for one candidate."""

    def __init__(self, node: Callable[[Any, Any], Any]) -> None:
        self._node = node

    def test(self, item: Any, root: Any) -> bool:
        return self._node(item, root) is True


@dataclass(slots=True)
class _Tokens:
    path: str
    items: list[tuple[str, str]]
    pos: int = 0

    def peek(self) -> tuple[str, str] | None:
        return self.items[self.pos] if self.pos < len(self.items) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise FilterSyntaxError(self.path, "unexpected end of filter")
        self.pos += 1
        return token

    def accept(self, text: str) -> bool:
        token = self.peek()
        if token is not None and token[1] == text:
            self.pos += 1
            return True
        return False


def parse_filter(path: str, text: str) -> Filter:
    """Compile the text inside `[?...]` (with or without its parentheses)."""
    tokens = _tokenize(path, text)
    node = _parse_or(tokens)
    if tokens.peek() is not None:
        raise FilterSyntaxError(path, f"unexpected '{tokens.peek()[1]}' in filter")  # type: ignore[index]
    return Filter(node)


def _tokenize(path: str, text: str) -> _Tokens:
    items: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise FilterSyntaxError(path, f"cannot parse filter '{text}'")
        kind = match.lastgroup or ""
        items.append((kind, match.group(kind)))
        pos = match.end()
    return _Tokens(path, items)


Node = Callable[[Any, Any], Any]


def _parse_or(tokens: _Tokens) -> Node:
    node = _parse_and(tokens)
    while tokens.accept("||"):
        left, right = node, _parse_and(tokens)
        node = _or(left, right)
    return node


def _or(left: Node, right: Node) -> Node:
    return lambda item, root: _truthy(left(item, root)) or _truthy(right(item, root))


def _and(left: Node, right: Node) -> Node:
    return lambda item, root: _truthy(left(item, root)) and _truthy(right(item, root))


def _parse_and(tokens: _Tokens) -> Node:
    node = _parse_unary(tokens)
    while tokens.accept("&&"):
        left, right = node, _parse_unary(tokens)
        node = _and(left, right)
    return node


def _parse_unary(tokens: _Tokens) -> Node:
    if tokens.accept("!"):
        inner = _parse_unary(tokens)
        return lambda item, root: not _truthy(inner(item, root))
    if tokens.accept("("):
        node = _parse_or(tokens)
        if not tokens.accept(")"):
            raise FilterSyntaxError(tokens.path, "missing ')' in filter")
        return node
    return _parse_comparison(tokens)


def _parse_comparison(tokens: _Tokens) -> Node:
    left = _parse_operand(tokens)
    token = tokens.peek()
    if token is None or token[1] not in ("==", "!=", "<", "<=", ">", ">=", "=~", "in", "nin"):
        return lambda item, root: _exists(left(item, root))
    operator = tokens.take()[1]
    right = _parse_operand(tokens)
    compare = _COMPARATORS[operator]
    return lambda item, root: compare(left(item, root), right(item, root))


def _parse_operand(tokens: _Tokens) -> Node:
    kind, text = tokens.take()
    if kind == "path":
        return _path_operand(tokens.path, text)
    if kind == "string":
        value: Any = _unquote(text)
    elif kind == "number":
        value = float(text) if any(c in text for c in ".eE") else int(text)
    elif kind == "regex":
        value = _compile_regex(tokens.path, text)
    elif kind == "word" and text in ("true", "false", "null"):
        value = {"true": True, "false": False, "null": None}[text]
    elif text == "[":
        value = _array_literal(tokens)
    else:
        raise FilterSyntaxError(tokens.path, f"unexpected '{text}' in filter")
    return lambda item, root: value


def _array_literal(tokens: _Tokens) -> list[Any]:
    values: list[Any] = []
    while not tokens.accept("]"):
        operand = _parse_operand(tokens)
        values.append(operand(None, None))
        tokens.accept(",")
    return values


def _path_operand(path: str, text: str) -> Node:
    from .jsonpath import PathNotFound, parse, select

    relative = "$" + text[1:]
    parse(relative)  # syntax check at compile time
    on_item = text.startswith("@")

    def evaluate(item: Any, root: Any) -> Any:
        try:
            return select(item if on_item else root, relative)
        except PathNotFound:
            return _UNSET

    return evaluate


def _unquote(text: str) -> str:
    body = text[1:-1]
    return re.sub(r"\\(.)", r"\1", body)


def _compile_regex(path: str, text: str) -> re.Pattern[str]:
    end = text.rindex("/")
    flags = re.IGNORECASE if "i" in text[end + 1 :] else 0
    try:
        return re.compile(text[1:end], flags)
    except re.error as exc:
        raise FilterSyntaxError(path, f"invalid regex {text}: {exc}") from exc


def _exists(value: Any) -> bool:
    """Existence semantics: a bare operand is true when it selects something."""
    return value is not _UNSET


def _truthy(value: Any) -> bool:
    return value is True


def _ordered(left: Any, right: Any, test: Callable[[Any, Any], bool]) -> bool:
    if is_number(left) and is_number(right):
        return test(left, right)
    if isinstance(left, str) and isinstance(right, str):
        return test(left, right)
    return False


def _matches(left: Any, right: Any) -> bool:
    return isinstance(left, str) and isinstance(right, re.Pattern) and bool(right.fullmatch(left))


def _in(left: Any, right: Any) -> bool:
    return isinstance(right, list) and any(json_equal(left, v) for v in right)


def _present(func: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def guarded(left: Any, right: Any) -> bool:
        if left is _UNSET or right is _UNSET:
            return False
        return func(left, right)

    return guarded


_COMPARATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": _present(json_equal),
    "!=": lambda a, b: a is not _UNSET and b is not _UNSET and not json_equal(a, b),
    "<": _present(lambda a, b: _ordered(a, b, lambda x, y: x < y)),
    "<=": _present(lambda a, b: _ordered(a, b, lambda x, y: x <= y)),
    ">": _present(lambda a, b: _ordered(a, b, lambda x, y: x > y)),
    ">=": _present(lambda a, b: _ordered(a, b, lambda x, y: x >= y)),
    "=~": _present(_matches),
    "in": _present(_in),
    "nin": _present(lambda a, b: isinstance(b, list) and not _in(a, b)),
}
