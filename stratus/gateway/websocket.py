"""WebSocket APIs (API Gateway v2, ProtocolType WEBSOCKET) and their ``@connections``.

A client connects to ``ws://{api-id}.execute-api.localhost:8080/{stage}``: the ``$connect``
route's function runs first and may refuse the connection (an error or a non-2xx
``statusCode``); each message picks a route by the API's route selection expression
(``$request.body.action``), else ``$default``, else the client gets API Gateway's
``{"message": "Forbidden", ...}``. A route is one-way unless it has a route response
(key ``$default``): only then does the backend's answer go back to the client, as API
Gateway does ("Set up route responses for WebSocket APIs"). ``$disconnect`` runs when
either side closes. Events are AWS's WebSocket shapes (``requestContext.eventType`` CONNECT/MESSAGE/DISCONNECT).

Functions push to clients through the management API (``apigatewaymanagementapi``):
``POST/GET/DELETE /{stage}/@connections/{id}`` on the API's own endpoint, as in AWS, and
on the control port for clients built with ``AWS_ENDPOINT_URL``. A connection that is gone
answers 410 GoneException.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import string
import time
from dataclasses import dataclass, field
from typing import Any

import orjson

from stratus.gateway.asgi import JSON, BodyTooLarge, read_body, respond
from stratus.gateway.authorizers import Authorizers
from stratus.gateway.events import ApiInfo
from stratus.gateway.functions import FunctionCaller, FunctionTarget, Outcome, parse_target
from stratus.gateway.metrics import GatewayMetrics
from stratus.gateway.request import from_scope, request_time
from stratus.gateway.vtl import TemplateFailed, TemplateVars
from stratus.gateway.websocket_mapping import (
    Refused,
    request_payload,
    response_payload,
    select_route,
)
from stratus.runtime.ids import new_request_id
from stratus.services.apis.model import (
    Authorizer,
    HttpApi,
    Integration,
    IntegrationResponse,
    Route,
    from_json,
)
from stratus.services.scope import Scope

log = logging.getLogger(__name__)

_ID_ALPHABET = string.ascii_letters + string.digits
MAX_FRAME_BYTES = 128 * 1024  # API Gateway's WebSocket frame limit (32 KB frames, 128 KB message)
GONE = b'{"message":"Gone"}'


def new_connection_id() -> str:
    return "".join(random.choices(_ID_ALPHABET, k=15)) + "="


class ConnectionGone(Exception):
    """The connection is closed or never existed (API Gateway's GoneException, 410)."""


@dataclass(slots=True)
class Connection:
    id: str
    api_id: str
    account: str
    stage: str
    source_ip: str
    user_agent: str
    connected_at_ms: int
    send: Any
    last_active_ms: int = 0
    closed: bool = False
    authorizer: dict[str, Any] | None = None  # what the $connect authorizer allowed with
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def push(self, data: bytes) -> None:
        if self.closed:
            raise ConnectionGone(self.id)
        async with self.lock:
            try:
                text = data.decode("utf-8")
                await self.send({"type": "websocket.send", "text": text})
            except UnicodeDecodeError:
                await self.send({"type": "websocket.send", "bytes": data})
            except Exception as exc:  # the socket went away under us
                self.closed = True
                raise ConnectionGone(self.id) from exc

    async def close(self) -> None:
        if self.closed:
            raise ConnectionGone(self.id)
        self.closed = True
        async with self.lock:
            with contextlib.suppress(Exception):
                await self.send({"type": "websocket.close", "code": 1000})


class Connections:
    """Every open WebSocket connection, by id (what ``@connections`` reaches)."""

    def __init__(self) -> None:
        self._open: dict[str, Connection] = {}

    def add(self, connection: Connection) -> None:
        self._open[connection.id] = connection

    def remove(self, connection_id: str) -> None:
        self._open.pop(connection_id, None)

    def get(self, connection_id: str, account: str | None = None) -> Connection:
        connection = self._open.get(connection_id)
        if connection is None or connection.closed:
            raise ConnectionGone(connection_id)
        if account is not None and connection.account != account:
            raise ConnectionGone(connection_id)
        return connection

    def describe(self, connection: Connection) -> dict[str, Any]:
        """GetConnection's answer."""
        return {
            "ConnectedAt": connection.connected_at_ms / 1000,
            "Identity": {"SourceIp": connection.source_ip, "UserAgent": connection.user_agent},
            "LastActiveAt": (connection.last_active_ms or connection.connected_at_ms) / 1000,
        }

    def count(self, api_id: str | None = None) -> int:
        return sum(1 for c in self._open.values() if api_id is None or c.api_id == api_id)


@dataclass(slots=True)
class _Compiled:
    revision: int
    routes: dict[str, tuple[Route, Integration | None, FunctionTarget | None]]
    selection: str
    connect_authorizer: Authorizer | None = None
    # route keys of the two-way routes: those with a $default route response
    two_way: frozenset[str] = frozenset()
    # integration responses by integration id (non-proxy integrations' templates)
    integration_responses: dict[str, list[IntegrationResponse]] = field(default_factory=dict)
    # the $connect route's required request parameters: ("header", lowercase name) or
    # ("querystring", name)
    connect_required: tuple[tuple[str, str], ...] = ()


_PARAMETER_PREFIXES = (
    ("route.request.header.", "header"),
    ("route.request.querystring.", "querystring"),
)


def required_parameters(route: Route) -> tuple[tuple[str, str], ...]:
    """A route's request parameters marked ``{"Required": true}`` (the RouteRequestParameters
    API Gateway checks on ``$connect`` before it calls anything)."""
    required: list[tuple[str, str]] = []
    for key, constraint in (route.request_parameters or {}).items():
        if not isinstance(constraint, dict) or constraint.get("Required") is not True:
            continue
        for prefix, location in _PARAMETER_PREFIXES:
            if key.startswith(prefix) and len(key) > len(prefix):
                name = key[len(prefix) :]
                required.append((location, name.lower() if location == "header" else name))
    return tuple(required)


def missing_parameter(
    required: tuple[tuple[str, str], ...], headers: dict[str, str], query: str
) -> bool:
    """Whether the upgrade request lacks one of the required parameters."""
    names = {pair.partition("=")[0] for pair in query.split("&") if pair}
    for location, name in required:
        present = headers.get(name) if location == "header" else name in names
        if not present:
            return True
    return False


def _compile(api: HttpApi, stage_name: str) -> _Compiled | None:
    stage = api.stages.get(stage_name)
    if stage is None or stage_name == "$default":
        return None
    deployment = api.deployments.get(stage.deployment_id or "")
    if deployment is None:
        return None
    scope = Scope(api.account, api.region)
    integrations = {
        i["integration_id"]: from_json(Integration, i) for i in deployment.snapshot["integrations"]
    }
    routes: dict[str, tuple[Route, Integration | None, FunctionTarget | None]] = {}
    for data in deployment.snapshot["routes"]:
        route = from_json(Route, data)
        integration = None
        if route.target and route.target.startswith("integrations/"):
            integration = integrations.get(route.target.split("/", 1)[1])
        target = None
        if integration is not None and integration.integration_uri:
            with contextlib.suppress(Exception):
                target = parse_target(integration.integration_uri, scope)
        routes[route.route_key] = (route, integration, target)
    connect_authorizer = None
    connect = routes.get("$connect")
    if connect is not None and connect[0].authorization_type == "CUSTOM":
        for data in deployment.snapshot["authorizers"]:
            if data["authorizer_id"] == connect[0].authorizer_id:
                # WebSocket APIs' Lambda authorizers get payload 1.0 (REQUEST, methodArn)
                connect_authorizer = from_json(Authorizer, data)
                connect_authorizer.authorizer_payload_format_version = "1.0"
    answering = {
        data["route_id"]
        for data in deployment.snapshot.get("route_responses", [])
        if data.get("route_response_key") == "$default"
    }
    two_way = frozenset(key for key, entry in routes.items() if entry[0].route_id in answering)
    shaping: dict[str, list[IntegrationResponse]] = {}
    for data in deployment.snapshot.get("integration_responses", []):
        response = from_json(IntegrationResponse, data)
        shaping.setdefault(response.integration_id, []).append(response)
    return _Compiled(
        api.revision,
        routes,
        api.route_selection_expression,
        connect_authorizer,
        two_way,
        shaping,
        required_parameters(connect[0]) if connect is not None else (),
    )


async def _refuse_upgrade(scope: dict[str, Any], send: Any, status: int, body: bytes) -> None:
    """Answer the upgrade request with an HTTP status (the ASGI ``websocket.http.response``
    extension), or a policy close (403) where the server lacks it."""
    if "websocket.http.response" not in (scope.get("extensions") or {}):
        await send({"type": "websocket.close", "code": 1008})
        return
    await send(
        {
            "type": "websocket.http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "websocket.http.response.body", "body": body})


class WebSocketServer:
    def __init__(
        self,
        functions: FunctionCaller,
        connections: Connections,
        authorizers: Authorizers | None = None,
        metrics: GatewayMetrics | None = None,
    ) -> None:
        self._functions = functions
        self._authorizers = authorizers
        self._metrics = metrics or GatewayMetrics()
        self.connections = connections
        self._compiled: dict[tuple[str, str], _Compiled] = {}

    def _routes(self, api: HttpApi, stage: str) -> _Compiled | None:
        key = (api.api_id, stage)
        compiled = self._compiled.get(key)
        if compiled is None or compiled.revision != api.revision:
            found = _compile(api, stage)
            if found is None:
                return None
            compiled = self._compiled[key] = found
        return compiled

    # -- the socket ------------------------------------------------------------------------
    async def serve(self, api: HttpApi, scope: dict[str, Any], receive: Any, send: Any) -> None:
        stage = scope["path"].strip("/").split("/", 1)[0]
        compiled = self._routes(api, stage)
        message = await receive()  # websocket.connect
        if compiled is None or message["type"] != "websocket.connect":
            await send({"type": "websocket.close", "code": 1008})
            return
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        header_map = dict(headers)
        client = scope.get("client")
        host = header_map.get("host", "")
        info = ApiInfo(
            api.api_id,
            api.account,
            api.region,
            host if ".execute-api." in host else f"{api.api_id}.execute-api.localhost",
        )
        now_ms = int(time.time() * 1000)
        connection = Connection(
            new_connection_id(),
            api.api_id,
            api.account,
            stage,
            client[0] if client else "127.0.0.1",
            header_map.get("user-agent", ""),
            now_ms,
            send,
        )
        query = scope.get("query_string", b"").decode("latin-1")
        connect = compiled.routes.get("$connect")
        if compiled.connect_required and missing_parameter(
            compiled.connect_required, {k.lower(): v for k, v in headers}, query
        ):
            await _refuse_upgrade(scope, send, 400, b'{"message":"Bad Request"}')
            return
        if connect is not None and compiled.connect_authorizer is not None:
            context = await self._authorize_connect(
                compiled.connect_authorizer, connect[0], scope, stage, info
            )
            if context is None:
                await send({"type": "websocket.close", "code": 1008})
                return
            connection.authorizer = context
        if connect is not None:
            event = self._event(connection, info, "$connect", "CONNECT")
            event["headers"] = header_map
            event["multiValueHeaders"] = _multi(headers)
            if query:
                pairs = [p.partition("=") for p in query.split("&") if p]
                event["queryStringParameters"] = {k: v for k, _, v in pairs}
                event["multiValueQueryStringParameters"] = _multi([(k, v) for k, _, v in pairs])
            ok, _ = await self._call(connect, event)
            if not ok:
                await send({"type": "websocket.close", "code": 1008})
                return
        subprotocols = scope.get("subprotocols") or []
        accept: dict[str, Any] = {"type": "websocket.accept"}
        if subprotocols:
            accept["subprotocol"] = subprotocols[0]
        await send(accept)
        self.connections.add(connection)
        close_code = 1005
        try:
            while True:
                message = await receive()
                kind = message["type"]
                if kind == "websocket.disconnect":
                    close_code = int(message.get("code", 1005))
                    break
                if kind != "websocket.receive":
                    continue
                text = message.get("text")
                body = (
                    text
                    if text is not None
                    else (message.get("bytes") or b"").decode("utf-8", "replace")
                )
                connection.last_active_ms = int(time.time() * 1000)
                current = self._routes(api, stage) or compiled
                await self._message(connection, current, info, body)
        finally:
            connection.closed = True
            self.connections.remove(connection.id)
            disconnect = (self._routes(api, stage) or compiled).routes.get("$disconnect")
            if disconnect is not None:
                event = self._event(connection, info, "$disconnect", "DISCONNECT")
                event["headers"] = header_map
                event["multiValueHeaders"] = _multi(headers)
                event["requestContext"]["disconnectStatusCode"] = close_code
                event["requestContext"]["disconnectReason"] = ""
                with contextlib.suppress(Exception):
                    await self._call(disconnect, event)

    async def _message(
        self, connection: Connection, compiled: _Compiled, info: ApiInfo, body: str
    ) -> None:
        key = select_route(compiled.selection, body)
        entry = compiled.routes.get(key) if key else None
        if entry is None:
            key = "$default"
            entry = compiled.routes.get(key)
        if entry is None:
            with contextlib.suppress(ConnectionGone):
                await connection.push(
                    orjson.dumps(
                        {
                            "message": "Forbidden",
                            "connectionId": connection.id,
                            "requestId": new_request_id(),
                        }
                    )
                )
            return
        event = self._event(connection, info, key or "$default", "MESSAGE")
        event["requestContext"]["messageId"] = new_connection_id()
        event["body"] = body
        event["isBase64Encoded"] = False
        started = time.perf_counter()
        integration = entry[1]
        if integration is not None and integration.integration_type == "AWS":
            ok, payload = await self._call_mapped(connection, compiled, entry, event, body)
        else:
            ok, payload = await self._call(entry, event)
        elapsed_ms = (time.perf_counter() - started) * 1000
        self._metrics.stage(connection.api_id, connection.stage).record(
            200 if ok else 500, elapsed_ms, elapsed_ms
        )
        if key in compiled.two_way:
            reply: bytes | None
            if not ok:
                reply = orjson.dumps(
                    {
                        "message": "Internal server error",
                        "connectionId": connection.id,
                        "requestId": event["requestContext"]["requestId"],
                    }
                )
            elif integration is not None and integration.integration_type == "AWS":
                reply = payload or None  # already shaped by the integration response
            else:
                reply = _reply(payload)
            if reply is not None:
                with contextlib.suppress(ConnectionGone):
                    await connection.push(reply)

    async def _call_mapped(
        self,
        connection: Connection,
        compiled: _Compiled,
        entry: tuple[Route, Integration | None, FunctionTarget | None],
        event: dict[str, Any],
        body: str,
    ) -> tuple[bool, bytes]:
        """A non-proxy (``AWS``) integration: the request template's output is what the
        function gets, the integration response's template shapes its answer."""
        _, integration, target = entry
        if integration is None or target is None:
            return False, b""
        context = event["requestContext"]
        env = TemplateVars(dict(context), {})
        try:
            data = request_payload(integration, body, env)
        except (Refused, TemplateFailed):
            return False, b""
        outcome, payload = await self._functions.call(
            target, data.encode(), context["requestId"], integration.timeout_in_millis / 1000
        )
        if outcome is not Outcome.OK:
            return False, payload
        responses = compiled.integration_responses.get(integration.integration_id, [])
        try:
            shaped = response_payload(responses, payload.decode("utf-8", "replace"), "200", env)
        except TemplateFailed:
            return False, b""
        return True, shaped.encode()

    def _event(
        self, connection: Connection, info: ApiInfo, route_key: str, event_type: str
    ) -> dict[str, Any]:
        now_ms = int(time.time() * 1000)
        request_id = new_request_id()
        return {
            "requestContext": {
                "routeKey": route_key,
                "eventType": event_type,
                "extendedRequestId": request_id,
                "requestTime": request_time(now_ms),
                "messageDirection": "IN",
                "stage": connection.stage,
                "connectedAt": connection.connected_at_ms,
                "requestTimeEpoch": now_ms,
                "identity": {"userAgent": connection.user_agent, "sourceIp": connection.source_ip},
                "requestId": request_id,
                "domainName": info.domain_name,
                "connectionId": connection.id,
                "apiId": info.api_id,
                **({"authorizer": connection.authorizer} if connection.authorizer else {}),
            },
            "isBase64Encoded": False,
        }

    async def _authorize_connect(
        self,
        authorizer: Authorizer,
        route: Route,
        scope: dict[str, Any],
        stage: str,
        info: ApiInfo,
    ) -> dict[str, Any] | None:
        """The $connect route's Lambda authorizer: its context (with ``principalId``), or
        None when it refuses (the client gets 403, as from AWS)."""
        if self._authorizers is None:
            return None
        # method "$connect" and an empty path make the methodArn AWS sends for WebSocket
        # APIs: arn:aws:execute-api:{region}:{account}:{api-id}/{stage}/$connect
        request = from_scope({**scope, "method": "$connect"}, b"", new_request_id(), "", "")
        request.stage = stage
        decision = await self._authorizers.authorize(authorizer, route, request, info, None, None)
        if not decision.allowed:
            return None
        return dict((decision.context or {}).get("lambda") or {})

    async def _call(
        self,
        entry: tuple[Route, Integration | None, FunctionTarget | None],
        event: dict[str, Any],
    ) -> tuple[bool, bytes]:
        _, integration, target = entry
        if integration is None or target is None:
            return False, b""
        outcome, payload = await self._functions.call(
            target,
            orjson.dumps(event),
            event["requestContext"]["requestId"],
            integration.timeout_in_millis / 1000,
        )
        if outcome is not Outcome.OK:
            return False, payload
        try:
            answer = orjson.loads(payload) if payload else None
        except orjson.JSONDecodeError:
            return True, payload
        if isinstance(answer, dict) and "statusCode" in answer:
            status = answer.get("statusCode")
            if isinstance(status, int) and not 200 <= status < 300:
                return False, payload
        return True, payload

    # -- @connections on the API's endpoint ------------------------------------------------
    async def serve_http(
        self, api: HttpApi, scope: dict[str, Any], receive: Any, send: Any
    ) -> bool:
        """``/{stage}/@connections/{id}``: PostToConnection, GetConnection, DeleteConnection."""
        parts = scope["path"].strip("/").split("/")
        if len(parts) != 3 or parts[1] != "@connections":
            return False
        connection_id = parts[2]
        method = scope["method"]
        try:
            body = await read_body(receive, MAX_FRAME_BYTES)
        except BodyTooLarge:
            await respond(send, 413, [JSON], b'{"message":"Request Entity Too Large"}')
            return True
        if body is None:
            return True
        try:
            connection = self.connections.get(connection_id)
            if connection.api_id != api.api_id:
                raise ConnectionGone(connection_id)
            if method == "POST":
                await connection.push(body)
                await respond(send, 200, [], b"")
            elif method == "GET":
                await respond(send, 200, [JSON], orjson.dumps(self.describe_ms(connection)))
            elif method == "DELETE":
                await connection.close()
                await respond(send, 204, [], b"")
            else:
                await respond(send, 403, [JSON], b'{"message":"Forbidden"}')
        except ConnectionGone:
            await respond(send, 410, [JSON, (b"x-amzn-errortype", b"GoneException")], GONE)
        return True

    def describe_ms(self, connection: Connection) -> dict[str, Any]:
        described = self.connections.describe(connection)
        # on the wire, timestamps are ISO 8601 as the management API's model says
        for key in ("ConnectedAt", "LastActiveAt"):
            described[key] = time.strftime(
                "%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(float(described[key]))
            )
        return described


def _multi(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        out.setdefault(name, []).append(value)
    return out


def _reply(payload: bytes) -> bytes | None:
    """What a two-way route sends back: the function's ``body`` (or its whole answer)."""
    if not payload:
        return None
    try:
        answer = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return payload
    if isinstance(answer, dict) and "statusCode" in answer:
        body = answer.get("body")
        return None if body is None else str(body).encode()
    if isinstance(answer, str):
        return answer.encode()
    return payload
