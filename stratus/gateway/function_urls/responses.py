"""What a function's answer means as an HTTP response, as function URLs read it.

A JSON object with a ``statusCode`` is a response: its ``headers``, ``cookies`` (each a
``Set-Cookie``), ``body`` (base64 when ``isBase64Encoded``). Anything else valid JSON
(a bare string, a number, an object without ``statusCode``) is inferred: status 200,
``content-type: application/json`` and the payload itself as the body, quotes and all.
See https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-response-payload
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

import orjson


class MalformedResponse(Exception):
    """The function answered something a URL cannot turn into HTTP: Lambda's 502."""


@dataclass(slots=True)
class HttpAnswer:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


def infer(payload: bytes) -> HttpAnswer:
    try:
        value = orjson.loads(payload) if payload.strip() else None
    except orjson.JSONDecodeError:
        raise MalformedResponse("not JSON") from None
    if not isinstance(value, dict) or "statusCode" not in value:
        body = payload if value is not None else b""
        return HttpAnswer(200, [("content-type", "application/json")], body)
    return structured(value)


def structured(value: dict[str, Any]) -> HttpAnswer:
    status = value.get("statusCode")
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise MalformedResponse(f"statusCode {status!r}")
    headers: list[tuple[str, str]] = []
    raw_headers = value.get("headers") or {}
    if not isinstance(raw_headers, dict):
        raise MalformedResponse("headers is not an object")
    for name, header_value in raw_headers.items():
        headers.append((str(name).lower(), _text(header_value)))
    cookies = value.get("cookies") or []
    if not isinstance(cookies, list):
        raise MalformedResponse("cookies is not a list")
    headers.extend(("set-cookie", _text(c)) for c in cookies)
    body_value = value.get("body")
    if body_value is None:
        body = b""
    elif isinstance(body_value, str):
        if value.get("isBase64Encoded"):
            try:
                body = base64.b64decode(body_value, validate=True)
            except (binascii.Error, ValueError):
                raise MalformedResponse("body is not base64") from None
        else:
            body = body_value.encode("utf-8")
    else:
        body = orjson.dumps(body_value)
    if body and not any(name == "content-type" for name, _ in headers):
        headers.append(("content-type", "application/json"))
    return HttpAnswer(status, headers, body)


def _text(value: Any) -> str:
    text = value if isinstance(value, str) else orjson.dumps(value).decode()
    # A header value must not smuggle a second header or a second response.
    return text.replace("\r", " ").replace("\n", " ")
