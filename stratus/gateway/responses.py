"""A function's answer turned into an HTTP response, as API Gateway reads it.

Payload 2.0 infers a response when the function returns no ``statusCode`` (200, JSON
content type, the value as the body; a string is the body itself). Payload 1.0 requires
``statusCode``. Anything else is a malformed response: the caller maps it to the API's
error (HTTP APIs 500, REST APIs 502).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

import orjson

# What API Gateway answers as Content-Type when the function names none: REST APIs (and
# payload 1.0) application/json, HTTP APIs' payload 2.0 plain text.
_V1_DEFAULT_TYPE = (b"content-type", b"application/json")
_V2_DEFAULT_TYPE = (b"content-type", b"text/plain; charset=utf-8")


#: Headers the gateway frames itself: a function's own (Mangum passes FastAPI's
#: Content-Length through) would contradict or duplicate them.
FRAMING = frozenset({"content-length", "transfer-encoding", "connection"})


class MalformedResponse(Exception):
    """The function's return value is no valid proxy response."""


@dataclass(slots=True)
class HttpResult:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


def _header_pairs(value: Any, into: list[tuple[bytes, bytes]], seen: set[str]) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        raise MalformedResponse("headers must be an object")
    for name, item in value.items():
        if isinstance(item, (dict, list)):
            raise MalformedResponse("header values must be scalars")
        lower = str(name).lower()
        if lower in FRAMING:
            continue
        seen.add(lower)
        into.append((lower.encode("latin-1"), _scalar(item).encode("latin-1", "replace")))


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _body(data: dict[str, Any]) -> bytes:
    body = data.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        if isinstance(body, (dict, list)):
            raise MalformedResponse("body must be a string")
        body = _scalar(body)
    if data.get("isBase64Encoded") is True:
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise MalformedResponse("body is not valid base64") from exc
    return body.encode("utf-8")


def _status(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise MalformedResponse("statusCode must be an integer")
    try:
        status = int(value)
    except ValueError as exc:
        raise MalformedResponse("statusCode must be an integer") from exc
    if not 100 <= status <= 599:
        raise MalformedResponse("statusCode out of range")
    return status


def parse_v2(payload: bytes) -> HttpResult:
    try:
        data = orjson.loads(payload) if payload else None
    except orjson.JSONDecodeError as exc:
        raise MalformedResponse("not JSON") from exc
    if not isinstance(data, dict) or "statusCode" not in data:
        body = data.encode("utf-8") if isinstance(data, str) else payload
        return HttpResult(200, [(b"content-type", b"application/json")], body)
    headers: list[tuple[bytes, bytes]] = []
    seen: set[str] = set()
    _header_pairs(data.get("headers"), headers, seen)
    cookies = data.get("cookies")
    if cookies is not None:
        if not isinstance(cookies, list):
            raise MalformedResponse("cookies must be a list")
        headers.extend((b"set-cookie", str(c).encode("latin-1", "replace")) for c in cookies)
    if "content-type" not in seen:
        headers.append(_V2_DEFAULT_TYPE)
    return HttpResult(_status(data["statusCode"]), headers, _body(data))


def parse_v1(payload: bytes) -> HttpResult:
    try:
        data = orjson.loads(payload) if payload else None
    except orjson.JSONDecodeError as exc:
        raise MalformedResponse("not JSON") from exc
    if not isinstance(data, dict) or "statusCode" not in data:
        raise MalformedResponse("statusCode is required")
    headers: list[tuple[bytes, bytes]] = []
    seen: set[str] = set()
    multi = data.get("multiValueHeaders")
    if multi is not None:
        if not isinstance(multi, dict):
            raise MalformedResponse("multiValueHeaders must be an object")
        for name, values in multi.items():
            if not isinstance(values, list):
                raise MalformedResponse("multiValueHeaders values must be lists")
            lower = str(name).lower()
            if lower in FRAMING:
                continue
            seen.add(lower)
            headers.extend(
                (lower.encode("latin-1"), _scalar(v).encode("latin-1", "replace")) for v in values
            )
    single: list[tuple[bytes, bytes]] = []
    _header_pairs(data.get("headers"), single, set())
    # A name in both maps: API Gateway merges them, the multi-value ones kept.
    headers.extend(pair for pair in single if pair[0].decode("latin-1") not in seen)
    if not any(name == b"content-type" for name, _ in headers):
        headers.append(_V1_DEFAULT_TYPE)
    return HttpResult(_status(data["statusCode"]), headers, _body(data))
