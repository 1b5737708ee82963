"""Tokens of an expression, each with its place in the text (for "near" in errors)."""

from __future__ import annotations

from dataclasses import dataclass

from stratus.services.tables.errors import ValidationError

NAME = "name"  # an attribute name or a keyword / function name
NAME_REF = "#"  # #placeholder
VALUE_REF = ":"  # :placeholder
NUMBER = "number"  # a list index
PUNCT = "punct"
EOF_KIND = "eof"

_PUNCT2 = ("<>", "<=", ">=")
_PUNCT1 = "()[],.=<>+-"


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    start: int
    end: int


def _is_name_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def tokenize(text: str, label: str) -> list[Token]:
    """The tokens of ``text``, ending with an EOF token; ``label`` names the expression in
    errors ("UpdateExpression")."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        start = i
        if ch in "#:":
            i += 1
            while i < n and _is_name_char(text[i]):
                i += 1
            if i == start + 1:
                tokens.append(Token(PUNCT, ch, start, i))
                raise _lex_error(text, tokens, label)
            tokens.append(Token(NAME_REF if ch == "#" else VALUE_REF, text[start:i], start, i))
            continue
        if ch.isdigit():
            while i < n and text[i].isdigit():
                i += 1
            if i < n and _is_name_char(text[i]):  # "1abc" is no token DynamoDB knows
                while i < n and _is_name_char(text[i]):
                    i += 1
                tokens.append(Token(PUNCT, text[start:i], start, i))
                raise _lex_error(text, tokens, label)
            tokens.append(Token(NUMBER, text[start:i], start, i))
            continue
        if ch.isalpha() or ch == "_":
            while i < n and _is_name_char(text[i]):
                i += 1
            tokens.append(Token(NAME, text[start:i], start, i))
            continue
        if text[i : i + 2] in _PUNCT2:
            tokens.append(Token(PUNCT, text[i : i + 2], i, i + 2))
            i += 2
            continue
        if ch in _PUNCT1:
            tokens.append(Token(PUNCT, ch, i, i + 1))
            i += 1
            continue
        tokens.append(Token(PUNCT, ch, i, i + 1))
        raise _lex_error(text, tokens, label)
    tokens.append(Token(EOF_KIND, "<EOF>", n, n))
    return tokens


def _lex_error(text: str, tokens: list[Token], label: str) -> ValidationError:
    bad = tokens[-1]
    # the rest of the text as DynamoDB would have tokenized it: one more word
    end = bad.end
    while end < len(text) and text[end].isspace():
        end += 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return syntax_error(text, tokens, len(tokens) - 1, label, next_end=end)


def syntax_error(
    text: str, tokens: list[Token], index: int, label: str, *, next_end: int | None = None
) -> ValidationError:
    """DynamoDB's syntax error: the bad token and the text from the token before it to
    the token after it."""
    bad = tokens[index]
    start = tokens[index - 1].start if index > 0 else bad.start
    if next_end is None:
        if bad.kind == EOF_KIND:
            next_end = len(text)
        elif index + 1 < len(tokens) and tokens[index + 1].kind != EOF_KIND:
            next_end = tokens[index + 1].end
        else:
            next_end = bad.end
    near = text[start:next_end]
    return ValidationError(f'Invalid {label}: Syntax error; token: "{bad.text}", near: "{near}"')
