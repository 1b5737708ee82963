"""A recursive-descent parser for DynamoDB's expressions, with DynamoDB's messages.

Precedence, loosest first ("Comparison operator and function reference", developer
guide): OR, AND, NOT, then comparisons / BETWEEN / IN / functions, then parentheses.
Keywords are case-insensitive; function names are not. An attribute name that is a
reserved word must be given through a #placeholder.
"""

from __future__ import annotations

from stratus.services.tables.errors import ValidationError
from stratus.services.tables.expressions import ast
from stratus.services.tables.expressions.lexer import (
    EOF_KIND,
    NAME,
    NAME_REF,
    NUMBER,
    PUNCT,
    VALUE_REF,
    Token,
    syntax_error,
    tokenize,
)
from stratus.services.tables.expressions.placeholders import Placeholders
from stratus.services.tables.reserved import RESERVED

COMPARATORS = ("=", "<>", "<", "<=", ">", ">=")
CONDITION_FUNCTIONS = (
    "attribute_exists",
    "attribute_not_exists",
    "attribute_type",
    "begins_with",
    "contains",
)
UPDATE_FUNCTIONS = ("if_not_exists", "list_append")
ALL_FUNCTIONS = (*CONDITION_FUNCTIONS, "size", *UPDATE_FUNCTIONS)
_ARITY = {
    "attribute_exists": 1,
    "attribute_not_exists": 1,
    "attribute_type": 2,
    "begins_with": 2,
    "contains": 2,
    "size": 1,
    "if_not_exists": 2,
    "list_append": 2,
}
MAX_EXPRESSION_BYTES = 4096


class _Parser:
    def __init__(self, text: str, label: str, placeholders: Placeholders) -> None:
        self.text = text
        self.label = label
        self.ph = placeholders
        if not text.strip():
            raise ValidationError(f"Invalid {label}: The expression can not be empty;")
        if len(text.encode("utf-8")) > MAX_EXPRESSION_BYTES:
            raise ValidationError(
                f"Invalid {label}: Expression size has exceeded the maximum allowed size; "
                f"expression size: {len(text.encode('utf-8'))}"
            )
        self.tokens = tokenize(text, label)
        self.pos = 0

    # -- tokens ----------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.pos + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def error(self) -> ValidationError:
        return syntax_error(self.text, self.tokens, self.pos, self.label)

    def is_punct(self, text: str) -> bool:
        return self.tok.kind == PUNCT and self.tok.text == text

    def is_keyword(self, word: str) -> bool:
        return self.tok.kind == NAME and self.tok.text.upper() == word

    def expect_punct(self, text: str) -> None:
        if not self.is_punct(text):
            raise self.error()
        self.advance()

    def expect_end(self) -> None:
        if self.tok.kind != EOF_KIND:
            raise self.error()

    # -- paths and operands ----------------------------------------------------------
    def path(self) -> ast.Path:
        elements: list[ast.PathElement] = [self.path_name()]
        while True:
            if self.is_punct("."):
                self.advance()
                elements.append(self.path_name())
            elif self.is_punct("["):
                self.advance()
                if self.tok.kind != NUMBER:
                    raise self.error()
                elements.append(int(self.advance().text))
                self.expect_punct("]")
            else:
                return ast.Path(tuple(elements))

    def path_name(self) -> str:
        token = self.tok
        if token.kind == NAME_REF:
            self.advance()
            return self.ph.name(token.text, self.label)
        if token.kind == NAME:
            if token.text.upper() in RESERVED:
                raise ValidationError(
                    f"Invalid {self.label}: Attribute name is a reserved keyword; reserved "
                    f"keyword: {token.text}"
                )
            self.advance()
            return token.text
        raise self.error()

    def is_function_call(self) -> bool:
        return self.tok.kind == NAME and self.peek().kind == PUNCT and self.peek().text == "("

    def function_args(self, name: str) -> list[ast.Operand | ast.SetValue]:
        self.expect_punct("(")
        args: list[ast.Operand | ast.SetValue] = []
        if name in UPDATE_FUNCTIONS:
            args.append(self.set_operand())
            while self.is_punct(","):
                self.advance()
                args.append(self.set_operand())
        else:
            args.append(self.operand())
            while self.is_punct(","):
                self.advance()
                args.append(self.operand())
        self.expect_punct(")")
        if len(args) != _ARITY[name]:
            raise ValidationError(
                f"Invalid {self.label}: Incorrect number of operands for operator or function; "
                f"operator or function: {name}, number of operands: {len(args)}"
            )
        return args

    def function_name(self, allowed: tuple[str, ...]) -> str:
        name = self.tok.text
        if name not in ALL_FUNCTIONS:
            raise ValidationError(f"Invalid {self.label}: Invalid function name; function: {name}")
        if name not in allowed:
            raise ValidationError(
                f"Invalid {self.label}: The function is not allowed in a {self._kind()} "
                f"expression; function: {name}"
            )
        self.advance()
        return name

    def _kind(self) -> str:
        return "update" if self.label == "UpdateExpression" else "condition"

    def operand(self) -> ast.Operand:
        token = self.tok
        if token.kind == VALUE_REF:
            self.advance()
            return ast.Value(self.ph.value(token.text, self.label), token.text)
        if self.is_function_call():
            name = self.function_name(("size",) if self.label != "UpdateExpression" else ())
            (arg,) = self.function_args(name)
            if not isinstance(arg, ast.Path):
                raise self.needs_path(name)
            return ast.Size(arg)
        if token.kind in (NAME, NAME_REF):
            return self.path()
        raise self.error()

    def needs_path(self, name: str) -> ValidationError:
        return ValidationError(
            f"Invalid {self.label}: Operator or function requires a document path; operator "
            f"or function: {name}"
        )

    # -- conditions ------------------------------------------------------------------
    def condition(self) -> ast.Condition:
        left = self.conjunction()
        while self.is_keyword("OR"):
            self.advance()
            left = ast.Or(left, self.conjunction())
        return left

    def conjunction(self) -> ast.Condition:
        left = self.negation()
        while self.is_keyword("AND"):
            self.advance()
            left = ast.And(left, self.negation())
        return left

    def negation(self) -> ast.Condition:
        if self.is_keyword("NOT"):
            self.advance()
            return ast.Not(self.negation())
        return self.primary()

    def primary(self) -> ast.Condition:
        if self.is_punct("("):
            self.advance()
            inner = self.condition()
            self.expect_punct(")")
            return inner
        if self.is_function_call() and self.tok.text != "size":
            name = self.function_name(CONDITION_FUNCTIONS)
            args = tuple(self.function_args(name))
            for arg in args:
                assert not isinstance(arg, ast.IfNotExists | ast.ListAppend | ast.Arithmetic)
            if not isinstance(args[0], ast.Path):
                raise self.needs_path(name)
            if name == "attribute_type":
                self._check_type_name(args[1])
            return ast.Function(name, args)  # type: ignore[arg-type]
        left = self.operand()
        if self.tok.kind == PUNCT and self.tok.text in COMPARATORS:
            op = self.advance().text
            return ast.Compare(op, left, self.operand())
        if self.is_keyword("BETWEEN"):
            self.advance()
            low = self.operand()
            if not self.is_keyword("AND"):
                raise self.error()
            self.advance()
            return ast.Between(left, low, self.operand())
        if self.is_keyword("IN"):
            self.advance()
            self.expect_punct("(")
            options = [self.operand()]
            while self.is_punct(","):
                self.advance()
                options.append(self.operand())
            self.expect_punct(")")
            if len(options) > 100:
                raise ValidationError(
                    f"Invalid {self.label}: The IN operator is provided with too many operands; "
                    f"number of operands: {len(options)}"
                )
            return ast.In(left, tuple(options))
        raise self.error()

    def _check_type_name(self, arg: ast.Operand | ast.SetValue) -> None:
        if isinstance(arg, ast.Value):
            kind, inner = next(iter(arg.value.items()))
            valid = ("S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M")
            if kind != "S" or inner not in valid:
                shown = inner if kind == "S" else arg.value
                raise ValidationError(
                    f"Invalid {self.label}: Invalid attribute type name found; type: {shown}, "
                    "valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"
                )

    # -- update expressions ----------------------------------------------------------
    def set_operand(self) -> ast.SetValue:
        token = self.tok
        if token.kind == VALUE_REF:
            self.advance()
            return ast.Value(self.ph.value(token.text, self.label), token.text)
        if self.is_function_call():
            name = self.function_name(UPDATE_FUNCTIONS)
            first, second = self.function_args(name)
            if name == "if_not_exists":
                if not isinstance(first, ast.Path):
                    raise self.needs_path(name)
                return ast.IfNotExists(first, second)  # type: ignore[arg-type]
            return ast.ListAppend(first, second)  # type: ignore[arg-type]
        if token.kind in (NAME, NAME_REF):
            return self.path()
        raise self.error()

    def set_value(self) -> ast.SetValue:
        left = self.set_operand()
        if self.tok.kind == PUNCT and self.tok.text in "+-" and self.tok.text:
            op = self.advance().text
            right = self.set_operand()
            return ast.Arithmetic(op, left, right)
        return left

    def update(self) -> list[ast.UpdateAction]:
        actions: list[ast.UpdateAction] = []
        seen: set[str] = set()
        while self.tok.kind != EOF_KIND:
            if self.tok.kind != NAME or self.tok.text.upper() not in (
                "SET",
                "REMOVE",
                "ADD",
                "DELETE",
            ):
                raise self.error()
            section = self.advance().text.upper()
            if section in seen:
                raise ValidationError(
                    f'Invalid {self.label}: The "{section}" section can only be used once in an '
                    "update expression;"
                )
            seen.add(section)
            while True:
                path = self.path()
                if section == "SET":
                    self.expect_punct("=")
                    actions.append(ast.UpdateAction("SET", path, self.set_value()))
                elif section == "REMOVE":
                    actions.append(ast.UpdateAction("REMOVE", path))
                else:
                    if self.tok.kind != VALUE_REF:
                        raise self.error()
                    token = self.advance()
                    value = ast.Value(self.ph.value(token.text, self.label), token.text)
                    actions.append(ast.UpdateAction(section, path, value))
                if not self.is_punct(","):
                    break
                self.advance()
        return actions


def parse_condition(text: str, label: str, placeholders: Placeholders) -> ast.Condition:
    """A condition, filter or key condition expression (``label`` names it in errors)."""
    parser = _Parser(text, label, placeholders)
    condition = parser.condition()
    parser.expect_end()
    return condition


def parse_update(text: str, placeholders: Placeholders) -> list[ast.UpdateAction]:
    parser = _Parser(text, "UpdateExpression", placeholders)
    actions = parser.update()
    check_overlaps([a.path for a in actions], "UpdateExpression")
    return actions


def parse_projection(text: str, placeholders: Placeholders) -> list[ast.Path]:
    parser = _Parser(text, "ProjectionExpression", placeholders)
    paths = [parser.path()]
    while parser.is_punct(","):
        parser.advance()
        paths.append(parser.path())
    parser.expect_end()
    check_overlaps(paths, "ProjectionExpression")
    return paths


def check_overlaps(paths: list[ast.Path], label: str) -> None:
    for i, first in enumerate(paths):
        for second in paths[i + 1 :]:
            shorter = min(len(first.elements), len(second.elements))
            if first.elements[:shorter] == second.elements[:shorter]:
                raise ValidationError(
                    f"Invalid {label}: Two document paths overlap with each other; must remove "
                    f"or rewrite one of these paths; path one: {first.shown()}, path two: "
                    f"{second.shown()}"
                )
