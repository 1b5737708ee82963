"""HTTP APIs' parameter mapping, carried out: the values (``$request.body.name``,
``$request.header.x``, ``$response.header.x``, ``$context.requestId``, static text,
``${...}`` inside text) and the request and response transforms.

AWS's page "Transform API requests and responses for HTTP APIs in API Gateway" is the
specification; ``services.apis.parameter_mapping`` holds its grammar and refuses bad
mappings at CreateIntegration. Here a route's mappings are compiled once per deployment
(``compile_route_mapping``) into tuples of parsed keys and values, so a request only
evaluates them, and a route without mappings has none (``None``) and pays nothing.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import orjson

from stratus.gateway.events import ApiInfo
from stratus.gateway.request import GatewayRequest, request_time
from stratus.gateway.responses import HttpResult
from stratus.services.apis.errors import BadRequest
from stratus.services.apis.model import Integration
from stratus.services.apis.parameter_mapping import (
    REQUEST,
    RESPONSE,
    MappingKey,
    Source,
    parse_key,
    parse_value,
)

#: API Gateway reads at most this much of a body for a JSON path (``$request.body.x``);
#: a larger body's path finds nothing (its whole text is still ``$request.body``).
JSON_PATH_BODY_LIMIT = 100 * 1024

Template = tuple["str | Source", ...]
Operation = tuple[MappingKey, Template]
_ORDER = {"remove": 0, "overwrite": 1, "append": 2}


class MappingContext:
    """What mapping values read: the request, its path parameters and stage variables,
    the ``$context`` variables and, for response mappings, the integration's answer."""

    def __init__(
        self,
        request: GatewayRequest,
        stage_variables: dict[str, str] | None,
        path_parameters: dict[str, str] | None,
        context: dict[str, Any],
        response: HttpResult | None = None,
    ) -> None:
        self.request = request
        self.stage_variables = stage_variables or {}
        self.path_parameters = path_parameters or {}
        self.context = context
        self.response = response
        self._request_json: tuple[Any] | None = None
        self._response_json: tuple[Any] | None = None
        self._response_headers: dict[str, str] | None = None

    def _request_body_json(self) -> Any:
        if self._request_json is None:
            self._request_json = (_json(self.request.body),)
        return self._request_json[0]

    def _response_body_json(self) -> Any:
        if self._response_json is None:
            body = self.response.body if self.response is not None else b""
            self._response_json = (_json(body),)
        return self._response_json[0]

    def _response_header(self, name: str) -> str | None:
        if self._response_headers is None:
            joined: dict[str, str] = {}
            for raw_name, raw_value in self.response.headers if self.response else []:
                key = raw_name.decode("latin-1").lower()
                value = raw_value.decode("latin-1")
                previous = joined.get(key)
                joined[key] = value if previous is None else f"{previous},{value}"
            self._response_headers = joined
        return self._response_headers.get(name)

    def value(self, source: Source) -> str | None:
        """One source's value, or None when the request (or answer) has none."""
        kind, name = source.kind, source.name
        if kind == "context":
            found = self.context.get(name)
            return None if found is None else _text(found)
        if kind == "stageVariables":
            return self.stage_variables.get(name)
        if kind == "request.header":
            return self.request.header(name)
        if kind == "request.querystring":
            values = self.request.query_lists().get(name)
            return ",".join(values) if values else None
        if kind == "request.pathparam":
            return self.path_parameters.get(name)
        if kind == "request.path":
            return self.request.path
        if kind == "request.body":
            if not name:
                return self.request.body.decode("utf-8", "replace")
            return _json_path(self._request_body_json(), name)
        if kind == "response.header":
            return self._response_header(name)
        if kind == "response.body":
            if not name:
                body = self.response.body if self.response is not None else b""
                return body.decode("utf-8", "replace")
            return _json_path(self._response_body_json(), name)
        return None

    def render(self, template: Template) -> str | None:
        """A compiled value: one source alone keeps its absence (None); in text an absent
        source is empty."""
        if len(template) == 1:
            only = template[0]
            return only if isinstance(only, str) else self.value(only)
        return "".join(p if isinstance(p, str) else (self.value(p) or "") for p in template)

    def evaluate(self, text: str) -> str | None:
        """A mapping value as written (service integrations' parameters)."""
        text = text.strip()
        if len(text) > _CACHED_TEXT:
            return self.render(compile_value(text, REQUEST))
        return self.render(_compile_cached(text))


_CACHED_TEXT = 512  # longer values are parsed each time rather than kept in the cache


@lru_cache(maxsize=4096)
def _compile_cached(text: str) -> Template:
    """Service integrations' values are evaluated as written, request after request."""
    return compile_value(text, REQUEST)


def compile_value(text: str, direction: str) -> Template:
    """A value's parts; one stored before the checks existed that they now refuse is
    kept as static text rather than failing requests."""
    try:
        return tuple(parse_value(text, direction)) or ("",)
    except BadRequest:
        return (text,)


def _json(body: bytes) -> Any:
    if not body or len(body) > JSON_PATH_BODY_LIMIT:
        return None
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return None


def _json_path(document: Any, path: str) -> str | None:
    """``a.b[0].c`` into a JSON document; a string is itself, anything else its JSON."""
    value = document
    for segment in path.split("."):
        name, _, indexes = segment.partition("[")
        if name:
            value = value.get(name) if isinstance(value, dict) else None
        for index in indexes.replace("]", "").split("[") if indexes else ():
            position = int(index)
            value = value[position] if isinstance(value, list) and position < len(value) else None
        if value is None:
            return None
    return _text(value)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return orjson.dumps(value).decode()


@dataclass(frozen=True, slots=True)
class RequestMapping:
    """A Lambda or HTTP integration's request transform."""

    operations: tuple[Operation, ...]  # removes, then overwrites, then appends
    touches_query: bool

    def transform(
        self, request: GatewayRequest, mapper: MappingContext
    ) -> tuple[GatewayRequest, str | None]:
        """The request as the integration gets it, and the path ``overwrite:path`` set
        (None: not set). Every value is read from the request as the client sent it."""
        values = [mapper.render(template) for _, template in self.operations]
        headers = list(request.headers)
        query = _query_pairs(request) if self.touches_query else []
        path: str | None = None
        for (key, _), value in zip(self.operations, values, strict=True):
            if key.location == "path":
                path = value if value is not None else path
                continue
            pairs = headers if key.location == "header" else query
            if key.action != "append":
                pairs[:] = [pair for pair in pairs if pair[0] != key.name]
            if key.action != "remove" and value is not None:
                pairs.append((key.name, value))
        raw_query = request.raw_query
        if self.touches_query:
            raw_query = urlencode(query)
        mapped = dataclasses.replace(
            request, headers=headers, raw_query=raw_query, _header_map=None
        )
        if path is not None:
            mapped.path = mapped.raw_path = path
        return mapped, path


def _query_pairs(request: GatewayRequest) -> list[tuple[str, str]]:
    return [(name, value) for name, values in request.query_lists().items() for value in values]


@dataclass(frozen=True, slots=True)
class ResponseMapping:
    """An integration's response transforms, by the status code the integration gave."""

    by_status: dict[int, tuple[Operation, ...]]

    def transform(self, result: HttpResult, mapper: MappingContext) -> HttpResult:
        operations = self.by_status.get(result.status)
        if operations is None:
            return result
        mapper.response = result
        values = [mapper.render(template) for _, template in operations]
        status = result.status
        headers = list(result.headers)
        for (key, _), value in zip(operations, values, strict=True):
            if key.location == "statuscode":
                code = (value or "").strip()
                if code.isdigit() and 100 <= int(code) <= 599:
                    status = int(code)
                continue
            name = key.name.encode("latin-1")
            if key.action != "append":
                headers = [pair for pair in headers if pair[0] != name]
            if key.action != "remove" and value is not None:
                headers.append((name, value.encode("latin-1", "replace")))
        return HttpResult(status, headers, result.body)


# What the gateway answers itself when an integration fails (a function error or
# timeout, an unreachable upstream): no integration response, so no response mapping.
_GATEWAY_ERRORS = {
    500: b'{"message":"Internal Server Error"}',
    503: b'{"message":"Service Unavailable"}',
    429: b'{"message":"Too Many Requests"}',
}


@dataclass(frozen=True, slots=True)
class RouteMapping:
    """What one route's integration maps; absent parts are None."""

    request: RequestMapping | None
    response: ResponseMapping | None

    def respond(self, result: HttpResult, mapper: MappingContext) -> HttpResult:
        """The integration's answer with the response mapping of its status applied."""
        if self.response is None or _GATEWAY_ERRORS.get(result.status) == result.body:
            return result
        return self.response.transform(result, mapper)


def route_mapping(integration: Integration | None) -> RouteMapping | None:
    """An integration's compiled mappings (None: it has none)."""
    if integration is None:
        return None
    return compile_route_mapping(
        integration.request_parameters,
        integration.response_parameters,
        service=bool(integration.integration_subtype),
    )


def _operations(mapping: dict[str, Any], direction: str) -> tuple[Operation, ...]:
    operations: list[Operation] = []
    for key, value in mapping.items():
        try:
            parsed = parse_key(str(key), direction)
        except BadRequest:
            continue  # stored before the checks existed: not served
        template = ("",) if parsed.action == "remove" else compile_value(str(value), direction)
        operations.append((parsed, template))
    operations.sort(key=lambda operation: _ORDER[operation[0].action])
    return tuple(operations)


def compile_route_mapping(
    request_parameters: dict[str, Any] | None,
    response_parameters: dict[str, Any] | None,
    *,
    service: bool,
) -> RouteMapping | None:
    """A route's compiled mappings, or None when it has none. A service integration's
    request parameters are the service call's own (``service_integrations``), not a
    transform."""
    request = None
    if request_parameters and not service:
        operations = _operations(request_parameters, REQUEST)
        touches_query = any(key.location == "querystring" for key, _ in operations)
        request = RequestMapping(operations, touches_query) if operations else None
    response = None
    if response_parameters:
        by_status = {
            int(status): _operations(mapping, RESPONSE)
            for status, mapping in response_parameters.items()
            if str(status).isdigit() and isinstance(mapping, dict) and mapping
        }
        response = ResponseMapping(by_status) if by_status else None
    if request is None and response is None:
        return None
    return RouteMapping(request, response)


def context_variables(
    request: GatewayRequest,
    info: ApiInfo,
    route_key: str,
    authorizer: dict[str, Any] | None,
) -> dict[str, Any]:
    """The ``$context`` variables a mapping may name (the access log's set, API
    Gateway's "Customizing HTTP API access logs" page), flat: ``identity.sourceIp``,
    ``authorizer.claims.sub``, ``authorizer.{key}`` of a Lambda authorizer's context."""
    path = request.path if request.stage == "$default" else f"/{request.stage}{request.path}"
    if request.custom_domain:
        path = request.domain_path  # as sent to the custom domain, mapping key included
    context: dict[str, Any] = {
        "accountId": info.account,
        "apiId": info.api_id,
        "domainName": info.domain_name,
        "domainPrefix": info.domain_name.split(".", 1)[0],
        "httpMethod": request.method,
        "identity.sourceIp": request.source_ip,
        "identity.userAgent": request.header("user-agent") or "",
        "path": path,
        "protocol": request.protocol,
        "requestId": request.request_id,
        "extendedRequestId": request.request_id,
        "requestTime": request_time(request.time_epoch_ms),
        "requestTimeEpoch": request.time_epoch_ms,
        "routeKey": route_key,
        "stage": request.stage,
    }
    if authorizer:
        for kind, values in authorizer.items():
            if kind == "jwt" and isinstance(values, dict):
                for claim, value in (values.get("claims") or {}).items():
                    context[f"authorizer.claims.{claim}"] = value
            elif kind in ("lambda", "iam") and isinstance(values, dict):
                for name, value in values.items():
                    context[f"authorizer.{name}"] = value
    return context
