"""Hostile text: what goes into labels, query strings and string members.

Also the one safety predicate the fuzzer relies on: :func:`names_nothing_protected`.
"""

from __future__ import annotations

from urllib.parse import unquote

from hypothesis import strategies as st

from tests.fuzz.protected import PROTECTED_MARK

__all__ = ["HOSTILE_STRINGS", "TEXT", "hostile_text", "names_nothing_protected"]

#: Strings that broke parsers, routers and stores before: traversal, encodings,
#: injections, ARNs, numbers at the edges, lengths just over Lambda's limits.
HOSTILE_STRINGS: tuple[str, ...] = (
    "",
    " ",
    ".",
    "..",
    "../..",
    "../../../../etc/passwd",
    "/",
    "//",
    "%",
    "%zz",
    "%00",
    "%2F",
    "%252F",
    "\\",
    "\x00",
    "\t",
    "\n",
    "\r\n",
    "\u202e",
    "\U0001f600",
    "\u00e4",
    "$LATEST",
    "$LATEST:1",
    ":",
    "::::",
    "*",
    "?",
    "#",
    "&",
    "=",
    "+",
    ";",
    ",",
    "arn:aws:lambda:us-east-1:000000000000:function:",
    "arn:aws:lambda:us-east-1:000000000000:function:ghost:1",
    "arn:aws:lambda:us-east-1:000000000000:layer:ghost:1",
    "arn:aws:lambda:us-east-1:000000000000:layer:ghost",
    "000000000000:function:ghost",
    "arn:aws:iam::000000000000:role/x",
    "arn:",
    "arn:aws",
    "'; DROP TABLE functions; --",
    '" OR 1=1 --',
    "${jndi:ldap://x/a}",
    "{{7*7}}",
    "<script>alert(1)</script>",
    "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>",
    "null",
    "None",
    "true",
    "NaN",
    "Infinity",
    "-1",
    "0",
    "-0",
    "1.5",
    "1e400",
    "18446744073709551616",
    "-9223372036854775809",
    "9" * 400,
    "a" * 65,
    "a" * 141,
    "a" * 171,
    "a" * 1000,
    "x" * 8000,
    "ALL",
)

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=80)
_NAMEISH = st.from_regex(r"[a-zA-Z0-9_-]{1,64}", fullmatch=True)
hostile_text = st.one_of(st.sampled_from(HOSTILE_STRINGS), TEXT, _NAMEISH)


def names_nothing_protected(raw: str) -> bool:
    """Whether ``raw`` cannot name a protected resource, however often it is decoded."""
    decoded = raw
    for _ in range(3):
        if PROTECTED_MARK in decoded.lower():
            return False
        decoded = unquote(decoded)
    return PROTECTED_MARK not in decoded.lower()
