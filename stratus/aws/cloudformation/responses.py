"""The ResponseURL of custom resources: ``PUT /_stratus/cloudformation/responses/<token>``
on the control port, answered as S3 answers a presigned PUT (200 with an empty body, or
an XML error), so cfn-response, crhelper and plain ``urllib`` code work unchanged.

Other requests go on to ``fallback`` (the native API).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson

from stratus.services.stacks.custom import RESPONSE_PATH, CustomResponses, ResponseRejected

__all__ = ["ResponseRoute"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
AsgiApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# A body beyond this is no response object (AWS's limit, 4 KiB, fails the resource with
# its own reason once the answer is read); reading stops here.
_READ_LIMIT = 64 * 1024


class ResponseRoute:
    def __init__(self, responses: CustomResponses, fallback: AsgiApp) -> None:
        self._responses = responses
        self._fallback = fallback

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(RESPONSE_PATH):
            await self._fallback(scope, receive, send)
            return
        if scope["method"] != "PUT":
            await _error(send, 405, "MethodNotAllowed", "The specified method is not allowed")
            return
        body = await _body(receive)
        try:
            if body is None:
                raise ResponseRejected(400, "Response object is too long.")
            try:
                response = orjson.loads(body)
            except orjson.JSONDecodeError:
                raise ResponseRejected(400, "The response object is not JSON") from None
            if not isinstance(response, dict):
                raise ResponseRejected(400, "The response object is not a JSON object")
            await self._responses.answer(path[len(RESPONSE_PATH) :], response)
        except ResponseRejected as exc:
            code = "AccessDenied" if exc.status == 403 else "InvalidRequest"
            await _error(send, exc.status, code, exc.message)
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})


async def _body(receive: Receive) -> bytes | None:
    """The request body, or ``None`` past the read limit."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > _READ_LIMIT:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


async def _error(send: Send, status: int, code: str, message: str) -> None:
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
        f"<Message>{message}</Message></Error>"
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/xml")],
        }
    )
    await send({"type": "http.response.body", "body": body})
