"""Route authorizers of HTTP APIs: JWT and Lambda (REQUEST).

A Lambda authorizer gets API Gateway's authorizer event (payload 1.0 or 2.0) and answers
either the simple ``{"isAuthorized": ..., "context": ...}`` (2.0 with simple responses) or
an IAM policy whose ``execute-api:Invoke`` statements must allow the route's ARN. Missing
identity sources answer 401 without calling it; a deny answers 403; a failing authorizer
500. Results are cached per stage and identity for ``AuthorizerResultTtlInSeconds``;
ResetAuthorizersCache empties one stage's entries (``reset``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import orjson

from stratus.gateway.events import ApiInfo
from stratus.gateway.functions import FunctionCaller, Outcome, parse_target
from stratus.gateway.jwt_auth import JwtVerifier
from stratus.gateway.request import GatewayRequest, request_time
from stratus.gateway.resource_policy import ACTION, request_context
from stratus.services.apis.model import Authorizer, Route
from stratus.services.policy_statements import Decision, MalformedPolicy, compile_policy
from stratus.services.scope import Scope

_CACHE_MAX = 10000


@dataclass(frozen=True, slots=True)
class AuthDecision:
    allowed: bool
    status: int = 200
    context: dict[str, Any] | None = None  # requestContext.authorizer of the event (2.0)


DENY_401 = AuthDecision(False, 401)
DENY_403 = AuthDecision(False, 403)
FAILED = AuthDecision(False, 500)


def identity_value(
    source: str,
    request: GatewayRequest,
    stage_variables: dict[str, str] | None,
    info: ApiInfo,
) -> str | None:
    """One identity source: ``$request.header.X``, ``$request.querystring.X``,
    ``$stageVariables.X``, ``$context.X`` (the v1 form ``method.request.header.X`` too)."""
    source = source.strip()
    for prefix in ("$request.header.", "method.request.header.", "route.request.header."):
        if source.startswith(prefix):
            return request.header(source[len(prefix) :].lower())
    for prefix in (
        "$request.querystring.",
        "method.request.querystring.",
        "route.request.querystring.",
    ):
        if source.startswith(prefix):
            values = request.query_lists().get(source[len(prefix) :])
            return ",".join(values) if values else None
    for prefix in ("$stageVariables.", "stageVariables."):
        if source.startswith(prefix):
            return (stage_variables or {}).get(source[len(prefix) :])
    if source.startswith(("$context.", "context.")):
        name = source.split(".", 1)[1]
        return {
            "requestId": request.request_id,
            "stage": request.stage,
            "apiId": info.api_id,
            "httpMethod": request.method,
            "identity.sourceIp": request.source_ip,
        }.get(name)
    return None


def route_arn(info: ApiInfo, stage: str, method: str, path: str) -> str:
    return f"arn:aws:execute-api:{info.region}:{info.account}:{info.api_id}/{stage}/{method}{path}"


def policy_decision(policy: Any, arn: str, request: GatewayRequest | None = None) -> Decision:
    """What an authorizer's ``policyDocument`` says of ``execute-api:Invoke`` on ``arn``:
    the statements matched as the resource policy's are (``policy_statements``: IAM's
    ``*`` and ``?`` only, so a ``[`` in a path is itself; NotAction, NotResource,
    Condition on the request's keys). A document that is no policy, or past the
    evaluator's bounds, says nothing (so it does not allow)."""
    try:
        compiled = compile_policy(policy)
    except MalformedPolicy:
        return Decision.NONE
    context = request_context(request, None) if compiled.conditional and request else None
    return compiled.decide(ACTION, arn, None, context)


def policy_allows(policy: Any, arn: str, request: GatewayRequest | None = None) -> bool:
    """Whether the policy allows ``execute-api:Invoke`` on ``arn`` (an explicit Deny wins)."""
    return policy_decision(policy, arn, request) is Decision.ALLOW


class Authorizers:
    def __init__(self, functions: FunctionCaller, jwt: JwtVerifier) -> None:
        self._functions = functions
        self._jwt = jwt
        # (api id, stage, authorizer id, identity values) -> (expiry, the answer)
        self._cache: dict[tuple[str, str, str, str], tuple[float, Any]] = {}

    def reset(self, api_id: str, stage: str) -> int:
        """ResetAuthorizersCache: forget every cached answer of the stage's authorizers,
        so the next request of each identity calls its authorizer again. Returns how
        many entries went."""
        gone = [key for key in self._cache if key[0] == api_id and key[1] == stage]
        for key in gone:
            del self._cache[key]
        return len(gone)

    async def authorize(
        self,
        authorizer: Authorizer,
        route: Route,
        request: GatewayRequest,
        info: ApiInfo,
        stage_variables: dict[str, str] | None,
        path_parameters: dict[str, str] | None,
    ) -> AuthDecision:
        if authorizer.authorizer_type == "JWT":
            sources = authorizer.identity_source or ["$request.header.Authorization"]
            token = identity_value(sources[0], request, stage_variables, info)
            result = await self._jwt.check(
                token, authorizer.jwt_configuration or {}, route.authorization_scopes
            )
            if not result.ok:
                return AuthDecision(False, result.status)
            return AuthDecision(
                True, 200, {"jwt": {"claims": result.claims, "scopes": result.scopes}}
            )
        return await self._lambda(
            authorizer, request, info, stage_variables, path_parameters, route
        )

    async def _lambda(
        self,
        authorizer: Authorizer,
        request: GatewayRequest,
        info: ApiInfo,
        stage_variables: dict[str, str] | None,
        path_parameters: dict[str, str] | None,
        route: Route,
    ) -> AuthDecision:
        values: list[str] = []
        for source in authorizer.identity_source:
            value = identity_value(source, request, stage_variables, info)
            if value is None or value == "":
                return DENY_401
            values.append(value)
        arn = route_arn(info, request.stage, request.method, request.path)
        ttl = authorizer.authorizer_result_ttl_in_seconds or 0
        cache_key = (info.api_id, request.stage, authorizer.authorizer_id, "\x00".join(values))
        now = time.monotonic()
        if ttl and values:
            cached = self._cache.get(cache_key)
            if cached is not None and cached[0] > now:
                return _decide(authorizer, cached[1], arn, request)
        if not authorizer.authorizer_uri:
            return FAILED
        try:
            target = parse_target(authorizer.authorizer_uri, Scope(info.account, info.region))
        except Exception:
            return FAILED
        event = _authorizer_event(
            authorizer, request, info, stage_variables, path_parameters, route, arn, values
        )
        outcome, payload = await self._functions.call(
            target, orjson.dumps(event), request.request_id, 10.0
        )
        if outcome is not Outcome.OK:
            return FAILED
        try:
            answer = orjson.loads(payload)
        except orjson.JSONDecodeError:
            return FAILED
        if ttl and values:
            if len(self._cache) >= _CACHE_MAX:
                self._cache.clear()
            self._cache[cache_key] = (now + ttl, answer)
        return _decide(authorizer, answer, arn, request)


def _decide(authorizer: Authorizer, answer: Any, arn: str, request: GatewayRequest) -> AuthDecision:
    if not isinstance(answer, dict):
        return FAILED
    context = answer.get("context")
    if context is not None and not isinstance(context, dict):
        return FAILED
    if authorizer.enable_simple_responses:
        if answer.get("isAuthorized") is True:
            return AuthDecision(True, 200, {"lambda": context or {}})
        return DENY_403
    if "policyDocument" not in answer:
        return FAILED
    if not policy_allows(answer["policyDocument"], arn, request):
        return DENY_403
    lambda_context = dict(context or {})
    if "principalId" in answer:
        lambda_context.setdefault("principalId", answer["principalId"])
    return AuthDecision(True, 200, {"lambda": lambda_context})


def _authorizer_event(
    authorizer: Authorizer,
    request: GatewayRequest,
    info: ApiInfo,
    stage_variables: dict[str, str] | None,
    path_parameters: dict[str, str] | None,
    route: Route,
    arn: str,
    identity: list[str],
) -> dict[str, Any]:
    from stratus.gateway.events import event_v1, event_v2

    if (authorizer.authorizer_payload_format_version or "2.0") == "2.0":
        event = event_v2(request, info, route.route_key, path_parameters, stage_variables, None)
        event.pop("body", None)
        event.pop("isBase64Encoded", None)
        return {
            "version": "2.0",
            "type": "REQUEST",
            "routeArn": arn,
            "identitySource": identity,
            **{k: v for k, v in event.items() if k != "version"},
        }
    resource = route.route_key.partition(" ")[2] or route.route_key
    event = event_v1(
        request, info, resource, route.route_id, path_parameters, stage_variables, None
    )
    event.pop("body", None)
    event.pop("isBase64Encoded", None)
    return {
        "version": "1.0",
        "type": "REQUEST",
        "methodArn": arn,
        "identitySource": ",".join(identity),
        "authorizationToken": identity[0] if identity else None,
        **{k: v for k, v in event.items() if k != "version"},
    }


__all__ = [
    "AuthDecision",
    "Authorizers",
    "policy_allows",
    "policy_decision",
    "request_time",
    "route_arn",
]
