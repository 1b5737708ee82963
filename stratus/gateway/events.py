"""The proxy events API Gateway hands a function: payload format 2.0 and 1.0.

Shapes follow AWS's published samples field by field (tests compare them with
``../shared/conformance/events``): 2.0 joins repeated headers and query values with
commas, moves cookies to ``cookies`` and leaves absent parts out; 1.0 has single- and
multi-value maps and ``null`` for what is absent.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from stratus.gateway.request import GatewayRequest, request_time

_TEXT_TYPES = (
    "text/",
    "application/json",
    "application/xml",
    "application/javascript",
    "application/x-yaml",
    "application/yaml",
)


@dataclass(frozen=True, slots=True)
class ApiInfo:
    """What every event of one API says about it."""

    api_id: str
    account: str
    region: str
    domain_name: str  # the host the client used, as AWS puts its own


def _is_text(content_type: str | None) -> bool:
    if not content_type:
        return True
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind.startswith(_TEXT_TYPES) or kind.endswith(("+json", "+xml"))


def is_binary_media_type(content_type: str | None, binary_types: list[str]) -> bool:
    """Whether a REST API's ``binaryMediaTypes`` (``image/png``, ``image/*``, ``*/*``)
    name a content type."""
    if not content_type or not binary_types:
        return False
    kind = content_type.split(";", 1)[0].strip().lower()
    major = kind.split("/", 1)[0]
    return any(t in (kind, f"{major}/*", "*/*") for t in (b.lower() for b in binary_types))


def encode_body(
    request: GatewayRequest, binary_types: list[str] | None = None
) -> tuple[str | None, bool]:
    """The body as the event carries it: text as is, binary (or undecodable) in base64.

    HTTP APIs (``binary_types`` None) decide by content type. REST APIs base64 only what
    their ``binaryMediaTypes`` name and pass everything else as (lossy) UTF-8 text, as AWS
    does."""
    body = request.body
    if not body:
        return None, False
    if binary_types is not None:
        if is_binary_media_type(request.header("content-type"), binary_types):
            return base64.b64encode(body).decode("ascii"), True
        return body.decode("utf-8", "replace"), False
    if _is_text(request.header("content-type")):
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(body).decode("ascii"), True


def event_v2(
    request: GatewayRequest,
    api: ApiInfo,
    route_key: str,
    path_parameters: dict[str, str] | None,
    stage_variables: dict[str, str] | None,
    authorizer: dict[str, Any] | None,
) -> dict[str, Any]:
    headers = dict(request.header_map())
    cookies = headers.pop("cookie", None)
    context: dict[str, Any] = {
        "accountId": api.account,
        "apiId": api.api_id,
        "domainName": api.domain_name,
        "domainPrefix": api.domain_name.split(".", 1)[0],
        "http": {
            "method": request.method,
            "path": request.domain_path
            if request.custom_domain
            else request.path
            if request.stage == "$default"
            else f"/{request.stage}{request.path}",
            "protocol": request.protocol,
            "sourceIp": request.source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": request.request_id,
        "routeKey": route_key,
        "stage": request.stage,
        "time": request_time(request.time_epoch_ms),
        "timeEpoch": request.time_epoch_ms,
    }
    if authorizer is not None:
        context["authorizer"] = authorizer
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": request.full_raw_path
        if request.custom_domain
        else request.raw_path
        if request.stage == "$default"
        else f"/{request.stage}{request.raw_path}",
        "rawQueryString": request.raw_query,
    }
    if cookies:
        event["cookies"] = request.cookies()
    event["headers"] = headers
    if request.raw_query:
        event["queryStringParameters"] = {k: ",".join(v) for k, v in request.query_lists().items()}
    event["requestContext"] = context
    body, encoded = encode_body(request)
    if body is not None:
        event["body"] = body
    if path_parameters:
        event["pathParameters"] = path_parameters
    event["isBase64Encoded"] = encoded
    if stage_variables:
        event["stageVariables"] = stage_variables
    return event


def identity_v1(request: GatewayRequest, api_key: str | None = None) -> dict[str, Any]:
    return {
        "accessKey": None,
        "accountId": None,
        "apiKey": api_key,
        "apiKeyId": None,
        "caller": None,
        "cognitoAuthenticationProvider": None,
        "cognitoAuthenticationType": None,
        "cognitoIdentityId": None,
        "cognitoIdentityPoolId": None,
        "principalOrgId": None,
        "sourceIp": request.source_ip,
        "user": None,
        "userAgent": request.header("user-agent"),
        "userArn": None,
    }


def event_v1(
    request: GatewayRequest,
    api: ApiInfo,
    resource: str,
    resource_id: str,
    path_parameters: dict[str, str] | None,
    stage_variables: dict[str, str] | None,
    authorizer: dict[str, Any] | None,
    *,
    api_key: str | None = None,
    binary_types: list[str] | None = None,
    stage_in_path: bool = False,
) -> dict[str, Any]:
    """``stage_in_path``: HTTP APIs' 1.0 events name a named stage in ``path``
    (``/dev/items``); REST APIs' leave it out."""
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in request.headers:
        single[name] = value
        multi.setdefault(name, []).append(value)
    query = request.query_lists()
    stage_path = request.path if request.stage == "$default" else f"/{request.stage}{request.path}"
    if request.custom_domain:
        # Through a custom domain AWS shows the path as sent, base path included.
        stage_path = request.domain_path
        stage_in_path = True
    context: dict[str, Any] = {
        "accountId": api.account,
        "apiId": api.api_id,
        "domainName": api.domain_name,
        "domainPrefix": api.domain_name.split(".", 1)[0],
        "extendedRequestId": request.request_id,
        "httpMethod": request.method,
        "identity": identity_v1(request, api_key),
        "path": stage_path,
        "protocol": request.protocol,
        "requestId": request.request_id,
        "requestTime": request_time(request.time_epoch_ms),
        "requestTimeEpoch": request.time_epoch_ms,
        "resourceId": resource_id,
        "resourcePath": resource,
        "stage": request.stage,
    }
    if authorizer is not None:
        context["authorizer"] = authorizer
    body, encoded = encode_body(request, binary_types)
    return {
        "version": "1.0",
        "resource": resource,
        "path": stage_path if stage_in_path else request.path,
        "httpMethod": request.method,
        "headers": single,
        "multiValueHeaders": multi,
        "queryStringParameters": {k: v[-1] for k, v in query.items()} if query else None,
        "multiValueQueryStringParameters": query or None,
        "requestContext": context,
        "pathParameters": path_parameters or None,
        "stageVariables": stage_variables or None,
        "body": body,
        "isBase64Encoded": encoded,
    }
