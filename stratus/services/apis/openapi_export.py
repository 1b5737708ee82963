"""GetExport: a stage's deployment as an OpenAPI document, ``swagger`` (2.0) or ``oas30``,
JSON or YAML (``Accept: application/yaml``).

What the export holds, as API Gateway writes it: ``info`` (the API's name as ``title``, the
deployment's date as ``version``), the stage's ``host``/``basePath`` (2.0) or ``servers``
(3.0), one path per resource with methods, each method's request parameters and responses;
with ``extensions`` ``integrations`` or ``apigateway`` the ``x-amazon-apigateway-integration``
of each method, the authorizers as security schemes (``authorizers``/``apigateway``), and
with ``apigateway`` the gateway responses, binary media types and the deployment's
resource policy (``x-amazon-apigateway-policy``) as well. Models are not
exported (Stratus has none to give).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import yaml

from stratus.services.apis.errors import BadRequest
from stratus.services.apis.rest_model import (
    RestApi,
    RestIntegration,
    RestMethod,
    RestStage,
    snapshot_authorizers,
    snapshot_gateway_responses,
    snapshot_resources,
)

__all__ = ["export_stage"]

EXPORT_TYPES = ("swagger", "oas30")


def export_stage(
    api: RestApi,
    stage: RestStage,
    export_type: str,
    parameters: dict[str, str],
    accepts: str | None,
    host: str,
) -> tuple[str, bytes]:
    """The content type and the document."""
    if export_type not in EXPORT_TYPES:
        raise BadRequest(f"No API exporter for type '{export_type}'")
    deployment = api.deployments.get(stage.deployment_id)
    snapshot = deployment.snapshot if deployment is not None else {}
    extensions = {e.strip() for e in parameters.get("extensions", "").split(",") if e.strip()}
    with_integrations = bool(extensions & {"integrations", "apigateway"})
    with_authorizers = bool(extensions & {"authorizers", "apigateway"})
    oas3 = export_type == "oas30"
    created = deployment.created_date if deployment is not None else api.created_date
    document: dict[str, Any] = {"openapi": "3.0.1"} if oas3 else {"swagger": "2.0"}
    document["info"] = {
        "title": api.name,
        "version": datetime.fromtimestamp(created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    if api.description:
        document["info"]["description"] = api.description
    if oas3:
        document["servers"] = [
            {
                "url": f"http://{host}/{{basePath}}",
                "variables": {"basePath": {"default": stage.stage_name}},
            }
        ]
    else:
        document["host"] = host
        document["basePath"] = f"/{stage.stage_name}"
        document["schemes"] = ["http"]
    authorizers = snapshot_authorizers(snapshot)
    paths: dict[str, Any] = {}
    for resource in sorted(snapshot_resources(snapshot), key=lambda r: r.path):
        if not resource.methods:
            continue
        item: dict[str, Any] = {}
        for verb, method in sorted(resource.methods.items()):
            key = "x-amazon-apigateway-any-method" if verb == "ANY" else verb.lower()
            item[key] = _operation(method, oas3, with_integrations, authorizers)
        paths[resource.path] = item
    document["paths"] = paths
    schemes = {a.name: _scheme(a) for a in authorizers.values()} if with_authorizers else {}
    if any('"api_key"' in orjson.dumps(item).decode() for item in paths.values()):
        schemes["api_key"] = {"type": "apiKey", "name": "x-api-key", "in": "header"}
    if schemes:
        if oas3:
            document["components"] = {"securitySchemes": schemes}
        else:
            document["securityDefinitions"] = schemes
    if "apigateway" in extensions:
        responses = snapshot_gateway_responses(snapshot)
        if responses:
            document["x-amazon-apigateway-gateway-responses"] = {
                kind: {
                    k: v
                    for k, v in (
                        ("statusCode", r.status_code),
                        ("responseParameters", r.response_parameters or None),
                        ("responseTemplates", r.response_templates or None),
                    )
                    if v is not None
                }
                for kind, r in responses.items()
            }
        if api.binary_media_types:
            document["x-amazon-apigateway-binary-media-types"] = list(api.binary_media_types)
        if snapshot.get("policy"):  # the deployment's: what the stage enforces
            document["x-amazon-apigateway-policy"] = orjson.loads(snapshot["policy"])
    if (accepts or "").split(";")[0].strip().lower() in ("application/yaml", "application/x-yaml"):
        return "application/yaml", yaml.safe_dump(document, sort_keys=False).encode()
    return "application/json", orjson.dumps(document, option=orjson.OPT_INDENT_2)


def _operation(
    method: RestMethod, oas3: bool, with_integrations: bool, authorizers: dict[str, Any]
) -> dict[str, Any]:
    operation: dict[str, Any] = {}
    if method.operation_name:
        operation["operationId"] = method.operation_name
    parameters = []
    for name, required in (method.request_parameters or {}).items():
        _, _, rest = str(name).partition("method.request.")
        place, _, param = rest.partition(".")
        where = {"querystring": "query", "header": "header", "path": "path"}.get(place)
        if where and param:
            entry: dict[str, Any] = {"name": param, "in": where, "required": bool(required)}
            if oas3:
                entry["schema"] = {"type": "string"}
            else:
                entry["type"] = "string"
            parameters.append(entry)
    if parameters:
        operation["parameters"] = parameters
    responses: dict[str, Any] = {}
    for code, response in sorted(method.method_responses.items()):
        item: dict[str, Any] = {"description": f"{code} response"}
        headers = {
            str(k).removeprefix("method.response.header."): (
                {"schema": {"type": "string"}} if oas3 else {"type": "string"}
            )
            for k in (response.get("response_parameters") or {})
            if str(k).startswith("method.response.header.")
        }
        if headers:
            item["headers"] = headers
        responses[code] = item
    operation["responses"] = responses
    security: list[dict[str, list[str]]] = []
    authorizer = authorizers.get(method.authorizer_id or "")
    if authorizer is not None and method.authorization_type in ("CUSTOM", "COGNITO_USER_POOLS"):
        security.append({authorizer.name: []})
    if method.api_key_required:
        security.append({"api_key": []})
    if security:
        operation["security"] = security
    if with_integrations and method.method_integration is not None:
        operation["x-amazon-apigateway-integration"] = _integration(method.method_integration)
    return operation


def _integration(integration: RestIntegration) -> dict[str, Any]:
    out: dict[str, Any] = {"type": integration.type.lower()}
    for key, value in (
        ("httpMethod", integration.http_method),
        ("uri", integration.uri),
        ("credentials", integration.credentials),
        ("requestParameters", integration.request_parameters),
        ("requestTemplates", integration.request_templates),
        ("passthroughBehavior", (integration.passthrough_behavior or "").lower() or None),
        ("contentHandling", integration.content_handling),
        ("timeoutInMillis", integration.timeout_in_millis),
    ):
        if value is not None:
            out[key] = value
    responses: dict[str, Any] = {}
    for code, response in integration.integration_responses.items():
        pattern = response.get("selection_pattern") or "default"
        item: dict[str, Any] = {"statusCode": str(code)}
        if response.get("response_parameters"):
            item["responseParameters"] = response["response_parameters"]
        if response.get("response_templates"):
            item["responseTemplates"] = response["response_templates"]
        responses[str(pattern)] = item
    if responses:
        out["responses"] = responses
    return out


def _scheme(authorizer: Any) -> dict[str, Any]:
    source = str(authorizer.identity_source or "")
    header = source.removeprefix("method.request.header.") if "," not in source else ""
    spec: dict[str, Any] = {"type": str(authorizer.type).lower()}
    for key, value in (
        ("authorizerUri", authorizer.authorizer_uri),
        ("authorizerCredentials", authorizer.authorizer_credentials),
        ("identitySource", authorizer.identity_source),
        ("identityValidationExpression", authorizer.identity_validation_expression),
        ("authorizerResultTtlInSeconds", authorizer.authorizer_result_ttl_in_seconds),
    ):
        if value is not None:
            spec[key] = value
    return {
        "type": "apiKey",
        "name": header or "Unused",
        "in": "header",
        "x-amazon-apigateway-authtype": "custom",
        "x-amazon-apigateway-authorizer": spec,
    }
