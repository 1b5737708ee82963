"""Amazon Ion text, the part DynamoDB's ION exports and imports use ("DynamoDB table
export output format", "Amazon S3 import formats for DynamoDB"): one struct per line,
``{Item:{...}}``, with strings for S, ints and decimals for N, blobs (``{{base64}}``) for
B, bools, nulls, structs for M, lists for L, and the sets as annotated lists
(``$dynamodb_SS::[...]``, ``$dynamodb_NS::``, ``$dynamodb_BS::``).

Written here rather than taken from a library: the subset is small, and the tables service
needs its values in DynamoDB's own form (numbers as exact text), not Ion's data model.
The reader accepts Ion's other spellings of those values too (quoted field names, ``d``
and ``e`` exponents, ``null.<type>``, comments, ``$ion_1_0`` markers).
"""

from __future__ import annotations

import base64
import binascii
from decimal import Decimal, InvalidOperation
from typing import Any

from stratus.services.tables.errors import ValidationError
from stratus.services.tables.values import AttributeValue, Item, number_text

VERSION_MARKER = "$ion_1_0"
_SET_ANNOTATIONS = {"$dynamodb_SS": "SS", "$dynamodb_NS": "NS", "$dynamodb_BS": "BS"}
_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    '"': '"',
    "'": "'",
    "\\": "\\",
    "/": "/",
    "0": "\0",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
}


# -- writing ---------------------------------------------------------------------------
def _string(text: str) -> str:
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _blob(data: bytes) -> str:
    return "{{" + base64.b64encode(data).decode("ascii") + "}}"


def _value(value: AttributeValue) -> str:
    kind, inner = next(iter(value.items()))
    if kind == "S":
        return _string(inner)
    if kind == "N":  # canonical plain text: an Ion int, or a decimal when it has a point
        return str(inner)
    if kind == "B":
        return _blob(inner)
    if kind == "BOOL":
        return "true" if inner else "false"
    if kind == "NULL":
        return "null"
    if kind == "SS":
        return "$dynamodb_SS::[" + ",".join(_string(s) for s in inner) + "]"
    if kind == "NS":
        return "$dynamodb_NS::[" + ",".join(inner) + "]"
    if kind == "BS":
        return "$dynamodb_BS::[" + ",".join(_blob(b) for b in inner) + "]"
    if kind == "M":
        return _struct(inner)
    if kind == "L":
        return "[" + ",".join(_value(v) for v in inner) + "]"
    raise ValueError(f"not an attribute value: {kind}")


def _struct(fields: dict[str, AttributeValue]) -> str:
    return "{" + ",".join(f"{_string(k)}:{_value(v)}" for k, v in fields.items()) + "}"


def item_line(item: Item) -> bytes:
    """One export line: ``{Item:{...}}`` and a newline."""
    return ("{Item:" + _struct(item) + "}\n").encode("utf-8")


# -- reading ---------------------------------------------------------------------------
class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, what: str) -> ValidationError:
        return ValidationError(f"Invalid Ion at offset {self.pos}: {what}")

    def skip(self) -> None:
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch in " \t\r\n,":
                self.pos += 1
            elif text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end + 1
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    raise self.fail("unterminated comment")
                self.pos = end + 2
            else:
                return

    def at_end(self) -> bool:
        self.skip()
        return self.pos >= len(self.text)

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, ch: str) -> None:
        self.skip()
        if self.peek() != ch:
            raise self.fail(f"expected {ch!r}")
        self.pos += 1

    def word(self) -> str:
        start = self.pos
        text = self.text
        while self.pos < len(text) and (text[self.pos].isalnum() or text[self.pos] in "$_.+-"):
            self.pos += 1
        if start == self.pos:
            raise self.fail("unexpected character")
        return text[start : self.pos]

    def quoted(self, quote: str) -> str:
        self.pos += 1
        out: list[str] = []
        text = self.text
        while True:
            if self.pos >= len(text):
                raise self.fail("unterminated string")
            ch = text[self.pos]
            self.pos += 1
            if ch == quote:
                return "".join(out)
            if ch != "\\":
                out.append(ch)
                continue
            esc = text[self.pos : self.pos + 1]
            self.pos += 1
            if esc in _ESCAPES:
                out.append(_ESCAPES[esc])
            elif esc in ("x", "u", "U"):
                width = {"x": 2, "u": 4, "U": 8}[esc]
                digits = text[self.pos : self.pos + width]
                try:
                    out.append(chr(int(digits, 16)))
                except ValueError:
                    raise self.fail("bad escape") from None
                self.pos += width
            elif esc == "\n":
                continue
            else:
                raise self.fail("bad escape")

    def symbol(self) -> str:
        self.skip()
        if self.peek() == "'":
            return self.quoted("'")
        if self.peek() == '"':
            return self.quoted('"')
        return self.word()

    def annotations(self) -> list[str]:
        found: list[str] = []
        while True:
            self.skip()
            start = self.pos
            if self.peek() in ("'",) or self.peek().isalpha() or self.peek() in "$_":
                name = self.symbol()
                self.skip()
                if self.text.startswith("::", self.pos):
                    self.pos += 2
                    found.append(name)
                    continue
            self.pos = start
            return found

    def value(self) -> AttributeValue:
        notes = self.annotations()
        self.skip()
        ch = self.peek()
        if notes:
            kind = _SET_ANNOTATIONS.get(notes[0])
            if kind is not None:
                if ch != "[":
                    raise self.fail("a set must be a list")
                return self.set_of(kind)
        if ch == "{":
            if self.text.startswith("{{", self.pos):
                return {"B": self.blob()}
            return {"M": self.struct()}
        if ch == "[":
            self.pos += 1
            items: list[AttributeValue] = []
            while True:
                self.skip()
                if self.peek() == "]":
                    self.pos += 1
                    return {"L": items}
                items.append(self.value())
        if ch == '"':
            return {"S": self.quoted('"')}
        if ch == "'":
            if self.text.startswith("'''", self.pos):
                raise self.fail("long strings are not supported")
            return {"S": self.quoted("'")}  # a symbol value: its text
        word = self.word()
        if word == "true" or word == "false":
            return {"BOOL": word == "true"}
        if word == "null" or word.startswith("null."):
            return {"NULL": True}
        return {"N": _number_of(word, self)}

    def set_of(self, kind: str) -> AttributeValue:
        members = self.value()["L"]
        inner = {"SS": "S", "NS": "N", "BS": "B"}[kind]
        values = []
        for member in members:
            if inner not in member:
                raise self.fail(f"a {kind} member of another type")
            values.append(member[inner])
        return {kind: values}

    def blob(self) -> bytes:
        end = self.text.find("}}", self.pos)
        if end < 0:
            raise self.fail("unterminated blob")
        body = "".join(self.text[self.pos + 2 : end].split())
        self.pos = end + 2
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise self.fail("a blob is not base64") from None

    def struct(self) -> dict[str, AttributeValue]:
        self.expect("{")
        fields: dict[str, AttributeValue] = {}
        while True:
            self.skip()
            if self.peek() == "}":
                self.pos += 1
                return fields
            name = self.symbol()
            self.expect(":")
            fields[name] = self.value()


def _number_of(word: str, reader: _Reader) -> str:
    text = word.replace("_", "")
    if text.lower().startswith(("0x", "-0x", "0b", "-0b")):
        try:
            return str(int(text, 0))
        except ValueError:
            raise reader.fail(f"not a number: {word}") from None
    try:
        value = Decimal(text.replace("d", "e").replace("D", "e"))
    except InvalidOperation:
        raise reader.fail(f"not a value: {word}") from None
    if not value.is_finite():
        raise reader.fail(f"not a DynamoDB number: {word}")
    return number_text(value)


def parse_item_line(line: bytes) -> Item:
    """One import line: ``{Item:{...}}`` (a ``$ion_1_0`` marker before it is allowed)."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError("The Ion input is not UTF-8") from None
    reader = _Reader(text)
    reader.skip()
    if text.startswith(VERSION_MARKER, reader.pos):
        reader.pos += len(VERSION_MARKER)
    reader.skip()
    if reader.peek() != "{":
        raise reader.fail("each line must be a struct")
    document = reader.struct()
    if not reader.at_end():
        raise reader.fail("more than one value on the line")
    item = document.get("Item")
    if item is None or "M" not in item:
        raise ValidationError('Each line must be a struct with an "Item" field')
    fields: Any = item["M"]
    return dict(fields)
