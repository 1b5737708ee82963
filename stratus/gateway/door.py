"""The ``execute-api`` front door: every API Gateway API on the gateway port.

``{api-id}.execute-api.localhost:8080`` or ``/_aws/execute-api/{api-id}/...``: the door
finds the API by id and hands the request to the server of its kind (HTTP, WebSocket or
REST API). An unknown id answers 404 ``{"message":"Not Found"}``, as an unknown API
Gateway host does; a body over 10 MB answers 413 (API Gateway's payload limit).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stratus.gateway.asgi import JSON, BodyTooLarge, read_body, respond
from stratus.gateway.http_api import NOT_FOUND, HttpApiServer
from stratus.gateway.request import from_scope
from stratus.runtime.ids import new_request_id
from stratus.services.apis.model import HttpApi

MAX_BODY_BYTES = 10 * 1024 * 1024
TOO_LARGE = b'{"message":"Request Entity Too Large"}'


class ExecuteApiDoor:
    def __init__(
        self,
        find_http_api: Callable[[str], HttpApi | None],
        http: HttpApiServer,
        *,
        rest: Any = None,
        websocket: Any = None,
        find_rest_api: Callable[[str], Any] | None = None,
    ) -> None:
        self._find_http = find_http_api
        self._find_rest = find_rest_api
        self._http = http
        self._rest = rest
        self._websocket = websocket

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        api_id = scope["stratus.resource_id"]
        api = self._find_http(api_id)
        if scope["type"] == "websocket":
            if api is None or api.protocol_type != "WEBSOCKET" or self._websocket is None:
                await send({"type": "websocket.close", "code": 1008})
                return
            await self._websocket.serve(api, scope, receive, send)
            return
        if api is None:
            rest = self._find_rest(api_id) if self._find_rest is not None else None
            if rest is not None and self._rest is not None:
                await self._rest.serve(rest, scope, receive, send)
                return
            await respond(send, 404, [JSON], NOT_FOUND)
            return
        if api.protocol_type == "WEBSOCKET":
            if self._websocket is not None and await self._websocket.serve_http(
                api, scope, receive, send
            ):
                return
            await respond(send, 404, [JSON], NOT_FOUND)
            return
        compiled = self._http.compiled(api)
        path = scope["path"]
        selected = self._http.select_stage(compiled, path)
        if selected is None:
            await respond(send, 404, [JSON], NOT_FOUND)
            return
        stage, rest_path = selected
        try:
            body = await read_body(receive, MAX_BODY_BYTES)
        except BodyTooLarge:
            await respond(send, 413, [JSON], TOO_LARGE)
            return
        if body is None:
            return
        raw_path = scope.get("raw_path")
        raw = raw_path.decode("latin-1") if raw_path else path
        if stage.name != "$default":
            raw = raw[len(stage.name) + 1 :] or "/"
            raw = raw if raw.startswith("/") else "/" + raw
        request = from_scope(scope, body, new_request_id(), rest_path, raw)
        request.stage = stage.name
        await self._http.serve(compiled, stage, request, send)
