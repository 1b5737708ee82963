"""API Gateway: the v2 (HTTP, WebSocket) management API and the ``execute-api`` front
door that serves every API on the gateway port.

The data plane (routes, events, authorizers, throttling) lives in ``stratus.gateway``;
the APIs themselves in ``stratus.services.apis``; this component ties them to functions
(in-process invokes) and to the other services (service integrations).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import httpx

from stratus.aws.apigateway.integration_calls import AwsHttp, IntegrationCalls
from stratus.aws.apigateway.provider import ApiGatewayProvider
from stratus.aws.apigatewayv2.connections import ManagementApiProvider
from stratus.aws.apigatewayv2.iam import execute_api_check
from stratus.aws.apigatewayv2.provider import ApiGatewayV2Provider
from stratus.aws.component import Component, FrontDoor, PlatformContext
from stratus.aws.iam.component import IdentityComponent
from stratus.aws.lambda_.component import FunctionsComponent
from stratus.gateway.access_log import AccessLogs
from stratus.gateway.authorizers import Authorizers
from stratus.gateway.domain_door import DomainDoor
from stratus.gateway.door import ExecuteApiDoor
from stratus.gateway.functions import FunctionCaller
from stratus.gateway.http_api import HttpApiServer
from stratus.gateway.http_proxy import HttpProxy
from stratus.gateway.jwt_auth import JwksCache, JwtVerifier
from stratus.gateway.metrics import GatewayMetrics
from stratus.gateway.rest_api import RestApiServer
from stratus.gateway.rest_integration import NonProxyIntegrations
from stratus.gateway.service_integrations import ServiceIntegrations
from stratus.gateway.sfn_invoke import ApiGatewayInvoke, is_apigateway_invoke
from stratus.gateway.usage import UsagePlans
from stratus.gateway.websocket import Connections, WebSocketServer
from stratus.services.apis.domains import DomainNames, stage_checker
from stratus.services.apis.http_apis import HttpApis
from stratus.services.apis.rest_account import RestAccounts
from stratus.services.apis.rest_apis import RestApis
from stratus.services.apis.sqlite import APIS_MIGRATIONS, SQLiteApiStore
from stratus.services.apis.vpc_links import VpcLinks
from stratus.services.identity.service import IdentityService
from stratus.services.logs.writer import LogGroupWriter
from stratus.workflows.integrations.base import IntegrationEntry

__all__ = ["ApisComponent"]


class _OutboundClient(httpx.AsyncClient):
    """The gateway's client for HTTP integrations and JWKS, which remembers whether it
    sent anything: closing one that never did still imports anyio's backend in httpcore,
    a tenth of a second of every server's stop."""

    sent = False

    async def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        self.sent = True
        return await super().send(request, **kwargs)


class ApisComponent(Component):
    name = "apis"
    migrations = APIS_MIGRATIONS

    def __init__(self, ctx: PlatformContext) -> None:
        super().__init__(ctx)
        functions = ctx.require(FunctionsComponent)
        self.store = SQLiteApiStore(ctx.db)
        self.vpc_links = VpcLinks(self.store)
        self.http_apis = HttpApis(self.store, self.vpc_links.exists)
        self.rest_apis = RestApis(self.store)
        self.metrics = GatewayMetrics()
        # Access log lines for a stage's DestinationArn go to the functions component's
        # CloudWatch Logs, batched.
        self.log_writer = LogGroupWriter(functions.log_service)
        self.access_logs = AccessLogs(self.log_writer.emit)
        self.client = _OutboundClient(follow_redirects=False)
        iam = execute_api_check(self._identity())
        caller = FunctionCaller(functions.invocations)
        authorizers = Authorizers(caller, JwtVerifier(JwksCache(self.client)))
        self.http_server = HttpApiServer(
            caller,
            authorizers,
            ServiceIntegrations(ctx.aws_caller, self._served),
            HttpProxy(self.client),
            self.access_logs,
            self.metrics,
            ctx.accounts.account_for,
            iam,
        )
        self.rest_server = RestApiServer(
            caller,
            HttpProxy(self.client),
            UsagePlans(self.rest_apis),
            self.access_logs,
            self.metrics,
            ctx.accounts.account_for,
            iam,
            NonProxyIntegrations(
                caller,
                self.client,
                IntegrationCalls(ctx.aws_caller) if isinstance(ctx.aws_caller, AwsHttp) else None,
            ),
        )
        self.connections = Connections()
        self.websocket_server = WebSocketServer(caller, self.connections, authorizers, self.metrics)
        self.door = ExecuteApiDoor(
            self.http_apis.find,
            self.http_server,
            rest=self.rest_server,
            websocket=self.websocket_server,
            find_rest_api=self.rest_apis.find,
        )
        self.domains = DomainNames(self.store)
        self._v2 = ApiGatewayV2Provider(
            self.http_apis,
            ctx.gateway_port,
            self.domains,
            stage_checker(self.http_apis.find, self.rest_apis.find),
            authorizers.reset,
            self.vpc_links,
        )
        self.rest_accounts = RestAccounts(self.store)
        self._v1 = ApiGatewayProvider(
            self.rest_apis,
            self.rest_accounts,
            self.domains,
            stage_checker(None, self.rest_apis.find),
            self.rest_server,
        )
        self._management = ManagementApiProvider(self.websocket_server)
        self._served_services: set[str] | None = None

    def _identity(self) -> IdentityService | None:
        """The identity service whose secrets verify AWS_IAM requests (None: none)."""
        try:
            return self.ctx.require(IdentityComponent).identity
        except LookupError:
            return None

    def statistics(self) -> list[dict[str, Any]]:
        """Every API with its endpoint and figures per stage (``stratus apis``)."""
        port = self.ctx.gateway_port
        out: list[dict[str, Any]] = []
        for api in self.http_apis.all():
            scheme = "ws" if api.protocol_type == "WEBSOCKET" else "http"
            out.append(
                {
                    "ApiId": api.api_id,
                    "Name": api.name,
                    "ProtocolType": api.protocol_type,
                    "Account": api.account,
                    "ApiEndpoint": f"{scheme}://{api.api_id}.execute-api.localhost:{port}",
                    "Stages": self.metrics.for_api(api.api_id),
                    "Connections": self.connections.count(api.api_id),
                    "AccessLog": {
                        stage: list(lines)[-20:]
                        for (api_id, stage), lines in self.access_logs.lines.items()
                        if api_id == api.api_id
                    },
                }
            )
        for rest in self.rest_apis.all():
            out.append(
                {
                    "ApiId": rest.id,
                    "Name": rest.name,
                    "ProtocolType": "REST",
                    "Account": rest.account,
                    "ApiEndpoint": f"http://{rest.id}.execute-api.localhost:{port}",
                    "Stages": self.metrics.for_api(rest.id),
                    "Connections": 0,
                    "AccessLog": {
                        stage: list(lines)[-20:]
                        for (api_id, stage), lines in self.access_logs.lines.items()
                        if api_id == rest.id
                    },
                }
            )
        return sorted(out, key=lambda a: (a["Name"], a["ApiId"]))

    def _served(self, service: str) -> bool:
        if self._served_services is None:
            self._served_services = {
                name for component in self.ctx.components for name in component.providers()
            }
        return service in self._served_services

    def providers(self) -> Mapping[str, object]:
        return {
            "apigatewayv2": self._v2,
            "apigateway": self._v1,
            "apigatewaymanagementapi": self._management,
        }

    def integrations(self) -> Iterable[IntegrationEntry]:
        return (
            IntegrationEntry(
                "apigateway:invoke", is_apigateway_invoke, ApiGatewayInvoke(self.door).invoke
            ),
        )

    def front_doors(self) -> Iterable[FrontDoor]:
        by_host = DomainDoor(
            self.http_apis.find, self.http_server, self.rest_apis.find, self.rest_server
        )
        return (FrontDoor("execute-api", self.door, self.domains.hosts, by_host),)

    async def start(self) -> None:
        await self.http_apis.load()
        await self.vpc_links.load()
        await self.rest_apis.load()
        await self.rest_accounts.load()
        await self.domains.load()

    async def stop(self) -> None:
        self.log_writer.flush()
        if self.client.sent:
            await self.client.aclose()
