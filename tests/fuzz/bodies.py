"""Request bodies from an operation's input shape: valid-looking, then broken.

Broken in every way a parser meets: a required member dropped, a member of the wrong
type, unknown members, huge strings, nesting deeper than any parser allows, JSON that
is no object, bytes that are no JSON at all, nothing. :func:`broken_bodies` holds only
bodies the model's validation must refuse; :func:`any_body` also valid-looking ones.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from botocore.model import Shape
from hypothesis import strategies as st

from tests.fuzz.hostile import TEXT, hostile_text
from tests.fuzz.operations import Operation

__all__ = ["SHAPELESS", "any_body", "broken_bodies", "enum_values", "shape_values"]


def enum_values(shape: Shape) -> list[str]:
    """The shape's allowed values (only string shapes have the attribute)."""
    return list(getattr(shape, "enum", None) or [])


# -- values from shapes ------------------------------------------------------------


def _scalar(shape: Shape) -> st.SearchStrategy[Any]:
    kind = shape.type_name
    if kind == "string":
        if enum_values(shape):
            return st.one_of(st.sampled_from(enum_values(shape)), hostile_text)
        return hostile_text
    if kind in ("integer", "long"):
        return st.one_of(
            st.integers(-10, 1000), st.sampled_from([-(2**63), 2**63 - 1, 2**64 - 1, 2**31])
        )
    if kind in ("float", "double"):
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "timestamp":
        return st.one_of(st.integers(-(2**40), 2**40), st.sampled_from(["2024-01-01T00:00:00Z"]))
    if kind == "blob":
        return st.binary(max_size=64).map(lambda b: base64.b64encode(b).decode("ascii"))
    return st.none()


def shape_values(shape: Shape, depth: int = 0) -> st.SearchStrategy[Any]:
    """JSON values that look valid for ``shape`` (types right, contents hostile)."""
    kind = shape.type_name
    if depth > 4:
        return st.none()
    if kind == "structure":
        if getattr(shape, "is_document_type", False):
            return st.recursive(
                st.none() | st.booleans() | st.integers() | TEXT,
                lambda inner: (
                    st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3)
                ),
                max_leaves=8,
            )
        members = {name: shape_values(member, depth + 1) for name, member in shape.members.items()}
        required = {name: members.pop(name) for name in shape.required_members if name in members}
        return st.fixed_dictionaries(required, optional=members)
    if kind == "list":
        return st.lists(shape_values(shape.member, depth + 1), max_size=3)
    if kind == "map":
        return st.dictionaries(hostile_text, shape_values(shape.value, depth + 1), max_size=3)
    return _scalar(shape)


def _wrong_type(shape: Shape) -> st.SearchStrategy[Any]:
    """A JSON value the parser must refuse for ``shape``."""
    kind = shape.type_name
    if kind == "string":
        return st.one_of(
            st.integers(),
            st.booleans(),
            st.lists(st.integers(), max_size=2),
            st.dictionaries(TEXT, st.integers(), max_size=2),
        )
    if kind in ("integer", "long"):
        return st.one_of(
            st.floats(allow_nan=False).filter(lambda f: not f.is_integer()),
            TEXT,
            st.booleans(),
            st.lists(st.integers(), max_size=2),
        )
    if kind in ("float", "double"):
        return st.one_of(
            TEXT.filter(lambda s: s not in ("NaN", "Infinity", "-Infinity")),
            st.booleans(),
            st.dictionaries(TEXT, st.integers(), max_size=2),
        )
    if kind == "boolean":
        return st.one_of(st.integers(), st.sampled_from(["true", "false", "yes", ""]))
    if kind == "timestamp":
        return st.one_of(
            st.booleans(),
            st.lists(st.integers(), max_size=2),
            st.sampled_from(["yesterday", "2024-13-45T99:99:99Z", "1e400"]),
        )
    if kind == "blob":
        return st.one_of(
            st.integers(),
            st.booleans(),
            st.sampled_from(["not base64!", "====", "a", "\u00e4\u00e4"]),
        )
    if kind in ("structure", "map"):
        return st.one_of(st.integers(), TEXT, st.lists(st.integers(), max_size=2))
    if kind == "list":
        return st.one_of(st.integers(), TEXT, st.dictionaries(TEXT, st.integers(), max_size=2))
    return st.nothing()


def _typed_members(operation: Operation) -> dict[str, Shape]:
    """Body members whose type the parser checks (document members take anything)."""
    return {
        name: member
        for name, member in operation.body_members.items()
        if not getattr(member, "is_document_type", False)
    }


# -- bodies ---------------------------------------------------------------------------


def _encode(document: Any, ascii_only: bool) -> bytes:
    return json.dumps(document, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


def _deep(depth: int, opener: str) -> bytes:
    close = {"[": "]", '{"a":': "}"}[opener]
    return (opener * depth + "1" + close * depth).encode()


_NOT_JSON: st.SearchStrategy[bytes] = st.one_of(
    st.binary(min_size=1, max_size=512),
    st.sampled_from(
        [
            b"{",
            b"}",
            b'{"a":',
            b"{'a': 1}",
            b'{"a": 1,}',
            b'{"a": NaN}',
            b'{"a": 1} x',
            b"\xef\xbb\xbf{}",
            b"\xff\xfe{\x00}\x00",
            b'{"a": "\xff\xfe"}',
            b"<xml/>",
            b"Action=ListFunctions",
            b"\x00" * 64,
            b'{"a": 1e400}',
            b"[" * 5000,
        ]
    ),
).filter(lambda raw: not _is_json(raw))


def _is_json(raw: bytes) -> bool:
    try:
        json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return False
    return True


_NOT_OBJECT: st.SearchStrategy[bytes] = st.one_of(
    st.sampled_from([b"[]", b"null", b"0", b"true", b'"FunctionName"', b"[{}]", b"1e5"]),
    st.integers(1025, 3000).map(lambda n: _deep(n, "[")),
    st.integers(1025, 3000).map(lambda n: _deep(n, '{"a":')),
)


#: Bodies without any structure member: every creating operation needs one (``Code``,
#: ``Content``...), so none of these can create anything, whatever they are routed to.
SHAPELESS: st.SearchStrategy[bytes] = st.one_of(
    _NOT_JSON,
    _NOT_OBJECT,
    st.just(b""),
    st.dictionaries(hostile_text, st.one_of(st.integers(), TEXT, st.none()), max_size=4).map(
        lambda d: _encode(d, True)
    ),
)


@st.composite
def _valid_looking(draw: st.DrawFn, operation: Operation) -> Any:
    members = operation.body_members
    if not members:
        return draw(st.dictionaries(TEXT, st.integers(), max_size=3))
    shape = operation.input_shape
    assert shape is not None
    strategies = {name: shape_values(member) for name, member in members.items()}
    required = {n: strategies.pop(n) for n in operation.required_body_members}
    return draw(st.fixed_dictionaries(required, optional=strategies))


@st.composite
def _missing_required(draw: st.DrawFn, operation: Operation) -> bytes:
    document = dict(draw(_valid_looking(operation)))
    dropped = draw(st.sampled_from(operation.required_body_members))
    document.pop(dropped, None)
    return _encode(document, draw(st.booleans()))


@st.composite
def _wrongly_typed(draw: st.DrawFn, operation: Operation, *, required_only: bool) -> bytes:
    document = dict(draw(_valid_looking(operation)))
    typed = _typed_members(operation)
    names = (
        [n for n in operation.required_body_members if n in typed] if required_only else list(typed)
    )
    name = draw(st.sampled_from(names))
    document[name] = draw(_wrong_type(typed[name]))
    return _encode(document, draw(st.booleans()))


@st.composite
def _with_unknown_members(draw: st.DrawFn, operation: Operation) -> bytes:
    document = dict(draw(_valid_looking(operation)))
    extra = draw(
        st.dictionaries(
            hostile_text, st.one_of(st.integers(), TEXT, st.none()), min_size=1, max_size=4
        )
    )
    for key, value in extra.items():
        document.setdefault(key, value)
    return _encode(document, draw(st.booleans()))


@st.composite
def _with_huge_string(draw: st.DrawFn, operation: Operation) -> bytes:
    document = dict(draw(_valid_looking(operation)))
    strings = [n for n, m in operation.body_members.items() if m.type_name == "string"]
    size = draw(st.sampled_from([70_000, 300_000, 1_100_000]))
    huge = draw(st.sampled_from("a\u00e4\U0001f600")) * size
    document[draw(st.sampled_from(strings)) if strings else "Unknown"] = huge
    return _encode(document, draw(st.booleans()))


@st.composite
def _valid_looking_bytes(draw: st.DrawFn, operation: Operation) -> bytes:
    return _encode(draw(_valid_looking(operation)), draw(st.booleans()))


def broken_bodies(operation: Operation) -> st.SearchStrategy[bytes]:
    """Bodies that cannot pass the model's validation for ``operation``."""
    options: list[st.SearchStrategy[bytes]] = [_NOT_JSON, _NOT_OBJECT]
    if operation.required_body_members:
        options.append(_missing_required(operation))
        options.append(st.just(b""))
        if any(n in _typed_members(operation) for n in operation.required_body_members):
            options.append(_wrongly_typed(operation, required_only=True))
    return st.one_of(options)


def any_body(operation: Operation) -> st.SearchStrategy[bytes]:
    options: list[st.SearchStrategy[bytes]] = [
        broken_bodies(operation),
        _valid_looking_bytes(operation),
        _with_unknown_members(operation),
        _with_huge_string(operation),
        st.just(b""),
    ]
    if _typed_members(operation):
        options.append(_wrongly_typed(operation, required_only=False))
    if operation.payload is not None:  # the whole body is the member: any bytes at all
        options.append(st.binary(max_size=2048))
    return st.one_of(options)
