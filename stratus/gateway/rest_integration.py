"""REST APIs' non-proxy integrations (``AWS``, ``HTTP``, ``MOCK``, Lambda non-proxy): the
integration request and response that mapping templates shape.

Per request, as API Gateway documents it:

1. The request template is chosen by the request's ``Content-Type`` (none:
   ``application/json``). No template for it: ``passthroughBehavior`` decides.
   ``WHEN_NO_MATCH`` (the default) passes the body through; ``WHEN_NO_TEMPLATES`` passes
   it only when the integration has no template at all; ``NEVER`` never does. A refused
   request is 415 ``{"message": "Unsupported Media Type"}``.
2. ``requestParameters`` map ``integration.request.{header|querystring|path}.X`` from
   ``method.request.{header|querystring|path}.Y``, ``method.request.body(.JSONPath)``,
   ``context.X``, ``stageVariables.X`` or a ``'literal'``.
3. The backend answers: our own AWS APIs in-process (``AWS``), a URL (``HTTP``), a
   function (``AWS`` to a function's ``invocations`` URI; with an ``X-Amz-Invocation-Type:
   'Event'`` header, Lambda's asynchronous Invoke), or nothing (``MOCK``, whose
   request template's ``statusCode`` is its answer's status).
4. The integration response is the first whose ``selectionPattern`` matches the whole of
   the backend's status code (for a function: its ``errorMessage``; a function that did
   not fail takes the default), else the default one (no pattern). None: 500.
5. Its response template (chosen by ``Accept``, else ``application/json``, else the first)
   renders the body with ``$input`` the backend's answer, its ``responseParameters`` set
   the method response's headers, its ``statusCode`` is the status; a template may
   override both through ``$context.responseOverride``.

A template that fails to render, or a backend answer no integration response takes, is
API_CONFIGURATION_ERROR (500 ``{"message": "Internal server error"}``); the errors the
gateway answers itself are :class:`GatewayError` values, which the stage's gateway
responses shape (``rest_errors.py``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import orjson

from stratus.gateway.aws_integration import AwsIntegrationCalls, UnsupportedUri
from stratus.gateway.functions import FunctionCaller, Outcome, parse_target
from stratus.gateway.request import GatewayRequest
from stratus.gateway.responses import HttpResult
from stratus.gateway.rest_errors import GatewayError, gateway_error
from stratus.gateway.vtl import TemplateFailed, TemplateVars, render
from stratus.services.apis.rest_model import RestIntegration
from stratus.services.scope import Scope
from stratus.workflows.expressions.jsonpath import PathNotFound, PathSyntaxError, select

__all__ = ["NonProxyIntegrations"]

log = logging.getLogger(__name__)

_DEFAULT_TYPE = "application/json"
_HEADER = "method.response.header."
_PATH_VARIABLE = re.compile(r"\{([A-Za-z0-9._-]+)\+?\}")
_STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")


@dataclass(slots=True)
class _Backend:
    """What the backend answered: the status (or a function's error message) that
    selects the integration response, and the payload its template reads."""

    selector: str
    body: str
    headers: dict[str, str]
    failed_function: bool = False


class _Refused(Exception):
    """An error the gateway answers itself (its gateway response shapes it)."""

    def __init__(self, error: GatewayError) -> None:
        self.error = error


class NonProxyIntegrations:
    def __init__(
        self,
        functions: FunctionCaller,
        client: httpx.AsyncClient,
        aws: AwsIntegrationCalls | None,
    ) -> None:
        self._functions = functions
        self._client = client
        self._aws = aws

    async def run(
        self,
        integration: RestIntegration,
        request: GatewayRequest,
        path_parameters: dict[str, str] | None,
        stage_variables: dict[str, str] | None,
        context: dict[str, Any],
        account: str,
    ) -> HttpResult | GatewayError:
        """The method response, or the error the gateway answers itself."""
        context.setdefault("requestOverride", {"header": {}, "querystring": {}, "path": {}})
        context.setdefault("responseOverride", {"header": {}})
        params = {
            "path": dict(path_parameters or {}),
            "querystring": {k: v[-1] for k, v in request.query_lists().items()},
            "header": dict(request.header_map()),
        }
        env = TemplateVars(context, dict(stage_variables or {}))
        body_text = request.body.decode("utf-8", "replace")
        try:
            content_type, payload = _request_payload(integration, request, body_text, params, env)
            mapped = _request_parameters(integration, request, params, body_text, env)
            for kind in ("header", "querystring", "path"):
                mapped[kind].update(context["requestOverride"].get(kind) or {})
            backend = await self._call(
                integration, request, content_type, payload, mapped, env, account
            )
            return _respond(integration, request, backend, params, env)
        except _Refused as refused:
            return refused.error
        except TemplateFailed as exc:
            log.info("REST API request %s: %s", request.request_id, exc)
            return gateway_error("API_CONFIGURATION_ERROR")

    async def _call(
        self,
        integration: RestIntegration,
        request: GatewayRequest,
        content_type: str,
        payload: str,
        mapped: dict[str, dict[str, str]],
        env: TemplateVars,
        account: str,
    ) -> _Backend:
        timeout = integration.timeout_in_millis / 1000
        uri = integration.uri or ""
        if integration.type == "MOCK":
            return _Backend(_mock_status(payload), "", {})
        if integration.type == "HTTP":
            return await self._http(integration, request, content_type, payload, mapped, env)
        invocation = {k.lower(): v for k, v in mapped["header"].items()}.get(
            "x-amz-invocation-type", "RequestResponse"
        )
        if ":lambda:path/" in uri and uri.endswith("/invocations") and invocation != "Event":
            return await self._function(uri, request, payload, account, timeout)
        # Anything else, an asynchronous invoke ('Event') included, is the AWS API call
        # the URI names (Lambda's Invoke answers 202 to an Event).
        return await self._aws_call(
            integration, request, content_type, payload, mapped, env, account
        )

    async def _http(
        self,
        integration: RestIntegration,
        request: GatewayRequest,
        content_type: str,
        payload: str,
        mapped: dict[str, dict[str, str]],
        env: TemplateVars,
    ) -> _Backend:
        url = _substitute(integration.uri or "", mapped, env)
        if mapped["querystring"]:
            url += ("&" if "?" in url else "?") + urlencode(mapped["querystring"])
        headers = _integration_headers(content_type, mapped["header"])
        method = integration.http_method or request.method
        if method == "ANY":
            method = request.method
        try:
            response = await self._client.request(
                method,
                url,
                headers=headers,
                content=payload.encode(),
                timeout=integration.timeout_in_millis / 1000,
            )
        except httpx.TimeoutException as exc:
            raise _Refused(gateway_error("INTEGRATION_TIMEOUT")) from exc
        except httpx.HTTPError as exc:
            log.info("REST API HTTP integration to %s failed: %s", url, exc)
            raise _Refused(gateway_error("INTEGRATION_FAILURE", status=500)) from exc
        headers_out = {name: value for name, value in response.headers.items()}
        return _Backend(str(response.status_code), response.text, headers_out)

    async def _function(
        self, uri: str, request: GatewayRequest, payload: str, account: str, timeout: float
    ) -> _Backend:
        region = uri.split(":", 4)[3] if uri.count(":") >= 4 else ""
        try:
            target = parse_target(uri, Scope(account, region))
        except Exception as exc:
            raise _Refused(gateway_error("API_CONFIGURATION_ERROR")) from exc
        outcome, answer = await self._functions.call(
            target, payload.encode(), request.request_id, timeout
        )
        text = answer.decode("utf-8", "replace")
        if outcome is Outcome.OK:
            return _Backend("", text, {})
        if outcome is Outcome.FUNCTION_ERROR:
            try:
                error = orjson.loads(answer)
            except orjson.JSONDecodeError:
                error = {}
            message = error.get("errorMessage") if isinstance(error, dict) else None
            return _Backend(str(message or ""), text, {}, failed_function=True)
        if outcome is Outcome.TIMED_OUT:
            raise _Refused(gateway_error("INTEGRATION_TIMEOUT"))
        if outcome is Outcome.THROTTLED:
            raise _Refused(gateway_error("THROTTLED"))
        raise _Refused(gateway_error("INTEGRATION_FAILURE", status=500))

    async def _aws_call(
        self,
        integration: RestIntegration,
        request: GatewayRequest,
        content_type: str,
        payload: str,
        mapped: dict[str, dict[str, str]],
        env: TemplateVars,
        account: str,
    ) -> _Backend:
        if self._aws is None:
            raise _Refused(gateway_error("API_CONFIGURATION_ERROR"))
        method = integration.http_method or "POST"
        try:
            answer = await self._aws.call(
                _substitute(integration.uri or "", mapped, env),
                request.method if method == "ANY" else method,
                payload.encode(),
                _integration_headers(content_type, mapped["header"]),
                list(mapped["querystring"].items()),
                account,
            )
        except UnsupportedUri as exc:
            log.info("REST API AWS integration: %s", exc)
            raise _Refused(gateway_error("API_CONFIGURATION_ERROR")) from exc
        if answer is None:
            log.info("REST API AWS integration: no service answers %s", integration.uri)
            raise _Refused(gateway_error("API_CONFIGURATION_ERROR"))
        return _Backend(str(answer.status), answer.body.decode("utf-8", "replace"), answer.headers)


def _media_type(value: str | None) -> str:
    return (value or "").split(";", 1)[0].strip().lower()


def _request_payload(
    integration: RestIntegration,
    request: GatewayRequest,
    body: str,
    params: dict[str, dict[str, str]],
    env: TemplateVars,
) -> tuple[str, str]:
    """The integration request's content type and body (step 1 of the module doc)."""
    templates = {
        _media_type(k): str(v)
        for k, v in (integration.request_templates or {}).items()
        if v is not None
    }
    content_type = _media_type(request.header("content-type")) or _DEFAULT_TYPE
    template = templates.get(content_type)
    if template is not None:
        return content_type, render(template, body, params, env)
    behavior = integration.passthrough_behavior or "WHEN_NO_MATCH"
    if behavior == "NEVER" or (behavior == "WHEN_NO_TEMPLATES" and templates):
        raise _Refused(gateway_error("UNSUPPORTED_MEDIA_TYPE"))
    return request.header("content-type") or _DEFAULT_TYPE, body


def _substitute(uri: str, mapped: dict[str, dict[str, str]], env: TemplateVars) -> str:
    """The URI with ``${stageVariables.x}`` and its ``{name}`` segments filled in (from
    ``integration.request.path.name`` mappings), percent-encoded as path segments."""
    uri = _STAGE_VARIABLE.sub(lambda m: env.stage_variables.get(m.group(1), ""), uri)
    return _PATH_VARIABLE.sub(lambda m: quote(mapped["path"].get(m.group(1), ""), "/"), uri)


def _integration_headers(content_type: str, mapped: dict[str, str]) -> dict[str, str]:
    """The mapped headers (lowercased: one ``Content-Type`` whatever its case), with the
    payload's content type unless a mapping sets it."""
    headers = {"content-type": content_type}
    headers.update({name.lower(): value for name, value in mapped.items()})
    return headers


def _mock_status(payload: str) -> str:
    """A MOCK integration answers the status its request template names (200 if none)."""
    try:
        data = orjson.loads(payload) if payload.strip() else {}
    except orjson.JSONDecodeError:
        return "200"
    if isinstance(data, dict) and "statusCode" in data:
        return str(data["statusCode"])
    return "200"


def _request_parameters(
    integration: RestIntegration,
    request: GatewayRequest,
    params: dict[str, dict[str, str]],
    body: str,
    env: TemplateVars,
) -> dict[str, dict[str, str]]:
    mapped: dict[str, dict[str, str]] = {"header": {}, "querystring": {}, "path": {}}
    for target, source in (integration.request_parameters or {}).items():
        kind, _, name = str(target).removeprefix("integration.request.").partition(".")
        if kind not in mapped or not name:
            continue
        value = _source(str(source), "method.request.", params, body, env)
        if value is not None:
            mapped[kind][name] = value
    return mapped


def _source(
    source: str,
    prefix: str,
    params: dict[str, dict[str, str]],
    body: str,
    env: TemplateVars,
    headers: dict[str, str] | None = None,
) -> str | None:
    """The value of a parameter mapping's source expression: ``'literal'``,
    ``{prefix}{header|querystring|path}.X``, ``{prefix}body(.JSONPath)``, ``context.X``,
    ``stageVariables.X`` (``prefix`` is ``method.request.`` or ``integration.response.``)."""
    if len(source) >= 2 and source.startswith("'") and source.endswith("'"):
        return source[1:-1]
    if source.startswith("stageVariables."):
        return env.stage_variables.get(source.removeprefix("stageVariables."))
    if source.startswith("context."):
        value: Any = env.context
        for part in source.removeprefix("context.").split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return None if value is None or isinstance(value, dict) else str(value)
    if not source.startswith(prefix):
        return None
    rest = source.removeprefix(prefix)
    if rest == "body":
        return body
    if rest.startswith("body."):
        try:
            data = orjson.loads(body)
            value = select(data, "$." + rest.removeprefix("body."))
        except (orjson.JSONDecodeError, PathNotFound, PathSyntaxError):
            return None
        return value if isinstance(value, str) else orjson.dumps(value).decode()
    kind, _, name = rest.partition(".")
    if kind in ("header", "multivalueheader"):
        lowered = name.lower()
        for header, header_value in (headers if headers is not None else params["header"]).items():
            if header.lower() == lowered:
                return header_value
        return None
    if kind == "multivaluequerystring":
        kind = "querystring"
    return params.get(kind, {}).get(name)


def _select_response(integration: RestIntegration, backend: _Backend) -> dict[str, Any] | None:
    responses = integration.integration_responses
    default = None
    for response in responses.values():
        pattern = response.get("selection_pattern")
        if not pattern:
            if default is None:
                default = response
            continue
        if integration.type in ("AWS", "HTTP", "MOCK") or backend.failed_function:
            try:
                if re.fullmatch(str(pattern), backend.selector):
                    return response
            except re.error:
                continue
    return default


def _respond(
    integration: RestIntegration,
    request: GatewayRequest,
    backend: _Backend,
    params: dict[str, dict[str, str]],
    env: TemplateVars,
) -> HttpResult | GatewayError:
    response = _select_response(integration, backend)
    if response is None:
        log.info(
            "REST API request %s: no integration response for %r and no default",
            request.request_id,
            backend.selector,
        )
        return gateway_error("API_CONFIGURATION_ERROR")
    templates = {
        _media_type(k): (k, v)
        for k, v in (response.get("response_templates") or {}).items()
        if v is not None
    }
    accept = _media_type(request.header("accept"))
    chosen = templates.get(accept) or templates.get(_DEFAULT_TYPE)
    if chosen is None and templates:
        chosen = next(iter(templates.values()))
    if chosen is not None and str(chosen[1]).strip():
        content_type, body = str(chosen[0]), render(str(chosen[1]), backend.body, params, env)
    else:
        content_type = chosen[0] if chosen is not None else _DEFAULT_TYPE
        body = backend.body
    headers: dict[str, str] = {"content-type": content_type}
    for target, source in (response.get("response_parameters") or {}).items():
        if not str(target).startswith(_HEADER) or source is None:
            continue
        value = _source(
            str(source), "integration.response.", params, backend.body, env, backend.headers
        )
        if value is not None:
            headers[str(target).removeprefix(_HEADER).lower()] = value
    override = env.context.get("responseOverride") or {}
    for name, value in (override.get("header") or {}).items():
        headers[str(name).lower()] = str(value)
    status = int(response.get("status_code") or 200)
    if override.get("status") not in (None, ""):
        try:
            status = int(override["status"])
        except (TypeError, ValueError):
            pass
    return HttpResult(
        status,
        [
            (name.encode("latin-1"), value.encode("latin-1", "replace"))
            for name, value in headers.items()
        ],
        body.encode(),
    )
