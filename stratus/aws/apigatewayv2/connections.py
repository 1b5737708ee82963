"""The API Gateway management API (``apigatewaymanagementapi``) on the control port: what
a function's boto3 client reaches with ``AWS_ENDPOINT_URL`` set. The same operations are
served on each WebSocket API's own endpoint (``/{stage}/@connections/{id}``)."""

from __future__ import annotations

from typing import Any

from stratus.aws.context import RequestContext
from stratus.aws.protocol.error_table import ErrorRule, ErrorTable
from stratus.gateway.websocket import ConnectionGone, WebSocketServer

Params = dict[str, Any]


class ManagementApiProvider:
    errors = ErrorTable({ConnectionGone: ErrorRule("GoneException")})

    def __init__(self, server: WebSocketServer) -> None:
        self._server = server

    async def post_to_connection(self, ctx: RequestContext, params: Params) -> Params:
        connection = self._server.connections.get(params["ConnectionId"], ctx.account_id)
        data = params.get("Data") or b""
        await connection.push(data if isinstance(data, bytes) else str(data).encode())
        return {}

    async def get_connection(self, ctx: RequestContext, params: Params) -> Params:
        connection = self._server.connections.get(params["ConnectionId"], ctx.account_id)
        return self._server.connections.describe(connection)

    async def delete_connection(self, ctx: RequestContext, params: Params) -> Params:
        connection = self._server.connections.get(params["ConnectionId"], ctx.account_id)
        await connection.close()
        return {}
