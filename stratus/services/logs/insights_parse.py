"""The Logs Insights query language, the subset people write most, parsed into commands.

A query is commands joined by ``|``:

    fields @timestamp, @message, level as lvl      display a, b
    filter level = "ERROR" and duration > 100      filter @message like /time.?out/
    filter name in ["a", "b"] or not ispresent(x)  sort @timestamp desc   limit 20
    parse @message "user=* id=*" as user, id       parse @message /id=(?<id>\\d+)/
    stats count(*) as n, avg(ms) by level, bin(5m)

Expressions are trees of tuples (``Expr``) the engine evaluates; a query the subset does
not understand raises ``MalformedQuery`` with the character offsets of the offending
token, as AWS answers (its ``queryCompileError``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from stratus.services.logs.errors import MalformedQuery

__all__ = ["Command", "Query", "parse_query"]

#: An expression: ("lit", value) | ("field", name) | ("call", fn, [args]) |
#: ("op", operator, left, right) | ("not", expr) | ("in", expr, [values]) |
#: ("regex", compiled) | ("list", [exprs]).
Expr = tuple[Any, ...]

AGGREGATES = {"count", "sum", "avg", "min", "max", "count_distinct", "pct", "percentile",
              "earliest", "latest"}  # fmt: skip
FUNCTIONS = {"bin", "ispresent", "isempty", "isblank", "strlen", "tolower", "toupper",
             "abs", "floor", "ceil", "concat", "coalesce", "trim", "strcontains"}  # fmt: skip
_KEYWORDS = {"like", "parse", "filter", "and", "or", "not", "in", "by", "as"}
COMMANDS = {"fields", "display", "filter", "sort", "limit", "parse", "stats", "dedup"}


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # name, string, number, regex, op, end
    text: str
    start: int
    end: int
    value: Any = None


@dataclass(slots=True)
class Command:
    name: str
    #: fields/display/stats: (expr, output name); sort: (expr, descending).
    items: list[tuple[Expr, Any]] = field(default_factory=list)
    expr: Expr | None = None  # filter's condition, parse's source
    by: list[tuple[Expr, str]] = field(default_factory=list)  # stats ... by
    pattern: re.Pattern[str] | None = None  # parse's compiled pattern
    names: list[str] = field(default_factory=list)  # parse's fields, in group order
    limit: int = 0


@dataclass(slots=True)
class Query:
    text: str
    commands: list[Command]


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
    | (?P<regex>/(?:[^/\\]|\\.)+/)
    | (?P<number>\d+(?:\.\d+)?(?:ms|s|m|h|d|w)?\b)
    | (?P<name>`[^`]+`|[@A-Za-z_][@\w.\-]*(?<![.\-]))
    | (?P<op>!=|<=|>=|=~|=|<|>|\||,|\(|\)|\[|\]|\*|\+|-|/|%)
    )""",
    re.VERBOSE,
)


def _error(token: Token, query: str) -> MalformedQuery:
    line = query.count("\n", 0, token.start) + 1
    column = token.start - (query.rfind("\n", 0, token.start) + 1)
    shown = token.text or "<EOF>"
    return MalformedQuery(
        f"unexpected symbol found {shown} at line {line} and position {column}",
        token.start,
        max(token.end - 1, token.start),
    )


def _tokens(text: str) -> list[Token]:
    out: list[Token] = []
    pos = 0
    previous = ""
    while True:
        while pos < len(text) and (text[pos].isspace() or text[pos] == "#"):
            if text[pos] == "#":  # a comment, to the end of its line
                end = text.find("\n", pos)
                pos = len(text) if end < 0 else end
            else:
                pos += 1
        if pos >= len(text):
            break
        match = _TOKEN.match(text, pos)
        # A "/" after a value is a division, never a regex's opening.
        after_source = len(out) >= 2 and out[-2].text.lower() == "parse"
        if match and match.group("regex") and previous in ("value", ")") and not after_source:
            match = re.compile(r"\s*(?P<op>/)").match(text, pos)
        if match is None or match.end() == pos:
            bad = Token("op", text[pos], pos, pos + 1)
            raise _error(bad, text)
        kind = match.lastgroup or "op"
        raw = match.group(kind)
        start = match.start(kind)
        value: Any = raw
        if kind == "string":
            value = re.sub(r"\\(.)", r"\1", raw[1:-1])
        elif kind == "regex":
            try:
                value = re.compile(_python_regex(raw[1:-1]))
            except re.error:
                raise _error(Token(kind, raw, start, match.end()), text) from None
        elif kind == "name" and raw.startswith("`"):
            value = raw[1:-1]
        out.append(Token(kind, raw, start, match.end(), value))
        previous = kind
        if kind in ("number", "string") or (kind == "name" and raw.lower() not in _KEYWORDS):
            previous = "value"
        elif raw == ")":
            previous = ")"
        pos = match.end()
    out.append(Token("end", "", len(text), len(text)))
    return out


def _python_regex(pattern: str) -> str:
    """Insights' named groups are ``(?<name>...)``, Python's ``(?P<name>...)``."""
    return re.sub(r"\(\?<(?=[A-Za-z_])", "(?P<", pattern)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.at = 0
        #: Whether aggregate functions may appear (in a ``stats`` command only).
        self.aggregates = False

    # -- token helpers -----------------------------------------------------------------
    @property
    def token(self) -> Token:
        return self.tokens[self.at]

    def take(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def is_op(self, text: str) -> bool:
        return self.token.kind == "op" and self.token.text == text

    def is_word(self, *words: str) -> bool:
        return self.token.kind == "name" and self.token.text.lower() in words

    def expect_op(self, text: str) -> None:
        if not self.is_op(text):
            raise _error(self.token, self.text)
        self.at += 1

    def fail(self) -> MalformedQuery:
        return _error(self.token, self.text)

    # -- commands ----------------------------------------------------------------------
    def query(self) -> Query:
        commands = [self.command()]
        while self.is_op("|"):
            self.at += 1
            commands.append(self.command())
        if self.token.kind != "end":
            raise self.fail()
        return Query(self.text, commands)

    def command(self) -> Command:
        if not self.is_word(*COMMANDS):
            raise self.fail()
        name = self.take().text.lower()
        if name in ("fields", "display", "dedup"):
            return Command(name, items=self.named_list())
        if name == "filter":
            return Command(name, expr=self.expression())
        if name == "sort":
            items: list[tuple[Expr, Any]] = []
            while True:
                expr = self.expression()
                descending = False
                if self.is_word("asc", "desc"):
                    descending = self.take().text.lower() == "desc"
                items.append((expr, descending))
                if not self.is_op(","):
                    return Command(name, items=items)
                self.at += 1
        if name == "limit":
            token = self.take()
            if token.kind != "number" or not token.text.isdigit() or int(token.text) < 1:
                raise _error(token, self.text)
            return Command(name, limit=int(token.text))
        if name == "parse":
            return self.parse_command()
        return self.stats()

    def named_list(self) -> list[tuple[Expr, Any]]:
        items: list[tuple[Expr, Any]] = []
        while True:
            start = self.token.start
            expr = self.expression()
            label = self.text[start : self.tokens[self.at - 1].end].strip()
            if expr[0] == "field":
                label = expr[1]
            if self.is_word("as"):
                self.at += 1
                if self.token.kind != "name":
                    raise self.fail()
                label = self.take().value
            items.append((expr, label))
            if not self.is_op(","):
                return items
            self.at += 1

    def parse_command(self) -> Command:
        source: Expr = ("field", "@message")
        if self.token.kind == "name":
            source = ("field", self.take().value)
        token = self.take()
        if token.kind == "regex":
            pattern: re.Pattern[str] = token.value
            names = list(pattern.groupindex)
            if not names:
                raise _error(token, self.text)
            return Command("parse", expr=source, pattern=pattern, names=names)
        if token.kind != "string" or "*" not in token.value:
            raise _error(token, self.text)
        pieces = [re.escape(p) for p in token.value.split("*")]
        glob = re.compile("(.*?)".join(pieces[:-1]) + "(.*)" + pieces[-1], re.DOTALL)
        if not self.is_word("as"):
            raise self.fail()
        self.at += 1
        names = []
        while True:
            if self.token.kind != "name":
                raise self.fail()
            names.append(self.take().value)
            if not self.is_op(","):
                break
            self.at += 1
        if len(names) != glob.groups:
            raise _error(token, self.text)
        return Command("parse", expr=source, pattern=glob, names=names)

    def stats(self) -> Command:
        start = self.token
        self.aggregates = True
        items = self.named_list()
        self.aggregates = False
        # An item is an aggregate, or an expression over earlier items' names
        # (``max(a) as hi, min(a) as lo, hi - lo as spread``), worked out per group.
        if not any(_aggregate(expr) for expr, _label in items):
            raise _error(start, self.text)
        for expr, _label in items:
            percentile = expr[0] == "call" and expr[1] in ("pct", "percentile")
            if percentile and (len(expr[2]) != 2 or expr[2][1][0] != "lit"):
                raise _error(start, self.text)
        by: list[tuple[Expr, str]] = []
        if self.is_word("by"):
            self.at += 1
            by = [(expr, str(label)) for expr, label in self.named_list()]
        return Command("stats", items=items, by=by)

    # -- expressions -------------------------------------------------------------------
    def expression(self) -> Expr:
        left = self.conjunction()
        while self.is_word("or"):
            self.at += 1
            left = ("op", "or", left, self.conjunction())
        return left

    def conjunction(self) -> Expr:
        left = self.negation()
        while self.is_word("and"):
            self.at += 1
            left = ("op", "and", left, self.negation())
        return left

    def negation(self) -> Expr:
        if self.is_word("not"):
            self.at += 1
            return ("not", self.negation())
        return self.comparison()

    def comparison(self) -> Expr:
        left = self.additive()
        negated = False
        if self.is_word("not") and self.tokens[self.at + 1].text.lower() in ("like", "in"):
            self.at += 1
            negated = True
        result: Expr | None = None
        if self.is_op("=~"):
            self.at += 1
            right = self.take()
            if right.kind != "regex":
                raise _error(right, self.text)
            result = ("op", "=~", left, ("regex", right.value))
        elif self.token.kind == "op" and self.token.text in ("=", "!=", "<", "<=", ">", ">="):
            op = self.take().text
            result = ("op", op, left, self.additive())
        elif self.is_word("like"):
            self.at += 1
            right = self.take()
            if right.kind == "regex":
                result = ("op", "=~", left, ("regex", right.value))
            elif right.kind == "string":
                result = ("op", "like", left, ("lit", right.value))
            else:
                raise _error(right, self.text)
        elif self.is_word("in"):
            self.at += 1
            self.expect_op("[")
            values: list[Expr] = []
            while not self.is_op("]"):
                values.append(self.additive())
                if not self.is_op(","):
                    break
                self.at += 1
            self.expect_op("]")
            result = ("in", left, values)
        elif negated:
            raise self.fail()
        if result is None:
            return left
        return ("not", result) if negated else result

    def additive(self) -> Expr:
        left = self.multiplicative()
        while self.token.kind == "op" and self.token.text in ("+", "-"):
            op = self.take().text
            left = ("op", op, left, self.multiplicative())
        return left

    def multiplicative(self) -> Expr:
        left = self.primary()
        while self.token.kind == "op" and self.token.text in ("*", "/", "%"):
            op = self.take().text
            left = ("op", op, left, self.primary())
        return left

    def primary(self) -> Expr:
        token = self.take()
        if token.kind == "string":
            return ("lit", token.value)
        if token.kind == "regex":
            return ("regex", token.value)
        if token.kind == "number" and token.text[-1].isdigit():
            return ("lit", _number(token.text))
        if token.kind == "op" and token.text == "-" and self.token.text[-1:].isdigit():
            return ("lit", -_number(self.take().text))
        if token.kind == "op" and token.text == "(":
            inner = self.expression()
            self.expect_op(")")
            return inner
        if token.kind == "name":
            lowered = token.text.lower()
            if self.is_op("("):
                allowed = FUNCTIONS | (AGGREGATES if self.aggregates else set())
                if lowered not in allowed:
                    raise _error(token, self.text)
                self.at += 1
                args: list[Expr] = []
                if lowered == "bin":
                    span = self.take()
                    if span.kind != "number" or span.text[-1].isdigit():
                        raise _error(span, self.text)
                    args.append(("lit", _duration_ms(span.text)))
                elif self.is_op("*"):
                    self.at += 1
                    args.append(("lit", "*"))
                else:
                    while not self.is_op(")"):
                        args.append(self.expression())
                        if not self.is_op(","):
                            break
                        self.at += 1
                self.expect_op(")")
                return ("call", lowered, args)
            if lowered in ("true", "false"):
                return ("lit", lowered == "true")
            return ("field", token.value)
        raise _error(token, self.text)


def _aggregate(expr: Expr) -> bool:
    return expr[0] == "call" and expr[1] in AGGREGATES


def _number(text: str) -> float:
    return float(text) if "." in text else int(text)


_UNITS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}


def _duration_ms(text: str) -> int:
    unit = re.search(r"[a-z]+$", text)
    assert unit is not None  # the caller checked the token ends with a unit
    return int(float(text[: unit.start()]) * _UNITS[unit.group()])


def parse_query(text: str) -> Query:
    """The commands of ``text``; MalformedQuery where the subset cannot read it."""
    return _Parser(text).query()
