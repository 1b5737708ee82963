"""Key values as bytes whose byte order (SQLite's BLOB order, memcmp) is DynamoDB's order.

- S: the UTF-8 bytes (DynamoDB compares strings by their UTF-8 bytes);
- B: the bytes themselves;
- N: a sign byte (0x01 negative, 0x02 zero, 0x03 positive), then for a positive number
  the decimal exponent (offset to stay positive, two bytes big-endian) and the significant
  digits as ASCII; for a negative one the same with every byte inverted and a 0xFF
  terminator, so a longer mantissa sorts first (-1.23 < -1.2). Numbers are normalized
  first, so 1.50 and 1.5 encode alike.

A table without a sort key stores the empty blob as its sort key.
"""

from __future__ import annotations

import decimal
from decimal import Decimal

from stratus.services.tables.values import AttributeValue, to_decimal

_EXP_OFFSET = 1000


def encode_number(text: str) -> bytes:
    value = to_decimal(text)
    if value.is_zero():
        return b"\x02"
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    # value = 0.d1d2...dn x 10^e with d1 != 0
    e = exponent + len(digits)
    mantissa = bytes(48 + d for d in digits)
    head = (e + _EXP_OFFSET).to_bytes(2, "big")
    if not sign:
        return b"\x03" + head + mantissa
    return b"\x01" + bytes(255 - b for b in head + mantissa) + b"\xff"


def decode_number(data: bytes) -> str:
    """The number's canonical text back from its encoding (used by the CLI and tests)."""
    if data == b"\x02":
        return "0"
    negative = data[0] == 1
    body = bytes(255 - b for b in data[1:-1]) if negative else data[1:]
    e = int.from_bytes(body[:2], "big") - _EXP_OFFSET
    digits = body[2:].decode()
    value = Decimal(f"{'-' if negative else ''}0.{digits}E{e}")
    return format(value.normalize(decimal.Context(prec=1000)), "f")


def encode_key(value: AttributeValue) -> bytes:
    kind, inner = next(iter(value.items()))
    if kind == "S":
        return bytes(inner.encode("utf-8"))
    if kind == "B":
        return bytes(inner)
    return encode_number(inner)


def prefix_successor(prefix: bytes) -> bytes | None:
    """The smallest byte string greater than every string starting with ``prefix``
    (None: no upper bound), for ``begins_with`` as a range."""
    data = bytearray(prefix)
    while data and data[-1] == 0xFF:
        data.pop()
    if not data:
        return None
    data[-1] += 1
    return bytes(data)
