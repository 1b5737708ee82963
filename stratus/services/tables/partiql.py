"""The PartiQL subset DynamoDB's ExecuteStatement takes, parsed into the same ASTs as the
expression language: ``SELECT``, ``INSERT INTO ... VALUE {...}``, ``UPDATE ... SET ...
REMOVE ... WHERE ...`` and ``DELETE FROM ... WHERE ...`` ("PartiQL select/insert/update/
delete statements for DynamoDB", developer guide).

Literals are PartiQL's: 'strings', numbers, TRUE/FALSE, NULL, {'maps': ...}, [lists],
<<sets>>; ``?`` takes the next of the statement's Parameters. Identifiers may be quoted
with double quotes; a table may be ``"table"."index"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stratus.services.tables.errors import ValidationError
from stratus.services.tables.expressions import ast
from stratus.services.tables.values import AttributeValue, normalize_value

_KEYWORDS = {
    "SELECT", "FROM", "WHERE", "INSERT", "INTO", "VALUE", "UPDATE", "SET", "REMOVE",
    "DELETE", "AND", "OR", "NOT", "BETWEEN", "IN", "IS", "MISSING", "TRUE", "FALSE", "NULL",
}  # fmt: skip
_FUNCTIONS = ("begins_with", "contains", "attribute_type", "size", "exists", "missing")


@dataclass(slots=True)
class Statement:
    kind: str  # SELECT, INSERT, UPDATE, DELETE
    table: str
    index: str | None = None
    projection: list[ast.Path] | None = None
    where: ast.Condition | None = None
    item: dict[str, AttributeValue] | None = None
    actions: list[ast.UpdateAction] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # word, quoted, string, number, punct, param, eof
    text: str


def _error(detail: str) -> ValidationError:
    return ValidationError(f"Statement wasn't well formed, can't be processed: {detail}")


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == "'":
            j = i + 1
            buf = []
            while True:
                if j >= n:
                    raise _error("unterminated string")
                if text[j] == "'":
                    if j + 1 < n and text[j + 1] == "'":
                        buf.append("'")
                        j += 2
                        continue
                    break
                buf.append(text[j])
                j += 1
            out.append(_Tok("string", "".join(buf)))
            i = j + 1
        elif ch == '"':
            j = text.find('"', i + 1)
            if j < 0:
                raise _error("unterminated identifier")
            out.append(_Tok("quoted", text[i + 1 : j]))
            i = j + 1
        elif ch.isdigit() or (
            ch in "-+" and i + 1 < n and text[i + 1].isdigit() and _value_may_follow(out)
        ):
            j = i + 1
            while j < n and (
                text[j].isdigit() or text[j] in ".eE" or (text[j] in "+-" and text[j - 1] in "eE")
            ):
                j += 1
            out.append(_Tok("number", text[i:j]))
            i = j
        elif ch.isalpha() or ch == "_":
            j = i
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            out.append(_Tok("word", text[i:j]))
            i = j
        elif text[i : i + 2] in ("<>", "<=", ">=", "!=", "<<", ">>"):
            out.append(_Tok("punct", text[i : i + 2]))
            i += 2
        elif ch in "(){}[],.=<>:?+-*":
            out.append(_Tok("param" if ch == "?" else "punct", ch))
            i += 1
        else:
            raise _error(f"unexpected character {ch!r}")
    out.append(_Tok("eof", ""))
    return out


def _value_may_follow(tokens: list[_Tok]) -> bool:
    return not tokens or (tokens[-1].kind == "punct" and tokens[-1].text not in (")", "]", "}"))


class _Parser:
    def __init__(self, text: str, parameters: list[Any] | None) -> None:
        self.toks = _tokens(text)
        self.pos = 0
        self.params = list(parameters or [])
        self.used = 0

    @property
    def tok(self) -> _Tok:
        return self.toks[self.pos]

    def next(self) -> _Tok:
        tok = self.toks[self.pos]
        self.pos += 1
        return tok

    def is_word(self, word: str) -> bool:
        return self.tok.kind == "word" and self.tok.text.upper() == word

    def expect_word(self, word: str) -> None:
        if not self.is_word(word):
            raise _error(f"expected {word}, found {self.tok.text or 'end of statement'}")
        self.pos += 1

    def is_punct(self, text: str) -> bool:
        return self.tok.kind == "punct" and self.tok.text == text

    def expect(self, text: str) -> None:
        if not self.is_punct(text):
            raise _error(f"expected {text!r}, found {self.tok.text or 'end of statement'}")
        self.pos += 1

    # -- statements ------------------------------------------------------------------
    def statement(self) -> Statement:
        if self.is_word("SELECT"):
            result = self.select()
        elif self.is_word("INSERT"):
            result = self.insert()
        elif self.is_word("UPDATE"):
            result = self.update()
        elif self.is_word("DELETE"):
            result = self.delete()
        else:
            raise _error(f"unsupported statement {self.tok.text}")
        if self.tok.kind != "eof":
            raise _error(f"unexpected {self.tok.text}")
        if self.used != len(self.params):
            raise ValidationError("Number of parameters in request and statement don't match.")
        return result

    def table_name(self) -> tuple[str, str | None]:
        tok = self.next()
        if tok.kind not in ("quoted", "word"):
            raise _error("expected a table name")
        index = None
        if self.is_punct("."):
            self.pos += 1
            index = self.next().text
        return tok.text, index

    def select(self) -> Statement:
        self.expect_word("SELECT")
        projection: list[ast.Path] | None = None
        if self.is_punct("*"):
            self.pos += 1
        else:
            projection = [self.path()]
            while self.is_punct(","):
                self.pos += 1
                projection.append(self.path())
        self.expect_word("FROM")
        table, index = self.table_name()
        where = self.where() if self.is_word("WHERE") else None
        return Statement("SELECT", table, index, projection, where)

    def insert(self) -> Statement:
        self.expect_word("INSERT")
        self.expect_word("INTO")
        table, _ = self.table_name()
        self.expect_word("VALUE")
        value = self.literal()
        if "M" not in value:
            raise _error("INSERT takes a document {...}")
        return Statement("INSERT", table, item=value["M"])

    def update(self) -> Statement:
        self.expect_word("UPDATE")
        table, _ = self.table_name()
        actions: list[ast.UpdateAction] = []
        while self.is_word("SET") or self.is_word("REMOVE"):
            section = self.next().text.upper()
            while True:
                path = self.path()
                if section == "SET":
                    self.expect("=")
                    actions.append(ast.UpdateAction("SET", path, self.set_value()))
                else:
                    actions.append(ast.UpdateAction("REMOVE", path))
                if not self.is_punct(","):
                    break
                self.pos += 1
        if not actions:
            raise _error("UPDATE needs SET or REMOVE")
        return Statement("UPDATE", table, where=self.where(), actions=actions)

    def delete(self) -> Statement:
        self.expect_word("DELETE")
        self.expect_word("FROM")
        table, _ = self.table_name()
        return Statement("DELETE", table, where=self.where())

    def where(self) -> ast.Condition:
        self.expect_word("WHERE")
        return self.disjunction()

    # -- conditions ------------------------------------------------------------------
    def disjunction(self) -> ast.Condition:
        left = self.conjunction()
        while self.is_word("OR"):
            self.pos += 1
            left = ast.Or(left, self.conjunction())
        return left

    def conjunction(self) -> ast.Condition:
        left = self.negation()
        while self.is_word("AND"):
            self.pos += 1
            left = ast.And(left, self.negation())
        return left

    def negation(self) -> ast.Condition:
        if self.is_word("NOT"):
            self.pos += 1
            return ast.Not(self.negation())
        return self.predicate()

    def predicate(self) -> ast.Condition:
        if self.is_punct("("):
            self.pos += 1
            inner = self.disjunction()
            self.expect(")")
            return inner
        if (
            self.tok.kind == "word"
            and self.tok.text.lower() in _FUNCTIONS
            and self.toks[self.pos + 1].text == "("
        ):
            name = self.next().text.lower()
            self.expect("(")
            args: list[ast.Operand] = [self.operand()]
            while self.is_punct(","):
                self.pos += 1
                args.append(self.operand())
            self.expect(")")
            if name == "size":
                assert isinstance(args[0], ast.Path)
                left: ast.Operand = ast.Size(args[0])
                return self.comparison(left)
            if name == "exists":
                name = "attribute_exists"
            if name == "missing":
                name = "attribute_not_exists"
            return ast.Function(name, tuple(args))
        return self.comparison(self.operand())

    def comparison(self, left: ast.Operand) -> ast.Condition:
        tok = self.tok
        if tok.kind == "punct" and tok.text in ("=", "<>", "!=", "<", "<=", ">", ">="):
            self.pos += 1
            op = "<>" if tok.text == "!=" else tok.text
            return ast.Compare(op, left, self.operand())
        if self.is_word("BETWEEN"):
            self.pos += 1
            low = self.operand()
            self.expect_word("AND")
            return ast.Between(left, low, self.operand())
        if self.is_word("IN"):
            self.pos += 1
            closing = "]" if self.is_punct("[") else ")"
            self.pos += 1
            options = [self.operand()]
            while self.is_punct(","):
                self.pos += 1
                options.append(self.operand())
            self.expect(closing)
            return ast.In(left, tuple(options))
        if self.is_word("IS"):
            self.pos += 1
            negate = self.is_word("NOT")
            if negate:
                self.pos += 1
            self.expect_word("MISSING")
            assert isinstance(left, ast.Path)
            return ast.Function("attribute_exists" if negate else "attribute_not_exists", (left,))
        raise _error(f"unexpected {tok.text or 'end of statement'}")

    def operand(self) -> ast.Operand:
        tok = self.tok
        if tok.kind in ("quoted", "word") and tok.text.upper() not in ("TRUE", "FALSE", "NULL"):
            return self.path()
        return ast.Value(self.literal(), "?")

    def set_value(self) -> ast.SetValue:
        left: ast.SetValue = (
            self.path()
            if self.tok.kind in ("quoted", "word")
            and self.tok.text.upper() not in ("TRUE", "FALSE", "NULL")
            else ast.Value(self.literal(), "?")
        )
        if self.is_punct("+") or self.is_punct("-"):
            op = self.next().text
            right = (
                self.path()
                if self.tok.kind in ("quoted", "word")
                else ast.Value(self.literal(), "?")
            )
            return ast.Arithmetic(op, left, right)
        return left

    def path(self) -> ast.Path:
        tok = self.next()
        if tok.kind not in ("quoted", "word"):
            raise _error(f"expected an attribute name, found {tok.text or 'end of statement'}")
        elements: list[ast.PathElement] = [tok.text]
        while True:
            if self.is_punct("."):
                self.pos += 1
                elements.append(self.next().text)
            elif self.is_punct("["):
                self.pos += 1
                number = self.next()
                if number.kind != "number":
                    raise _error("expected a list index")
                elements.append(int(number.text))
                self.expect("]")
            else:
                return ast.Path(tuple(elements))

    # -- literals --------------------------------------------------------------------
    def literal(self) -> AttributeValue:
        tok = self.next()
        if tok.kind == "param":
            if self.used >= len(self.params):
                raise ValidationError("Number of parameters in request and statement don't match.")
            value = self.params[self.used]
            self.used += 1
            return normalize_value(value)
        if tok.kind == "string":
            return {"S": tok.text}
        if tok.kind == "number":
            return normalize_value({"N": tok.text})
        if tok.kind == "word" and tok.text.upper() in ("TRUE", "FALSE"):
            return {"BOOL": tok.text.upper() == "TRUE"}
        if tok.kind == "word" and tok.text.upper() == "NULL":
            return {"NULL": True}
        if tok.kind == "punct" and tok.text == "{":
            members: dict[str, AttributeValue] = {}
            while not self.is_punct("}"):
                key = self.next()
                if key.kind not in ("string", "quoted"):
                    raise _error("a document's keys are strings")
                self.expect(":")
                members[key.text] = self.literal()
                if self.is_punct(","):
                    self.pos += 1
            self.pos += 1
            return {"M": members}
        if tok.kind == "punct" and tok.text == "[":
            items: list[AttributeValue] = []
            while not self.is_punct("]"):
                items.append(self.literal())
                if self.is_punct(","):
                    self.pos += 1
            self.pos += 1
            return {"L": items}
        if tok.kind == "punct" and tok.text == "<<":
            members_: list[AttributeValue] = []
            while not self.is_punct(">>"):
                members_.append(self.literal())
                if self.is_punct(","):
                    self.pos += 1
            self.pos += 1
            kinds = {next(iter(m)) for m in members_}
            if len(kinds) != 1 or not kinds <= {"S", "N", "B"}:
                raise _error("a set holds strings, numbers or binaries of one type")
            kind = kinds.pop()
            return normalize_value({kind + "S": [m[kind] for m in members_]})
        raise _error(f"unexpected {tok.text or 'end of statement'}")


def parse_statement(text: str, parameters: list[Any] | None = None) -> Statement:
    return _Parser(text, parameters).statement()


def key_equalities(condition: ast.Condition | None) -> dict[str, AttributeValue]:
    """``attr = value`` conjuncts of a WHERE clause (for finding the item or partition)."""
    found: dict[str, AttributeValue] = {}
    stack = [condition] if condition is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, ast.And):
            stack.extend((node.left, node.right))
        elif isinstance(node, ast.Compare) and node.op == "=":
            left, right = node.left, node.right
            if isinstance(right, ast.Path):
                left, right = right, left
            if (
                isinstance(left, ast.Path)
                and len(left.elements) == 1
                and isinstance(right, ast.Value)
            ):
                found[left.top] = right.value
    return found
