"""Serving one HTTP API (API Gateway v2, ProtocolType HTTP).

Per request: pick the stage (a first path segment naming one, else ``$default``), answer
a CORS preflight, match the route, take a throttling token, run the route's authorizer,
call the integration and turn its answer into the response. Each deployed API is compiled
once per revision (route table, buckets, parsed targets) so the hot path only looks up.

Errors are API Gateway's own bodies: 404 ``{"message":"Not Found"}``, 429
``{"message":"Too Many Requests"}``, 500 ``{"message":"Internal Server Error"}``, 503
``{"message":"Service Unavailable"}`` when the integration times out.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from stratus.gateway.access_log import AccessLogs
from stratus.gateway.asgi import JSON, respond
from stratus.gateway.authorizers import AuthDecision, Authorizers
from stratus.gateway.cors import Cors
from stratus.gateway.events import ApiInfo, event_v1, event_v2
from stratus.gateway.functions import FunctionCaller, FunctionTarget, Outcome, parse_target
from stratus.gateway.http_proxy import HttpProxy
from stratus.gateway.iam_auth import IamCheck, IamRefused, check_iam
from stratus.gateway.mapping import (
    MappingContext,
    RouteMapping,
    context_variables,
    route_mapping,
)
from stratus.gateway.metrics import GatewayMetrics
from stratus.gateway.request import GatewayRequest
from stratus.gateway.responses import HttpResult, MalformedResponse, parse_v1, parse_v2
from stratus.gateway.routing import RouteTable
from stratus.gateway.service_integrations import ServiceIntegrations
from stratus.gateway.stages import CompiledStage
from stratus.gateway.throttle import TokenBucket, bucket_for
from stratus.services.apis.model import Authorizer, HttpApi, Integration, Route, from_json
from stratus.services.scope import Scope

log = logging.getLogger(__name__)

NOT_FOUND = b'{"message":"Not Found"}'
TOO_MANY = b'{"message":"Too Many Requests"}'
INTERNAL = b'{"message":"Internal Server Error"}'
UNAVAILABLE = b'{"message":"Service Unavailable"}'
UNAUTHORIZED = b'{"message":"Unauthorized"}'
FORBIDDEN = b'{"message":"Forbidden"}'
PREFLIGHT = "OPTIONS (CORS preflight)"  # the route key access logs show for preflights


@dataclass(slots=True)
class CompiledRoute:
    route: Route
    integration: Integration | None
    function: FunctionTarget | None
    authorizer: Authorizer | None
    bucket: TokenBucket | None
    mapping: RouteMapping | None = None  # parameter mapping, compiled; None: none


@dataclass(slots=True)
class CompiledApi:
    revision: int
    api: HttpApi
    stages: dict[str, CompiledStage[CompiledRoute]]
    cors: Cors | None
    info_by_host: dict[str, ApiInfo] = field(default_factory=dict)


def compile_api(api: HttpApi, metrics: GatewayMetrics) -> CompiledApi:
    scope = Scope(account=api.account, region=api.region)
    stages: dict[str, CompiledStage[CompiledRoute]] = {}
    for stage in api.stages.values():
        deployment = api.deployments.get(stage.deployment_id or "")
        if deployment is None:
            continue
        snapshot = deployment.snapshot
        integrations = {
            i["integration_id"]: from_json(Integration, i) for i in snapshot["integrations"]
        }
        authorizers = {
            a["authorizer_id"]: from_json(Authorizer, a) for a in snapshot["authorizers"]
        }
        default_settings = stage.default_route_settings
        entries: list[tuple[str, CompiledRoute]] = []
        for data in snapshot["routes"]:
            route = from_json(Route, data)
            integration = None
            if route.target and route.target.startswith("integrations/"):
                integration = integrations.get(route.target.split("/", 1)[1])
            function = None
            if (
                integration is not None
                and integration.integration_type == "AWS_PROXY"
                and not integration.integration_subtype
                and integration.integration_uri
            ):
                try:
                    function = parse_target(integration.integration_uri, scope)
                except Exception:  # an unparsable URI answers 500 when called
                    function = None
            settings = stage.route_settings.get(route.route_key) or default_settings
            entries.append(
                (
                    route.route_key,
                    CompiledRoute(
                        route,
                        integration,
                        function,
                        authorizers.get(route.authorizer_id or ""),
                        bucket_for(settings),
                        route_mapping(integration),
                    ),
                )
            )
        stages[stage.stage_name] = CompiledStage(
            stage.stage_name,
            RouteTable(entries),
            dict(stage.stage_variables) or None,
            stage.access_log_settings,
            metrics.stage(api.api_id, stage.stage_name),
        )
    return CompiledApi(api.revision, api, stages, Cors.from_config(api.cors_configuration))


class HttpApiServer:
    def __init__(
        self,
        functions: FunctionCaller,
        authorizers: Authorizers,
        services: ServiceIntegrations,
        proxy: HttpProxy,
        access_logs: AccessLogs,
        metrics: GatewayMetrics,
        account_for: Callable[[str | None], str],
        iam: IamCheck | None = None,
    ) -> None:
        self._functions = functions
        self._authorizers = authorizers
        self._account_for = account_for
        self._iam = iam
        self._services = services
        self._proxy = proxy
        self._access_logs = access_logs
        self.metrics = metrics
        self._compiled: dict[str, CompiledApi] = {}

    def compiled(self, api: HttpApi) -> CompiledApi:
        compiled = self._compiled.get(api.api_id)
        if compiled is None or compiled.revision != api.revision or compiled.api is not api:
            compiled = self._compiled[api.api_id] = compile_api(api, self.metrics)
        return compiled

    def select_stage(
        self, compiled: CompiledApi, path: str
    ) -> tuple[CompiledStage[CompiledRoute], str] | None:
        """The stage a path names (``/prod/...``) and the rest of the path, else $default."""
        if len(path) > 1:
            first, _, rest = path[1:].partition("/")
            stage = compiled.stages.get(first)
            if stage is not None and first != "$default":
                return stage, "/" + rest
        stage = compiled.stages.get("$default")
        return (stage, path) if stage is not None else None

    async def serve(
        self,
        compiled: CompiledApi,
        stage: CompiledStage[CompiledRoute],
        request: GatewayRequest,
        send: Any,
    ) -> None:
        started = time.perf_counter()
        status, headers, body, route_key, integration_ms = await self._answer(
            compiled, stage, request
        )
        if compiled.cors is not None and route_key != PREFLIGHT:
            origin = request.header("origin")
            if origin:
                headers.extend(compiled.cors.response_headers(origin))
        headers.append((b"apigw-requestid", request.request_id.encode()))
        await respond(send, status, headers, body)
        stage.record(
            self._access_logs,
            compiled.api,
            request,
            route_key,
            status,
            len(body),
            started,
            integration_ms,
        )

    async def _answer(
        self, compiled: CompiledApi, stage: CompiledStage[CompiledRoute], request: GatewayRequest
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes, str, float]:
        cors = compiled.cors
        if (
            cors is not None
            and request.method == "OPTIONS"
            and request.header("origin")
            and request.header("access-control-request-method")
        ):
            headers = cors.preflight(
                request.header("origin") or "",
                request.header("access-control-request-method") or "",
                request.header("access-control-request-headers"),
            )
            return 204, headers, b"", PREFLIGHT, 0.0
        found = stage.table.match(request.method, request.path)
        if found is None:
            return 404, [JSON], NOT_FOUND, "-", 0.0
        route, path_parameters = found
        key = route.route.route_key
        if route.bucket is not None and not route.bucket.take():
            return 429, [JSON], TOO_MANY, key, 0.0
        info = self._info(compiled, request)
        authorizer_context = None
        if route.route.authorization_type == "AWS_IAM":
            try:
                caller = check_iam(request, compiled.api.region, self._iam, self._account_for)
            except IamRefused:
                return 403, [JSON], FORBIDDEN, key, 0.0
            authorizer_context = caller.v2_context()
        elif route.authorizer is not None:
            decision = await self._authorizers.authorize(
                route.authorizer, route.route, request, info, stage.variables, path_parameters
            )
            if not decision.allowed:
                return decision.status, [JSON], _auth_body(decision), key, 0.0
            authorizer_context = decision.context
        integration = route.integration
        if integration is None:
            return 500, [JSON], INTERNAL, key, 0.0
        started = time.perf_counter()
        if route.mapping is not None:
            result = await self._integrate_mapped(
                route,
                route.mapping,
                integration,
                request,
                info,
                stage,
                path_parameters,
                authorizer_context,
            )
        else:
            result = await self._integrate(
                route, integration, request, info, stage, path_parameters, authorizer_context
            )
        integration_ms = (time.perf_counter() - started) * 1000
        return result.status, result.headers, result.body, key, integration_ms

    async def _integrate_mapped(
        self,
        route: CompiledRoute,
        mapping: RouteMapping,
        integration: Integration,
        request: GatewayRequest,
        info: ApiInfo,
        stage: CompiledStage[CompiledRoute],
        path_parameters: dict[str, str] | None,
        authorizer: dict[str, Any] | None,
    ) -> HttpResult:
        """An integration with parameter mapping: the request transformed before it,
        its answer after (docs: "Transform API requests and responses for HTTP APIs")."""
        mapper = MappingContext(
            request,
            stage.variables,
            path_parameters,
            context_variables(request, info, route.route.route_key, authorizer),
        )
        mapped = request
        if mapping.request is not None:
            mapped, path = mapping.request.transform(request, mapper)
            if integration.integration_type == "HTTP_PROXY":
                result = await self._proxy.forward(
                    integration,
                    mapped,
                    path_parameters,
                    stage.variables,
                    integration.timeout_in_millis / 1000,
                    path,
                )
                return mapping.respond(result, mapper)
        result = await self._integrate(
            route, integration, mapped, info, stage, path_parameters, authorizer
        )
        return mapping.respond(result, mapper)

    def _info(self, compiled: CompiledApi, request: GatewayRequest) -> ApiInfo:
        info = compiled.info_by_host.get(request.host)
        if info is None:
            api = compiled.api
            domain = request.custom_domain or (
                request.host
                if ".execute-api." in request.host
                else (f"{api.api_id}.execute-api.localhost")
            )
            info = ApiInfo(api.api_id, api.account, api.region, domain)
            if len(compiled.info_by_host) < 16:
                compiled.info_by_host[request.host] = info
        return info

    async def _integrate(
        self,
        route: CompiledRoute,
        integration: Integration,
        request: GatewayRequest,
        info: ApiInfo,
        stage: CompiledStage[CompiledRoute],
        path_parameters: dict[str, str] | None,
        authorizer: dict[str, Any] | None,
    ) -> HttpResult:
        kind = integration.integration_type
        timeout_s = integration.timeout_in_millis / 1000
        if kind == "HTTP_PROXY":
            return await self._proxy.forward(
                integration, request, path_parameters, stage.variables, timeout_s
            )
        if kind != "AWS_PROXY":
            return HttpResult(500, [JSON], INTERNAL)
        if integration.integration_subtype:
            return await self._services.call(
                integration, request, info, stage.variables, path_parameters, authorizer
            )
        if route.function is None:
            return HttpResult(500, [JSON], INTERNAL)
        version = integration.payload_format_version or "2.0"
        if version == "2.0":
            event = event_v2(
                request,
                info,
                route.route.route_key,
                path_parameters,
                stage.variables,
                authorizer,
            )
        else:
            resource = _resource(route.route.route_key)
            event = event_v1(
                request,
                info,
                resource,
                route.route.route_id,
                path_parameters,
                stage.variables,
                _authorizer_v1(authorizer),
                stage_in_path=True,
            )
        outcome, payload = await self._functions.call(
            route.function, orjson.dumps(event), request.request_id, timeout_s
        )
        if outcome is Outcome.OK:
            try:
                return parse_v2(payload) if version == "2.0" else parse_v1(payload)
            except MalformedResponse:
                return HttpResult(500, [JSON], INTERNAL)
        if outcome is Outcome.THROTTLED:
            return HttpResult(429, [JSON], TOO_MANY)
        if outcome is Outcome.TIMED_OUT:
            return HttpResult(503, [JSON], UNAVAILABLE)
        return HttpResult(500, [JSON], INTERNAL)


def _resource(route_key: str) -> str:
    if route_key == "$default":
        return "$default"
    return route_key.partition(" ")[2]


def _auth_body(decision: AuthDecision) -> bytes:
    return (
        UNAUTHORIZED
        if decision.status == 401
        else (FORBIDDEN if decision.status == 403 else INTERNAL)
    )


def _authorizer_v1(authorizer: dict[str, Any] | None) -> dict[str, Any] | None:
    """Payload 1.0 carries the authorizer's output unwrapped: the Lambda authorizer's
    context (with principalId), or the JWT's ``claims`` and ``scopes``."""
    if authorizer is None:
        return None
    if "lambda" in authorizer:
        return dict(authorizer["lambda"] or {})
    if "iam" in authorizer:
        return dict(authorizer["iam"] or {})
    return dict(authorizer.get("jwt") or {})
