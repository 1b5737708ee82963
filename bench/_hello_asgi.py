"""The raw ASGI hello world the HTTP benchmarks compare Stratus with.

It answers every request with what Lambda's Invoke answers for a hello-world function
(200, a JSON body), so the same boto3 client can call it as it calls Stratus and the
difference between the two is the server's work alone: routing, parsing, invoking a
function in another process and serializing the response.
"""

from __future__ import annotations

from typing import Any

BODY = b'{"hello": "world"}'
HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(BODY)).encode()),
    (b"x-amz-executed-version", b"$LATEST"),
]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    more = True
    while more:  # drain the request body, as any real server must
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
