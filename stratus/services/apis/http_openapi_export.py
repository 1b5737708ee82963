"""ExportApi: an HTTP API as an OpenAPI 3.0 document, in the form API Gateway writes
("Export an HTTP API from API Gateway"): one path item per route's path, one operation
per method (``ANY`` is ``x-amazon-apigateway-any-method``, ``$default`` the path
``/$default``), path parameters declared, each integration as
``x-amazon-apigateway-integration``, authorizers as ``components.securitySchemes`` with
``x-amazon-apigateway-authorizer``, CORS as ``x-amazon-apigateway-cors``.

With a stage, the document is what that stage serves (its deployment); without one, the
API as it is now. ``include_extensions=False`` leaves every ``x-amazon-apigateway-*`` out.
What ``http_openapi_import`` reads back is what this writes, so export then import gives
the same routes, integrations, authorizers and CORS.
"""

from __future__ import annotations

import re
import time
from typing import Any

from stratus.services.apis.errors import BadRequest, NotFound
from stratus.services.apis.model import Authorizer, HttpApi, Integration, Route, from_json

SPECIFICATIONS = ("OAS30",)
OUTPUT_TYPES = ("JSON", "YAML")
_PARAMETER = re.compile(r"\{([^}]+)\}")
_CORS_NAMES = {
    "AllowOrigins": "allowOrigins",
    "AllowMethods": "allowMethods",
    "AllowHeaders": "allowHeaders",
    "ExposeHeaders": "exposeHeaders",
    "MaxAge": "maxAge",
    "AllowCredentials": "allowCredentials",
}


def check_export(api: HttpApi, specification: str, output_type: str, version: str | None) -> None:
    if api.protocol_type != "HTTP":
        raise BadRequest("Export is supported only for HTTP APIs.")
    if specification not in SPECIFICATIONS:
        raise BadRequest(f"Invalid specification specified: {specification[:64]}. Valid: OAS30")
    if output_type not in OUTPUT_TYPES:
        raise BadRequest(f"Invalid outputType specified: {output_type[:64]}. Valid: JSON, YAML")
    if version is not None and version != "1.0":
        raise BadRequest(f"Invalid exportVersion specified: {version[:64]}. Valid: 1.0")


def export_api(
    api: HttpApi, endpoint: str, stage_name: str | None, include_extensions: bool
) -> dict[str, Any]:
    """The OpenAPI 3.0 document of ``api`` (of what ``stage_name`` serves, if given)."""
    routes, integrations, authorizers = _parts(api, stage_name)
    info: dict[str, Any] = {"title": api.name, "version": api.version or _version(api)}
    if api.description:
        info["description"] = api.description
    server: dict[str, Any] = {"url": endpoint + "/{basePath}"}
    server["variables"] = {
        "basePath": {"default": "" if not stage_name or stage_name == "$default" else stage_name}
    }
    document: dict[str, Any] = {
        "openapi": "3.0.1",
        "info": info,
        "servers": [server],
        "paths": {},
    }
    for route in sorted(routes, key=lambda r: r.route_key):
        path, method = _path_and_method(route.route_key)
        operation = _operation(route, integrations, authorizers, include_extensions)
        item = document["paths"].setdefault(path, {})
        item[method] = operation
        parameters = _parameters(path)
        if parameters:
            item["parameters"] = parameters
    schemes = {
        a.name: _scheme(a, include_extensions)
        for a in sorted(authorizers.values(), key=lambda a: a.name)
    }
    if any(r.authorization_type == "AWS_IAM" for r in routes):
        schemes["sigv4"] = {"type": "apiKey", "name": "Authorization", "in": "header"}
        if include_extensions:
            schemes["sigv4"]["x-amazon-apigateway-authtype"] = "awsSigv4"
    if schemes:
        document["components"] = {"securitySchemes": schemes}
    if include_extensions and api.tags:
        document["tags"] = [
            {"name": key, "x-amazon-apigateway-tag-value": value}
            for key, value in sorted(api.tags.items())
        ]
    if include_extensions:
        if api.cors_configuration:
            document["x-amazon-apigateway-cors"] = {
                _CORS_NAMES[k]: v for k, v in api.cors_configuration.items() if k in _CORS_NAMES
            }
        document["x-amazon-apigateway-importexport-version"] = "1.0"
    return document


def _version(api: HttpApi) -> str:
    """API Gateway's version of an API that has none: its creation time."""
    return time.strftime("%Y-%m-%d %H:%M:%SUTC", time.gmtime(api.created_date))


def _parts(
    api: HttpApi, stage_name: str | None
) -> tuple[list[Route], dict[str, Integration], dict[str, Authorizer]]:
    if stage_name is None:
        return (
            list(api.routes.values()),
            dict(api.integrations),
            dict(api.authorizers),
        )
    stage = api.stages.get(stage_name)
    if stage is None:
        raise NotFound(f"Invalid stage identifier specified {api.account}:{stage_name}")
    deployment = api.deployments.get(stage.deployment_id or "")
    if deployment is None:
        raise BadRequest(f"Stage {stage_name} has no deployment to export.")
    snapshot = deployment.snapshot
    integrations = [from_json(Integration, i) for i in snapshot["integrations"]]
    authorizers = [from_json(Authorizer, a) for a in snapshot["authorizers"]]
    return (
        [from_json(Route, r) for r in snapshot["routes"]],
        {i.integration_id: i for i in integrations},
        {a.authorizer_id: a for a in authorizers},
    )


def _path_and_method(route_key: str) -> tuple[str, str]:
    if route_key == "$default":
        return "/$default", "x-amazon-apigateway-any-method"
    method, _, path = route_key.partition(" ")
    return path, "x-amazon-apigateway-any-method" if method == "ANY" else method.lower()


def _parameters(path: str) -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PARAMETER.findall(path)
    ]


def _operation(
    route: Route,
    integrations: dict[str, Integration],
    authorizers: dict[str, Authorizer],
    include_extensions: bool,
) -> dict[str, Any]:
    operation: dict[str, Any] = {}
    if route.operation_name:
        operation["operationId"] = route.operation_name
    operation["responses"] = {"default": {"description": f"Default response for {route.route_key}"}}
    authorizer = authorizers.get(route.authorizer_id or "")
    if authorizer is not None and route.authorization_type in ("JWT", "CUSTOM"):
        operation["security"] = [{authorizer.name: list(route.authorization_scopes or [])}]
    elif route.authorization_type == "AWS_IAM":
        operation["security"] = [{"sigv4": []}]
    integration_id = (route.target or "").partition("/")[2]
    integration = integrations.get(integration_id)
    if include_extensions and integration is not None:
        operation["x-amazon-apigateway-integration"] = _integration(integration)
    return operation


def _integration(integration: Integration) -> dict[str, Any]:
    out: dict[str, Any] = {"type": integration.integration_type.lower()}
    pairs = (
        ("payloadFormatVersion", integration.payload_format_version),
        ("integrationSubtype", integration.integration_subtype),
        ("httpMethod", integration.integration_method),
        ("uri", integration.integration_uri),
        ("credentials", integration.credentials_arn),
        ("requestParameters", integration.request_parameters),
        ("responseParameters", integration.response_parameters),
        ("connectionType", integration.connection_type),
        ("connectionId", integration.connection_id),
        ("timeoutInMillis", integration.timeout_in_millis),
        ("description", integration.description),
    )
    for name, value in pairs:
        if value is not None:
            out[name] = value
    if (
        integration.integration_type == "AWS_PROXY"
        and "httpMethod" not in out
        and not integration.integration_subtype
    ):
        out["httpMethod"] = "POST"
    return out


def _scheme(authorizer: Authorizer, include_extensions: bool) -> dict[str, Any]:
    if authorizer.authorizer_type == "JWT":
        scheme: dict[str, Any] = {"type": "oauth2", "flows": {}}
        spec: dict[str, Any] = {
            "type": "jwt",
            "identitySource": ", ".join(authorizer.identity_source),
            "jwtConfiguration": {
                k: v
                for k, v in (
                    ("issuer", (authorizer.jwt_configuration or {}).get("Issuer")),
                    ("audience", (authorizer.jwt_configuration or {}).get("Audience")),
                )
                if v is not None
            },
        }
    else:
        scheme = {"type": "apiKey", "name": "Unused", "in": "header"}
        spec = {
            "type": "request",
            "identitySource": ", ".join(authorizer.identity_source),
            "authorizerUri": authorizer.authorizer_uri,
            "authorizerPayloadFormatVersion": authorizer.authorizer_payload_format_version,
            "enableSimpleResponses": authorizer.enable_simple_responses,
            "authorizerResultTtlInSeconds": authorizer.authorizer_result_ttl_in_seconds,
            "authorizerCredentials": authorizer.authorizer_credentials_arn,
        }
        spec = {k: v for k, v in spec.items() if v is not None}
    if include_extensions:
        scheme["x-amazon-apigateway-authorizer"] = spec
    return scheme
