"""The gateway port: users' HTTP APIs (API Gateway) are routed here.

No API can be defined yet (API Gateway's issue builds them), so every request answers as
API Gateway does for a path it has no route for.
"""

from __future__ import annotations

from typing import Any

_BODY = b'{"message":"Not Found"}'


class GatewayApp:
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await send(
            {
                "type": "http.response.start",
                "status": 404,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(_BODY)).encode()),
                    (b"x-amzn-errortype", b"NotFoundException"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": _BODY})
