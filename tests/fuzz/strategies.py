"""Hypothesis strategies for hostile requests to Lambda's REST API.

A request is built in layers, each drawn independently so hypothesis can shrink them
apart: the operation (from botocore's model), its URI labels, query string, headers,
method and path mutations, and a body. Bodies start from the operation's input shape
(valid-looking JSON) and are then broken: a required member dropped, a member of the
wrong type, unknown members, huge strings, deep nesting, JSON that is no object, bytes
that are no JSON at all, nothing.

Safety (no stored data may change): only ``GET`` requests, which only read (checked in
``operations``), may name the protected resources; every other request names in its
labels only things that do not exist, and the operations that create from nothing get
only bodies that cannot validate. A request built here can therefore succeed by chance
only without changing anything, which the snapshot comparison checks.
"""

from __future__ import annotations

import base64
from urllib.parse import quote, urlencode

from botocore.model import Shape
from hypothesis import strategies as st

from tests.fuzz.bodies import SHAPELESS, any_body, broken_bodies, enum_values
from tests.fuzz.hostile import hostile_text, names_nothing_protected
from tests.fuzz.known import hits_known_finding
from tests.fuzz.operations import Operation, lambda_operations
from tests.fuzz.protected import ALIAS, LAYER, function_refs
from tests.fuzz.wire import WireRequest

__all__ = ["lambda_requests", "unsigned"]


_harmless_label = hostile_text.filter(names_nothing_protected)
_protected_label = st.sampled_from(
    [*function_refs(), LAYER, f"arn:aws:lambda:us-east-1:000000000000:layer:{LAYER}", "1", ALIAS]
)


_CREDENTIAL_PART = st.from_regex(r"[A-Za-z0-9._\-]{0,24}", fullmatch=True)


@st.composite
def _lambda_authorization(draw: st.DrawFn) -> tuple[str, str]:
    """A SigV4 (or SigV4a) Authorization header whose scope names ``lambda``."""
    key, date, region = (
        draw(_CREDENTIAL_PART),
        draw(_CREDENTIAL_PART),
        draw(st.one_of(st.just("us-east-1"), _CREDENTIAL_PART)),
    )
    signature = draw(st.from_regex(r"[0-9a-f]{0,64}", fullmatch=True))
    if draw(st.booleans()):
        scope = f"{key}/{date}/{region}/lambda/aws4_request"
        algorithm = "AWS4-HMAC-SHA256"
    else:
        scope = f"{key}/{date}/lambda/aws4_request"
        algorithm = "AWS4-ECDSA-P256-SHA256"
    return (
        "Authorization",
        f"{algorithm} Credential={scope}, SignedHeaders=host, Signature={signature}",
    )


_CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/x-amz-json-1.1",
        "application/x-amz-json-1.0",
        "text/plain",
        "application/xml",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "",
        "application/json; charset=utf-16",
        "application/octet-stream",
        "*/*",
        "\u00e4/\u00e4",
    ]
)

_HEADER_VALUE = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
    max_size=120,
)

#: Almost base64, almost JSON: what ``X-Amz-Client-Context`` decoders trip over.
_BASE64ISH = st.sampled_from(
    [
        "\x80",
        "\u00e4",
        "\u00e9==",
        "=",
        "====",
        "e30",
        " e30= ",
        "e30=",
        "W10=",
        "gA==",
        "bnVsbA==",
        "bm90IGpzb24=",
        "eyJhIjog",
        base64.b64encode(b'{"custom": {"a": 1}}').decode(),
    ]
)

_MEANINGFUL_HEADERS = st.sampled_from(
    [
        "X-Amz-Invocation-Type",
        "X-Amz-Log-Type",
        "X-Amz-Client-Context",
        "X-Amz-Date",
        "X-Amz-Security-Token",
        "X-Amz-Target",
        "X-Amz-Tenant-Id",
        "X-Amz-Durable-Execution-Name",
        "Content-Encoding",
        "Accept",
        "Accept-Encoding",
        "X-Amzn-Trace-Id",
        "Amz-Sdk-Invocation-Id",
        "Amz-Sdk-Request",
        "X-Amz-Content-Sha256",
        "Range",
        "If-Match",
        "Cookie",
        "Origin",
    ]
)


@st.composite
def _headers(draw: st.DrawFn, operation: Operation) -> list[tuple[str, str]]:
    headers: list[tuple[str, str]] = []
    if draw(st.integers(0, 4)):
        headers.append(("Content-Type", draw(_CONTENT_TYPES)))
    for wire_name, (_, shape) in operation.header_members.items():
        if draw(st.booleans()):
            value = draw(
                st.one_of(
                    st.sampled_from(enum_values(shape) or ["x"]),
                    _HEADER_VALUE,
                    _BASE64ISH,
                    st.binary(max_size=40).map(lambda b: base64.b64encode(b).decode()),
                )
            )
            headers.append((wire_name, value))
    names = st.one_of(_MEANINGFUL_HEADERS, st.from_regex(r"X-[A-Za-z0-9-]{1,20}", fullmatch=True))
    headers += draw(st.lists(st.tuples(names, _HEADER_VALUE), max_size=4))
    return headers


def _query_value(shape: Shape) -> st.SearchStrategy[str]:
    if shape.type_name in ("integer", "long"):
        return st.one_of(st.integers(-(2**70), 2**70).map(str), hostile_text)
    if shape.type_name == "boolean":
        return st.one_of(st.sampled_from(["true", "false", "TRUE", "1"]), hostile_text)
    if enum_values(shape):
        return st.one_of(st.sampled_from(enum_values(shape)), hostile_text)
    return hostile_text


@st.composite
def _query(draw: st.DrawFn, operation: Operation, harmless: bool) -> str:
    pairs: list[tuple[str, str]] = []
    if operation.query and draw(st.integers(0, 5)):
        pairs += [tuple(p.partition("=")[::2]) for p in operation.query.split("&")]  # type: ignore[misc]
    for wire_name, (_, shape) in operation.querystring_members.items():
        if draw(st.booleans()):
            count = 2 if shape.type_name == "list" and draw(st.booleans()) else 1
            inner = shape.member if shape.type_name == "list" else shape
            for _ in range(count):
                value = draw(_query_value(inner))
                if harmless and not names_nothing_protected(value):
                    value = "ghost"
                pairs.append((wire_name, value))
    pairs += draw(st.lists(st.tuples(hostile_text, hostile_text), max_size=2))
    if harmless:
        pairs = [(k, v) for k, v in pairs if names_nothing_protected(k + v)]
    query = urlencode(pairs, quote_via=quote)
    junk = draw(st.sampled_from(["", "", "", "&", "&&=&", "%zz", "=", "a=%", "x=%00"]))
    return f"{query}&{junk}" if query and junk else query or junk


_METHODS = st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"])
_PATH_MUTATIONS = st.sampled_from(
    [
        *["none"] * 16,
        "trailing-slash",
        "extra-segment",
        "double-slash",
        "dot-segment",
        "other-version",
        "upper-case",
        "encoded-null",
    ]
)


def _mutate_path(path: str, mutation: str) -> str:
    if mutation == "trailing-slash":
        return path + "/"
    if mutation == "extra-segment":
        return path + "/extra"
    if mutation == "double-slash":
        return path.replace("/", "//", 2)
    if mutation == "dot-segment":
        return "/.." + path
    if mutation == "other-version":
        return "/2099-01-01" + path[path.index("/", 1) :] if path.count("/") > 1 else path
    if mutation == "upper-case":
        return path.upper()
    if mutation == "encoded-null":
        return path + "%00"
    return path


def lambda_requests(
    operations: tuple[Operation, ...] | None = None, *, dodge_known: bool = True
) -> st.SearchStrategy[WireRequest]:
    """Hostile requests aimed at Lambda's operations, signed for ``lambda``.

    ``dodge_known`` leaves out requests that trip a finding already reported
    (``known.py``), so a run can find new ones.
    """
    requests = _lambda_requests(operations)
    return requests.filter(lambda r: not hits_known_finding(r)) if dodge_known else requests


@st.composite
def _lambda_requests(draw: st.DrawFn, operations: tuple[Operation, ...] | None) -> WireRequest:
    everything = operations or lambda_operations()
    served = tuple(op for op in everything if op.served) or everything
    # Mostly what Stratus serves (deep paths: parsing, the provider, the store); the
    # rest is answered by routing alone, which a few examples cover.
    operation = draw(st.sampled_from(served if draw(st.integers(0, 5)) else everything))
    method = operation.method if draw(st.integers(0, 6)) else draw(_METHODS)
    # Only GET reads; anything else may reach a mutating operation, so it names nothing.
    harmless = method != "GET"
    mutation = draw(_PATH_MUTATIONS)
    path = operation.path
    for label in operation.labels:
        raw = draw(_harmless_label if harmless else st.one_of(_protected_label, hostile_text))
        safe = draw(st.sampled_from(["", "", "", ":$", "/:$@"]))
        path = path.replace("{" + label + "}", quote(raw, safe=safe), 1)
        path = path.replace("{" + label + "+}", quote(raw, safe=safe), 1)
    path = _mutate_path(path, mutation)
    query = draw(_query(operation, harmless))
    headers = draw(_headers(operation))
    if harmless:
        headers = [(k, v) for k, v in headers if names_nothing_protected(v)]
    if draw(st.integers(0, 9)):
        headers.append(draw(_lambda_authorization()))
    else:  # presigned: the scope in the query string instead of a header
        credential = quote("AKID/20240101/us-east-1/lambda/aws4_request", safe="")
        query = f"X-Amz-Credential={credential}" + (f"&{query}" if query else "")
    if method != operation.method:
        # Routed to some other operation: a body of this one's shape means nothing there,
        # so send one that no operation can take as a valid structure.
        body = draw(SHAPELESS)
    elif operation.read_only or operation.guarded:
        body = draw(any_body(operation))
    else:
        body = draw(broken_bodies(operation))
    target = f"{path}?{query}" if query else path
    return WireRequest(method, target, tuple(headers), body)


def unsigned(request: WireRequest) -> WireRequest:
    """The same request without its signature: routing falls back to the HTTP bindings."""
    headers = tuple((k, v) for k, v in request.headers if k.lower() != "authorization")
    path, _, query = request.target.partition("?")
    kept = "&".join(p for p in query.split("&") if not p.startswith("X-Amz-Credential="))
    return WireRequest(
        request.method, f"{path}?{kept}" if kept else path, headers, request.body, request.expect
    )
