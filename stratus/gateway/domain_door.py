"""Custom domain names on the gateway port: ``Host: api.example.com`` (any port).

The gateway app finds the domain by the request's host (``stratus.domain`` in the scope);
this door picks the mapping with the longest key that prefixes the path, strips that
key as API Gateway strips a base path (docs: "Use API mappings to connect API stages to a
custom domain name for REST APIs": ``/orders/shop/5/hats`` under the key
``orders/shop/5`` invokes ``/hats``), and hands the rest to the mapped API's stage.

Events still show what the client sent: ``requestContext.domainName`` is the custom
domain, and the path (``rawPath``, ``requestContext.http.path``, v1's ``path`` and
``requestContext.path``) keeps the mapping key, as AWS sends it; routes match the
stripped path. A path no mapping serves, or a mapping whose API or stage is gone,
answers 403 ``{"message":"Forbidden"}``, API Gateway's answer for a custom domain.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from stratus.gateway.asgi import JSON, BodyTooLarge, read_body, respond
from stratus.gateway.http_api import HttpApiServer
from stratus.gateway.request import from_scope
from stratus.runtime.ids import new_request_id
from stratus.services.apis.domains import DomainName
from stratus.services.apis.model import HttpApi

__all__ = ["DomainDoor"]

MAX_BODY_BYTES = 10 * 1024 * 1024
FORBIDDEN = b'{"message":"Forbidden"}'
TOO_LARGE = b'{"message":"Request Entity Too Large"}'
_FORBIDDEN_HEADERS = [JSON, (b"x-amzn-errortype", b"ForbiddenException")]


class DomainDoor:
    def __init__(
        self,
        find_http_api: Callable[[str], HttpApi | None],
        http: HttpApiServer,
        find_rest_api: Callable[[str], Any],
        rest: Any,
    ) -> None:
        self._find_http = find_http_api
        self._http = http
        self._find_rest = find_rest_api
        self._rest = rest

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        domain: DomainName = scope["stratus.domain"]
        if scope["type"] == "websocket":  # WebSocket APIs are not served on domains
            await send({"type": "websocket.close", "code": 1008})
            return
        raw_bytes = scope.get("raw_path")
        raw = raw_bytes.decode("latin-1") if raw_bytes else scope["path"]
        found = domain.resolve(raw)
        if found is None:
            await respond(send, 403, _FORBIDDEN_HEADERS, FORBIDDEN)
            return
        mapping, rest_raw = found
        rest_path = unquote(rest_raw)
        host = _host(scope)
        scope["stratus.mapped"] = (host, unquote(raw), raw)
        rest_api = self._find_rest(mapping.api_id)
        if rest_api is not None:
            # The REST server reads the stage from the path: put the mapped one there.
            # A mapping without a stage lets the client name it, as v1 allows.
            if mapping.stage:
                rest_path = f"/{mapping.stage}{rest_path}"
                rest_raw = f"/{mapping.stage}{rest_raw}"
            scope["path"] = rest_path
            scope["raw_path"] = rest_raw.encode("latin-1")
            await self._rest.serve(rest_api, scope, receive, send)
            return
        api = self._find_http(mapping.api_id)
        if api is None or api.protocol_type != "HTTP":
            await respond(send, 403, _FORBIDDEN_HEADERS, FORBIDDEN)
            return
        compiled = self._http.compiled(api)
        stage = compiled.stages.get(mapping.stage)
        if stage is None:
            await respond(send, 403, _FORBIDDEN_HEADERS, FORBIDDEN)
            return
        try:
            body = await read_body(receive, MAX_BODY_BYTES)
        except BodyTooLarge:
            await respond(send, 413, [JSON], TOO_LARGE)
            return
        if body is None:
            return
        request = from_scope(scope, body, new_request_id(), rest_path, rest_raw)
        request.stage = stage.name
        await self._http.serve(compiled, stage, request, send)


def _host(scope: dict[str, Any]) -> str:
    """The name the client asked for, without its port (what AWS puts in
    ``requestContext.domainName``; for a wildcard domain, the name actually used)."""
    for key, value in scope["headers"]:
        if key == b"host":
            return str(value.decode("latin-1")).partition(":")[0].lower()
    return ""
