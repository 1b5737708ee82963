"""The ``lambda-url`` front door: an HTTP request in, one invocation, its answer out.

Per request: find the URL by its id (one dict lookup), read the body (refusing more than
Lambda's 6 MB before reading it), check access (``UrlAccess``: the resource policy for
``NONE``, the SigV4 signature for ``AWS_IAM``), answer a CORS preflight without invoking,
build the payload 2.0 event, invoke, and turn the answer into HTTP (``responses``). Every
failure answers as a function URL does: 403 ``{"Message":"Forbidden"}``, 404 for an
unknown URL, 413 over the payload limit, 429 when throttled, 502 ``Internal Server Error``
for a function error or a malformed answer, 504 when the function times out.

``RESPONSE_STREAM`` URLs stream what the function writes as it writes it: a Node.js or
custom runtime's bytes reach the client before the function returns, after the HTTP
metadata prelude (``HttpResponseStream.from``: JSON, then 8 null bytes) when it wrote one.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from stratus.gateway.asgi import BodyTooLarge, read_body
from stratus.gateway.function_urls import cors as cors_rules
from stratus.gateway.function_urls.events import UrlRequest, build_event, new_request_id
from stratus.gateway.function_urls.responses import (
    HttpAnswer,
    MalformedResponse,
    infer,
    structured,
)
from stratus.services.functions.errors import (
    FunctionError,
    RequestTooLarge,
    TooManyRequests,
)
from stratus.services.functions.function_urls import FunctionUrls, UrlConfig
from stratus.services.functions.invocations import Invocations
from stratus.services.functions.model import FunctionConfig
from stratus.services.functions.response_streams import ResponseStream

log = logging.getLogger(__name__)

FORBIDDEN = b'{"Message":"Forbidden"}'
_TOO_LARGE = (
    b'{"Message":"Request must be smaller than 6291456 bytes for the InvokeFunction operation"}'
)
_THROTTLED = b'{"Message":"Rate Exceeded."}'
# What a function URL answers for a failed invocation or an answer it cannot turn into
# HTTP (reported in awslabs/aws-lambda-cpp#200 and cargo-lambda/cargo-lambda#578): the
# words alone; the function's error is in its log, not in the response.
_INTERNAL = b"Internal Server Error"
_PLAIN = [("content-type", "text/plain; charset=utf-8")]
_TIMEOUT_TYPE = "Sandbox.Timedout"
_TIMED_OUT = b'{"Message":"Endpoint request timed out"}'
HTTP_INTEGRATION = "application/vnd.awslambda.http-integration-response"
_DELIMITER = b"\x00" * 8


class Forbidden(Exception):
    """The request may not invoke through this URL: 403 ``{"Message":"Forbidden"}``."""


@dataclass(frozen=True, slots=True)
class Access:
    """Who the request acts as: ``anonymous`` for NONE; for AWS_IAM, the caller's account
    and the ``authorizer.iam`` block of the event."""

    account_id: str = "anonymous"
    iam: dict[str, Any] | None = None


class UrlAccess(Protocol):
    """Decides whether a request may invoke through a URL (the functions component
    implements it: resource policies and SigV4 belong to the ``aws`` layer)."""

    def check(self, config: UrlConfig, request: UrlRequest, full_raw_path: str) -> Access:
        """Raise Forbidden, or say who the request acts as."""
        ...


Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]


class FunctionUrlApp:
    def __init__(
        self,
        urls: FunctionUrls,
        invocations: Invocations,
        access: UrlAccess,
        *,
        gateway_port: int,
        max_request_bytes: int,
    ) -> None:
        self._urls = urls
        self._invocations = invocations
        self._access = access
        self._port = gateway_port
        self._max_request = max_request_bytes

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            return
        config = self._urls.by_id(scope.get("stratus.resource_id", ""))
        if config is None:
            await _answer(send, 403, FORBIDDEN)  # AWS answers an unknown URL the same way
            return
        headers = [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope["headers"]]
        declared = _content_length(headers)
        if declared is not None and declared > self._max_request:
            await _answer(send, 413, _TOO_LARGE)
            return
        try:
            body = await read_body(receive, self._max_request)
        except BodyTooLarge:
            await _answer(send, 413, _TOO_LARGE)
            return
        if body is None:  # the client went away
            return
        raw_path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        client = scope.get("client") or ("127.0.0.1", 0)
        first = dict(headers)
        request = UrlRequest(
            url_id=config.url_id,
            region=config.region,
            method=scope["method"],
            raw_path=raw_path or "/",
            raw_query=scope.get("query_string", b"").decode("latin-1"),
            headers=headers,
            body=body,
            source_ip=str(client[0]),
            protocol=f"HTTP/{scope.get('http_version', '1.1')}",
            host=first.get("host", ""),
            port=self._port,
        )
        full_path = scope.get("root_path", "") + request.raw_path
        try:
            access = self._access.check(config, request, full_path)
        except Forbidden as why:
            log.info("function URL %s: forbidden (%s)", config.url_id, why)
            await _answer(send, 403, FORBIDDEN)
            return
        if config.cors is not None and cors_rules.is_preflight(request.method, first):
            await _answer(send, 200, b"", cors_rules.preflight(config.cors, first))
            return
        routed = self._invocations.routed(
            config.function_id, config.qualifier, wake=config.invoke_mode != "RESPONSE_STREAM"
        )
        request_id = new_request_id()
        event = orjson.dumps(
            build_event(request, request_id, iam=access.iam, account_id=access.account_id)
        )

        def decorate(response_headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
            if config.cors is None:
                return response_headers
            return cors_rules.decorate(config.cors, first, response_headers)

        if config.invoke_mode == "RESPONSE_STREAM":
            await self.invoke_streaming(config, event, request_id, send, decorate)
            return
        status, response_headers, response_body = await self.invoke_buffered(
            config, event, request_id, routed
        )
        await _answer(send, status, response_body, decorate(response_headers), request_id)

    async def invoke_buffered(
        self,
        config: UrlConfig,
        event: bytes,
        request_id: str,
        routed: FunctionConfig | None = None,
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        try:
            response = await self._invocations.invoke(
                config.function_id,
                config.qualifier,
                event,
                request_id=request_id,
                composed=True,
                routed=routed,
            )
        except FunctionError as error:
            return invoke_error(error)
        if response.function_error:
            return function_failure(response.payload)
        try:
            answer: HttpAnswer = infer(response.payload)
        except MalformedResponse as why:
            log.info("function URL %s: malformed response (%s)", config.url_id, why)
            return 502, list(_PLAIN), _INTERNAL
        return answer.status, answer.headers, answer.body

    async def invoke_streaming(
        self,
        config: UrlConfig,
        event: bytes,
        request_id: str,
        send: Send,
        decorate: Callable[[list[tuple[str, str]]], list[tuple[str, str]]],
    ) -> None:
        """RESPONSE_STREAM: bytes reach the client as the function writes them. A runtime
        that cannot stream (Python) is answered as a buffered URL would be."""
        stream = ResponseStream(
            self._invocations,
            config.function_id,
            config.qualifier,
            event,
            request_id=request_id,
        )
        try:
            await stream.start()
        except FunctionError as error:
            status, headers, body = invoke_error(error)
            await _answer(send, status, body, headers, request_id)
            return
        if not stream.started_streaming():
            response = await stream.response()
            if response.function_error:
                status, headers, body = function_failure(response.payload)
            else:
                try:
                    answer = infer(response.payload)
                except MalformedResponse:
                    status, headers, body = 502, list(_PLAIN), _INTERNAL
                else:
                    status, headers, body = answer.status, answer.headers, answer.body
            await _answer(send, status, body, decorate(headers), request_id)
            return
        pieces = stream.chunks()
        prelude = HttpPrelude() if stream.content_type == HTTP_INTEGRATION else None
        rest = b""
        if prelude is not None:
            try:
                async for data in pieces:
                    rest = prelude.feed(data)
                    if prelude.done:
                        break
                if not prelude.done:  # the stream ended inside its metadata
                    raise MalformedResponse("no metadata delimiter")
                status, headers = prelude.head()
            except MalformedResponse:
                await _drain(pieces)
                await _answer(send, 502, _INTERNAL, list(_PLAIN), request_id)
                return
        else:
            status = 200
            headers = [("content-type", stream.content_type or "application/octet-stream")]
        headers = decorate(headers)
        headers.append(("x-amzn-requestid", request_id))
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (n.encode("latin-1"), v.encode("latin-1", "replace")) for n, v in headers
                ],
            }
        )
        if rest:
            await send({"type": "http.response.body", "body": rest, "more_body": True})
        async for data in pieces:
            await send({"type": "http.response.body", "body": data, "more_body": True})
        response = await stream.response()
        if response.function_error:
            log.info("function URL %s: stream failed midway", config.url_id)
        await send({"type": "http.response.body", "body": b""})


class HttpPrelude:
    """The HTTP metadata a streaming function writes first (``HttpResponseStream.from``):
    a JSON object with statusCode, headers and cookies, then 8 null bytes."""

    LIMIT = 64 * 1024

    def __init__(self) -> None:
        self._buf = b""
        self.done = False
        self._meta = b""

    def feed(self, data: bytes) -> bytes:
        """Take bytes; once the delimiter has passed, return what follows it."""
        self._buf += data
        end = self._buf.find(_DELIMITER)
        if end < 0:
            if len(self._buf) > self.LIMIT:
                self._meta, self.done = b"", True
                raise MalformedResponse("no metadata delimiter")
            return b""
        self._meta, self.done = self._buf[:end], True
        return self._buf[end + len(_DELIMITER) :]

    def head(self) -> tuple[int, list[tuple[str, str]]]:
        try:
            meta = orjson.loads(self._meta) if self._meta.strip() else {}
        except orjson.JSONDecodeError:
            raise MalformedResponse("metadata is not JSON") from None
        if not isinstance(meta, dict):
            raise MalformedResponse("metadata is not an object")
        answer = structured({"statusCode": 200, **meta, "body": None})
        headers = answer.headers
        if not any(n == "content-type" for n, _ in headers):
            headers.append(("content-type", "application/octet-stream"))
        return answer.status, headers


async def _drain(pieces: Any) -> None:
    async for _ in pieces:
        pass


def invoke_error(error: FunctionError) -> tuple[int, list[tuple[str, str]], bytes]:
    """A refused invocation as a URL answers it."""
    json_type = [("content-type", "application/json")]
    if isinstance(error, TooManyRequests):
        return 429, json_type, _THROTTLED
    if isinstance(error, RequestTooLarge):
        return 413, json_type, _TOO_LARGE
    return 502, list(_PLAIN), _INTERNAL  # NotFound, Conflict (a function that cannot run)


def function_failure(payload: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    """A failed invocation: 504 when it timed out, else 502."""
    try:
        error = orjson.loads(payload)
    except orjson.JSONDecodeError:
        error = {}
    if isinstance(error, dict) and error.get("errorType") == _TIMEOUT_TYPE:
        return 504, [("content-type", "application/json")], _TIMED_OUT
    return 502, list(_PLAIN), _INTERNAL


def _content_length(headers: list[tuple[str, str]]) -> int | None:
    for name, value in headers:
        if name == "content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _answer(
    send: Send,
    status: int,
    body: bytes,
    headers: list[tuple[str, str]] | None = None,
    request_id: str | None = None,
) -> None:
    out = [(n.encode("latin-1"), v.encode("latin-1", "replace")) for n, v in headers or ()]
    if body and not any(n == b"content-type" for n, _ in out):
        out.append((b"content-type", b"application/json"))
    out.append((b"content-length", str(len(body)).encode()))
    if request_id:
        out.append((b"x-amzn-requestid", request_id.encode()))
    await send({"type": "http.response.start", "status": status, "headers": out})
    await send({"type": "http.response.body", "body": body})
