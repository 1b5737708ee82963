"""Small ASGI helpers the doors share: read a bounded body, answer with bytes."""

from __future__ import annotations

from typing import Any

import orjson

JSON = (b"content-type", b"application/json")


class BodyTooLarge(Exception):
    pass


async def read_body(receive: Any, limit: int) -> bytes | None:
    """The whole request body; None if the client left; BodyTooLarge past ``limit``."""
    message = await receive()
    if message["type"] == "http.disconnect":
        return None
    body: bytes = message.get("body", b"")
    if not message.get("more_body"):
        if len(body) > limit:
            raise BodyTooLarge
        return body
    chunks = [body]
    size = len(body)
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


async def respond(send: Any, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def message_body(message: str) -> bytes:
    return orjson.dumps({"message": message})
