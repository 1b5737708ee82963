"""Serving one REST API (API Gateway v1) at ``/{stage}/{path}``.

Per request: the stage (unknown: 403 ``{"message":"Forbidden"}``), the resource and method
(none: 403 ``{"message":"Missing Authentication Token"}``, as API Gateway answers), the
API key and usage plan, the TOKEN or REQUEST authorizer, then the integration: Lambda proxy
(payload 1.0), HTTP_PROXY, or a non-proxy one whose mapping templates shape the request and
the answer (AWS, HTTP, MOCK, Lambda non-proxy: ``rest_integration.py``). A function error or malformed answer is 502
``{"message": "Internal server error"}``; an integration timeout 504. Every error the
gateway answers itself goes through :meth:`RestApiServer.gateway_error`, which the
deployment's gateway responses shape (``rest_errors.py``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from types import SimpleNamespace
from typing import Any

import orjson

from stratus.gateway.access_log import AccessLogs
from stratus.gateway.asgi import JSON, BodyTooLarge, read_body, respond
from stratus.gateway.authorizers import identity_value, policy_decision, route_arn
from stratus.gateway.events import ApiInfo, event_v1
from stratus.gateway.functions import FunctionCaller, FunctionTarget, Outcome, parse_target
from stratus.gateway.http_proxy import HttpProxy
from stratus.gateway.iam_auth import (
    EXPIRED,
    EXPIRED_TOKEN,
    MISSING,
    UNKNOWN_KEY,
    Caller,
    IamCheck,
    IamRefused,
    check_iam,
)
from stratus.gateway.metrics import GatewayMetrics, StageFigures
from stratus.gateway.request import GatewayRequest, from_scope
from stratus.gateway.request_validation import (
    MethodValidation,
    ModelSchemas,
    compile_validation,
)
from stratus.gateway.resource_policy import Decision, ResourcePolicy, compile_resource_policy
from stratus.gateway.responses import MalformedResponse, parse_v1
from stratus.gateway.rest_errors import GatewayError, StageErrors, access_denied, gateway_error
from stratus.gateway.rest_integration import NonProxyIntegrations
from stratus.gateway.routing import RouteTable
from stratus.gateway.stages import CompiledStage
from stratus.gateway.throttle import TokenBucket, bucket_for
from stratus.gateway.usage import UsagePlans
from stratus.runtime.ids import new_request_id
from stratus.services.apis.rest_model import (
    Resource,
    RestApi,
    RestAuthorizer,
    RestMethod,
    snapshot_authorizers,
    snapshot_gateway_responses,
    snapshot_models,
    snapshot_request_validators,
    snapshot_resources,
)
from stratus.services.scope import Scope

MAX_BODY_BYTES = 10 * 1024 * 1024
FORBIDDEN = b'{"message":"Forbidden"}'
UNAUTHORIZED = b'{"message":"Unauthorized"}'
DENIED = b'{"Message":"User is not authorized to access this resource with an explicit deny"}'
# An authorizer's policy that allows nothing for the method (AWS's implicit deny).
NOT_ALLOWED = b'{"Message":"User is not authorized to access this resource"}'
AUTHORIZER_FAILED = b'{"message":null}'


@dataclass(slots=True)
class _Endpoint:
    resource: Resource
    method: RestMethod
    function: FunctionTarget | None
    authorizer: RestAuthorizer | None
    bucket: TokenBucket | None
    validation: MethodValidation | None = None


@dataclass(slots=True)
class CompiledApi:
    """An API as the server serves it: its stages compiled from their deployments."""

    revision: int
    api: RestApi
    stages: dict[str, CompiledStage[_Endpoint]]
    errors: dict[str, StageErrors]
    # Each stage's deployed resource policy; None when no stage has one, so an API
    # without a policy pays one attribute check per request.
    policies: dict[str, ResourcePolicy] | None = None


def _compile(api: RestApi, metrics: GatewayMetrics) -> CompiledApi:
    stages: dict[str, CompiledStage[_Endpoint]] = {}
    errors: dict[str, StageErrors] = {}
    policies: dict[str, ResourcePolicy] = {}
    for stage in api.stages.values():
        deployment = api.deployments.get(stage.deployment_id)
        if deployment is None:
            continue
        policy = compile_resource_policy(deployment.snapshot.get("policy"))
        if policy is not None:
            policies[stage.stage_name] = policy
        stages[stage.stage_name], errors[stage.stage_name] = compile_stage(
            api,
            stage.stage_name,
            deployment.snapshot,
            dict(stage.variables) or None,
            stage.method_settings,
            stage.access_log_settings,
            metrics.stage(api.id, stage.stage_name),
        )
    return CompiledApi(api.revision, api, stages, errors, policies or None)


def compile_stage(
    api: RestApi,
    name: str,
    snapshot: dict[str, Any],
    variables: dict[str, str] | None,
    method_settings: dict[str, dict[str, Any]],
    access_log: dict[str, Any] | None,
    figures: StageFigures,
    only: tuple[str, str] | None = None,
) -> tuple[CompiledStage[_Endpoint], StageErrors]:
    """One stage of ``api`` served from ``snapshot`` (a deployment's, or the API as it is
    now for TestInvokeMethod) and its gateway responses. ``only`` (resource id, method):
    a table of that one method, which every path reaches (TestInvokeMethod's)."""
    scope = Scope(api.account, api.region)
    authorizers = snapshot_authorizers(snapshot)
    validators = snapshot_request_validators(snapshot)
    schemas = ModelSchemas(api.id, snapshot_models(snapshot))
    default_settings = method_settings.get("*/*") or {}
    entries: list[tuple[str, _Endpoint]] = []
    for resource in snapshot_resources(snapshot):
        for verb, method in resource.methods.items():
            if only is not None and only != (resource.id, verb):
                continue
            integration = method.method_integration
            function = None
            if integration is not None and integration.type == "AWS_PROXY" and integration.uri:
                try:
                    function = parse_target(integration.uri, scope)
                except Exception:
                    function = None
            # AWS keys method settings by the path with "/" escaped as "~1": "~1items/GET"
            settings = (
                method_settings.get(f"{resource.path.replace('/', '~1')}/{verb}")
                or default_settings
            )
            bucket = bucket_for(
                {
                    "ThrottlingRateLimit": settings.get("throttling/rateLimit"),
                    "ThrottlingBurstLimit": settings.get("throttling/burstLimit"),
                }
                if settings
                else None
            )
            entries.append(
                (
                    f"{verb} {resource.path}",
                    _Endpoint(
                        resource,
                        method,
                        function,
                        authorizers.get(method.authorizer_id or ""),
                        bucket,
                        compile_validation(method, validators, schemas),
                    ),
                )
            )
    if only is not None:
        entries += [("$default", target) for _, target in entries]
    stage = CompiledStage(name, RouteTable(entries), variables, access_log, figures)
    return stage, StageErrors(snapshot_gateway_responses(snapshot))


class RestApiServer:
    def __init__(
        self,
        functions: FunctionCaller,
        proxy: HttpProxy,
        usage: UsagePlans,
        access_logs: AccessLogs,
        metrics: GatewayMetrics,
        account_for: Callable[[str | None], str],
        iam: IamCheck | None = None,
        non_proxy: NonProxyIntegrations | None = None,
    ) -> None:
        self._functions = functions
        self._non_proxy = non_proxy or NonProxyIntegrations(functions, proxy.client, None)
        self._account_for = account_for
        self._iam = iam
        self._proxy = proxy
        self._usage = usage
        self._access_logs = access_logs
        self._metrics = metrics
        self._compiled: dict[str, CompiledApi] = {}
        self._auth_cache: dict[tuple[str, str, str, str], tuple[float, Any]] = {}

    async def serve(self, api: RestApi, scope: dict[str, Any], receive: Any, send: Any) -> None:
        compiled = self._compiled.get(api.id)
        if compiled is None or compiled.revision != api.revision or compiled.api is not api:
            compiled = self._compiled[api.id] = _compile(api, self._metrics)
        path = scope["path"]
        stage_name, _, rest = path[1:].partition("/")
        stage = compiled.stages.get(stage_name)
        if stage is None:
            await respond(
                send, 403, [JSON, (b"x-amzn-errortype", b"ForbiddenException")], FORBIDDEN
            )
            return
        try:
            body = await read_body(receive, MAX_BODY_BYTES)
        except BodyTooLarge:
            request = from_scope(scope, b"", new_request_id(), "/" + rest, "/" + rest)
            request.stage = stage.name
            too_large = self.gateway_error(
                compiled, stage, request, gateway_error("REQUEST_TOO_LARGE")
            )
            await respond(send, too_large[0], too_large[1], too_large[2])
            return
        if body is None:
            return
        raw_path = scope.get("raw_path")
        raw = raw_path.decode("latin-1") if raw_path else path
        raw = "/" + raw[1:].partition("/")[2]
        request = from_scope(scope, body, new_request_id(), "/" + rest, raw)
        request.stage = stage.name
        started = time.perf_counter()
        status, headers, payload, resource_path, integration_ms = await self.answer(
            compiled, stage, request
        )
        headers.append((b"x-amzn-requestid", request.request_id.encode()))
        await respond(send, status, headers, payload)
        stage.record(
            self._access_logs,
            SimpleNamespace(api_id=api.id, account=api.account),
            request,
            f"{request.method} {resource_path}",
            status,
            len(payload),
            started,
            integration_ms,
        )

    async def answer(
        self,
        compiled: CompiledApi,
        stage: CompiledStage[_Endpoint],
        request: GatewayRequest,
        *,
        chosen: tuple[_Endpoint, dict[str, str] | None] | None = None,
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes, str, float]:
        """The answer to ``request``: routed by the stage's table, or (``chosen``: a test
        invocation of one method) that endpoint, without throttling, API key or
        authorizer, as API Gateway's TestInvokeMethod bypasses them."""
        found = chosen or stage.table.match(request.method, request.path)
        if found is None or found[0].resource.path == "$default":
            return self.gateway_error(
                compiled, stage, request, gateway_error("MISSING_AUTHENTICATION_TOKEN")
            )
        endpoint, path_parameters = found
        api = compiled.api
        resource_path = endpoint.resource.path

        def fail(error: GatewayError) -> tuple[int, list[tuple[bytes, bytes]], bytes, str, float]:
            return self.gateway_error(
                compiled, stage, request, error, endpoint.resource, path_parameters
            )

        testing = chosen is not None
        if not testing and endpoint.bucket is not None and not endpoint.bucket.take():
            return fail(gateway_error("THROTTLED"))
        info = ApiInfo(
            api.id,
            api.account,
            api.region,
            request.custom_domain
            or (
                request.host
                if ".execute-api." in request.host
                else f"{api.id}.execute-api.localhost"
            ),
        )
        api_key = request.header("x-api-key")
        if endpoint.method.api_key_required and not testing:
            refused = await self._usage.check(api.id, stage.name, api_key)
            if refused is not None:
                kind = {"Forbidden": "INVALID_API_KEY", "Limit Exceeded": "QUOTA_EXCEEDED"}
                return fail(gateway_error(kind.get(refused[1], "THROTTLED")))
        authorizer_context = None
        caller: Caller | None = None
        if endpoint.method.authorization_type == "AWS_IAM" and not testing:
            try:
                caller = check_iam(request, api.region, self._iam, self._account_for)
            except IamRefused as refused:
                return fail(_iam_error(refused))
        custom = endpoint.authorizer is not None and endpoint.method.authorization_type == "CUSTOM"
        policy_allows = False
        if compiled.policies is not None and not testing:
            policy = compiled.policies.get(stage.name)
            if policy is not None:
                arn = route_arn(info, stage.name, request.method, request.path)
                verdict = policy.decide(arn, request, caller)
                refused_by_policy = policy.refuse(
                    verdict, arn, caller, api.account, authorizer=custom
                )
                if refused_by_policy is not None:
                    return fail(refused_by_policy)
                policy_allows = verdict is Decision.ALLOW
        if custom and not testing:
            decision = await self._authorize(
                endpoint, request, info, stage.variables, path_parameters, policy_allows
            )
            if isinstance(decision, bytes):
                if decision is DENIED:
                    return fail(gateway_error("ACCESS_DENIED"))
                if decision is NOT_ALLOWED:
                    return fail(access_denied("User is not authorized to access this resource"))
                failed = "UNAUTHORIZED" if decision is UNAUTHORIZED else "AUTHORIZER_FAILURE"
                return fail(gateway_error(failed))
            authorizer_context = decision
        if endpoint.validation is not None:
            invalid = await endpoint.validation.check(request, path_parameters)
            if invalid is not None:
                return fail(
                    gateway_error(
                        invalid.response_type, invalid.message, validation_error=invalid.message
                    )
                )
        integration = endpoint.method.method_integration
        if integration is None:
            return fail(gateway_error("API_CONFIGURATION_ERROR"))
        started = time.perf_counter()
        if integration.type in ("MOCK", "AWS", "HTTP"):
            context = event_v1(
                request,
                info,
                resource_path,
                endpoint.resource.id,
                path_parameters,
                stage.variables,
                authorizer_context,
                api_key=api_key if endpoint.method.api_key_required else None,
            )["requestContext"]
            if caller is not None:
                context["identity"].update(caller.identity())
            answer = await self._non_proxy.run(
                integration, request, path_parameters, stage.variables, context, api.account
            )
            if isinstance(answer, GatewayError):
                return fail(answer)
            result = answer
        elif integration.type == "HTTP_PROXY":
            proxied = SimpleNamespace(
                integration_uri=integration.uri, integration_method=integration.http_method
            )
            result = await self._proxy.forward(
                proxied,
                request,
                path_parameters,
                stage.variables,
                integration.timeout_in_millis / 1000,
            )
        elif endpoint.function is not None:
            event = event_v1(
                request,
                info,
                resource_path,
                endpoint.resource.id,
                path_parameters,
                stage.variables,
                authorizer_context,
                api_key=api_key if endpoint.method.api_key_required else None,
                binary_types=api.binary_media_types,
            )
            event.pop("version")
            if caller is not None:
                event["requestContext"]["identity"].update(caller.identity())
            outcome, payload = await self._functions.call(
                endpoint.function,
                orjson.dumps(event),
                request.request_id,
                integration.timeout_in_millis / 1000,
            )
            if outcome is Outcome.OK:
                try:
                    result = parse_v1(payload)
                except MalformedResponse:
                    return fail(gateway_error("INTEGRATION_FAILURE"))
            elif outcome is Outcome.TIMED_OUT:
                return fail(gateway_error("INTEGRATION_TIMEOUT"))
            elif outcome is Outcome.THROTTLED:
                return fail(gateway_error("THROTTLED"))
            else:
                return fail(gateway_error("INTEGRATION_FAILURE"))
        else:
            return fail(gateway_error("API_CONFIGURATION_ERROR"))
        integration_ms = (time.perf_counter() - started) * 1000
        return result.status, result.headers, result.body, resource_path, integration_ms

    def gateway_error(
        self,
        compiled: CompiledApi,
        stage: CompiledStage[_Endpoint],
        request: GatewayRequest,
        error: GatewayError,
        resource: Resource | None = None,
        path_parameters: dict[str, str] | None = None,
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes, str, float]:
        """Answer an error the gateway raises itself (``gateway_error(type, message)``),
        shaped by the stage's gateway responses: what ``answer`` returns for it. Request
        validation (BAD_REQUEST_BODY, BAD_REQUEST_PARAMETERS) answers through here too."""
        api = compiled.api
        context: dict[str, Any] = {
            "requestId": request.request_id,
            "extendedRequestId": request.request_id,
            "accountId": api.account,
            "apiId": api.id,
            "stage": stage.name,
            "httpMethod": request.method,
            "path": request.domain_path or f"/{stage.name}{request.path}",
            "resourcePath": resource.path if resource is not None else None,
            "resourceId": resource.id if resource is not None else None,
            "domainName": request.host,
            "protocol": "HTTP/1.1",
            "identity": {
                "sourceIp": request.source_ip,
                "userAgent": request.header("user-agent"),
            },
        }
        result = compiled.errors[stage.name].answer(
            error, request, context, stage.variables, path_parameters
        )
        route = resource.path if resource is not None else "-"
        return result.status, result.headers, result.body, route, 0.0

    async def _authorize(
        self,
        endpoint: _Endpoint,
        request: GatewayRequest,
        info: ApiInfo,
        stage_variables: dict[str, str] | None,
        path_parameters: dict[str, str] | None,
        policy_allows: bool = False,
    ) -> dict[str, Any] | bytes:
        """The authorizer's context for the request, or the refusal's body. Its policy
        and the resource policy decide together (``policy_allows``: the resource policy
        explicitly allows), as API Gateway's Table A says: the authorizer's Deny refuses;
        its silence is an implicit deny unless the resource policy allows."""
        authorizer = endpoint.authorizer
        assert authorizer is not None
        arn = route_arn(info, request.stage, request.method, request.path)
        answer = await self.authorizer_answer(
            authorizer,
            request,
            info,
            stage_variables,
            path_parameters,
            endpoint.resource,
            arn,
            cached=True,
        )
        if isinstance(answer, bytes):
            return answer
        if not isinstance(answer, dict) or "policyDocument" not in answer:
            return AUTHORIZER_FAILED
        verdict = policy_decision(answer["policyDocument"], arn, request)
        if verdict is Decision.DENY:
            return DENIED
        if verdict is Decision.NONE and not policy_allows:
            return NOT_ALLOWED
        context = answer.get("context") if isinstance(answer.get("context"), dict) else {}
        return {"principalId": answer.get("principalId"), **(context or {})}

    async def authorizer_answer(
        self,
        authorizer: RestAuthorizer,
        request: GatewayRequest,
        info: ApiInfo,
        stage_variables: dict[str, str] | None,
        path_parameters: dict[str, str] | None,
        resource: Resource | None,
        arn: str,
        *,
        cached: bool,
    ) -> Any:
        """What the authorizer's function answered for ``request`` (from the stage's cache
        when ``cached`` and the TTL allows), or the refusal body (UNAUTHORIZED,
        AUTHORIZER_FAILED) when it was not or could not be asked."""
        sources = [s for s in (authorizer.identity_source or "").split(",") if s.strip()]
        values: list[str] = []
        for source in sources:
            value = identity_value(source, request, stage_variables, info)
            if not value:
                return UNAUTHORIZED
            values.append(value)
        if authorizer.type == "TOKEN":
            pattern = authorizer.identity_validation_expression
            if pattern and not re.fullmatch(pattern, values[0] if values else ""):
                return UNAUTHORIZED
        ttl = authorizer.authorizer_result_ttl_in_seconds if cached else 0
        # Cached per stage (FlushStageAuthorizersCache empties one stage's entries).
        cache_key = (info.api_id, request.stage, authorizer.id, "\x00".join(values))
        now = time.monotonic()
        hit = self._auth_cache.get(cache_key) if ttl and values else None
        if hit is not None and hit[0] > now:
            return hit[1]
        if not authorizer.authorizer_uri:
            return AUTHORIZER_FAILED
        try:
            target = parse_target(authorizer.authorizer_uri, Scope(info.account, info.region))
        except Exception:
            return AUTHORIZER_FAILED
        if authorizer.type == "TOKEN":
            event: dict[str, Any] = {
                "type": "TOKEN",
                "authorizationToken": values[0] if values else "",
                "methodArn": arn,
            }
        else:
            event = event_v1(
                request,
                info,
                resource.path if resource is not None else request.path,
                resource.id if resource is not None else "",
                path_parameters,
                stage_variables,
                None,
            )
            event.pop("version")
            event.pop("body")
            event.pop("isBase64Encoded")
            event = {"type": "REQUEST", "methodArn": arn, **event}
        outcome, payload = await self._functions.call(
            target, orjson.dumps(event), request.request_id, 10.0
        )
        if outcome is not Outcome.OK:
            return AUTHORIZER_FAILED
        try:
            answer = orjson.loads(payload)
        except orjson.JSONDecodeError:
            return AUTHORIZER_FAILED
        if ttl and values:
            if len(self._auth_cache) > 10000:
                self._auth_cache.clear()
            self._auth_cache[cache_key] = (now + ttl, answer)
        return answer

    def flush_authorizer_cache(self, api_id: str, stage: str) -> int:
        """Forget the authorizer results cached for one stage (how many were)."""
        doomed = [k for k in self._auth_cache if k[0] == api_id and k[1] == stage]
        for key in doomed:
            del self._auth_cache[key]
        return len(doomed)


def _iam_error(refused: IamRefused) -> GatewayError:
    """An AWS_IAM refusal as its gateway response type (its message kept)."""
    message = orjson.loads(refused.rest_body())["message"]
    if refused.kind == MISSING:
        return gateway_error("MISSING_AUTHENTICATION_TOKEN")
    if refused.kind in (EXPIRED, EXPIRED_TOKEN):
        return gateway_error("EXPIRED_TOKEN", message)
    if refused.kind == UNKNOWN_KEY:
        error = gateway_error("DEFAULT_4XX", message, status=403)
        return replace(error, error_type="UnrecognizedClientException")
    return gateway_error("INVALID_SIGNATURE", message)
