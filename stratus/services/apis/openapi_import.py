"""ImportRestApi and PutRestApi: an OpenAPI 2.0 (Swagger) or 3.x definition, JSON or YAML,
turned into a REST API the way API Gateway's importer reads it.

- ``info``: ``title`` is the name, ``description`` and ``version`` are kept.
- ``paths``: one resource per path segment, one method per operation
  (``x-amazon-apigateway-any-method`` is ``ANY``), its ``parameters`` as method request
  parameters, its ``responses`` as method responses (headers as
  ``method.response.header.*``), its ``x-amazon-apigateway-integration`` as the
  integration and integration responses (keyed by selection pattern, ``default``).
- ``securityDefinitions`` (2.0) / ``components.securitySchemes`` (3.x): a scheme with
  ``x-amazon-apigateway-authorizer`` is an authorizer, an ``apiKey`` scheme named
  ``x-api-key`` makes ``apiKeyRequired``; an operation's (or the document's) ``security``
  names them. ``x-amazon-apigateway-authtype: awsSigv4`` is ``AWS_IAM``.
- ``x-amazon-apigateway-gateway-responses``, ``x-amazon-apigateway-binary-media-types``,
  ``x-amazon-apigateway-api-key-source``, ``x-amazon-apigateway-policy`` (the resource
  policy, ``execute-api:/*`` expanded to the API's ARN; a definition without one keeps
  the API's, in either mode).
- ``definitions`` (2.0) / ``components.schemas`` (3.x) as models,
  ``x-amazon-apigateway-request-validators`` as request validators, and per operation its
  validator and its body's models (``openapi_requests.py``).

``overwrite`` replaces the API's resources, authorizers, models, request validators and
gateway responses with the
definition's (its binary media types are merged, as AWS does for APIs made since 2021);
``merge`` adds the definition's to what is there (an operation already
present is replaced). The import runs on a scratch copy of the API: a definition that
fails part way leaves the stored API as it was.
"""

from __future__ import annotations

import time
from typing import Any

import orjson
import yaml

from stratus.services.apis.errors import BadRequest
from stratus.services.apis.gateway_responses import GatewayResponse, check_gateway_response
from stratus.services.apis.ids import new_id
from stratus.services.apis.openapi_requests import import_models_and_validators, method_request
from stratus.services.apis.rest_apis import KIND, RestApis
from stratus.services.apis.rest_model import Resource, RestApi
from stratus.services.apis.rest_policy import stored_policy
from stratus.services.apis.rest_validation import default_models

__all__ = ["import_into", "import_new", "parse_definition"]

_VERBS = ("get", "put", "post", "delete", "options", "head", "patch")
_ANY = "x-amazon-apigateway-any-method"
MAX_DEFINITION_BYTES = 6 * 1024 * 1024
MAX_NESTING = 200


def parse_definition(body: bytes) -> dict[str, Any]:
    """The document in ``body`` (JSON, else YAML); BadRequest as AWS words it. CPU work
    on up to 6 MB: callers run it off the event loop."""
    if len(body) > MAX_DEFINITION_BYTES:
        raise BadRequest("Request body is too large")
    text = body.decode("utf-8", "replace").strip()
    if not text:
        raise BadRequest("Invalid OpenAPI input.")
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError:
        if _flow_depth(text) > MAX_NESTING:
            raise BadRequest("Invalid OpenAPI input.") from None
        try:
            document = yaml.safe_load(text)
        except (yaml.YAMLError, RecursionError) as exc:  # RecursionError: nested too deep
            raise BadRequest("Invalid OpenAPI input.") from exc
    if not isinstance(document, dict) or not ("swagger" in document or "openapi" in document):
        raise BadRequest("Invalid OpenAPI input.")
    if not isinstance(document.get("paths", {}), dict):
        raise BadRequest("Invalid OpenAPI input.")
    return document


def _flow_depth(text: str) -> int:
    """How deep ``[``/``{`` nest (quotes not heeded: an upper bound), so that a YAML
    document nested thousands deep is refused before the YAML parser recurses into it."""
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth = max(0, depth - 1)
    return deepest


class _ScratchStore:
    """The store of the scratch copy an import works on: it holds one API and keeps no
    writes (the real API is stored once, after the import succeeded)."""

    def __init__(self, api: RestApi) -> None:
        self._data = api.to_json()

    async def load(self, kind: str) -> list[dict[str, Any]]:
        return [self._data] if kind == KIND else []

    async def put(self, kind: str, key: str, record: dict[str, Any]) -> None:
        return None

    async def delete(self, kind: str, key: str) -> None:
        return None


async def import_new(
    apis: RestApis, account: str, region: str, document: dict[str, Any]
) -> RestApi:
    """ImportRestApi: a new API made from the definition (stored only if it imports)."""
    title = (document.get("info") or {}).get("title")
    if not title:
        raise BadRequest("Invalid OpenAPI input: info.title is required")
    root = new_id(10)
    draft = RestApi(new_id(), account, region, str(title), time.time(), root)
    draft.resources[root] = Resource(root, None, None, "/")
    draft.models = default_models()
    built = await _build(draft, document, "overwrite")
    api = await apis.create(account, region, {"name": built.name}, api_id=draft.id)
    api.root_resource_id = built.root_resource_id
    _adopt(api, built)
    await apis.changed(api)
    return api


async def import_into(apis: RestApis, api: RestApi, document: dict[str, Any], mode: str) -> RestApi:
    """PutRestApi: the definition merged into, or overwriting, an existing API."""
    _adopt(api, await _build(api, document, mode))
    await apis.changed(api)
    return api


def _adopt(api: RestApi, built: RestApi) -> None:
    for name in (
        "name",
        "description",
        "version",
        "binary_media_types",
        "api_key_source",
        "resources",
        "authorizers",
        "models",
        "request_validators",
        "gateway_responses",
        "policy",
    ):
        setattr(api, name, getattr(built, name))


async def _build(api: RestApi, document: dict[str, Any], mode: str) -> RestApi:
    """The API as the definition makes it, on a scratch copy."""
    if mode not in ("merge", "overwrite"):
        raise BadRequest(f"Invalid mode specified: {mode}. Valid values are: [merge, overwrite]")
    scratch_apis = RestApis(_ScratchStore(api))  # type: ignore[arg-type]
    await scratch_apis.load()
    scratch = scratch_apis.get(api.account, api.id)
    info = document.get("info") or {}
    if mode == "overwrite":
        root = scratch.resources[scratch.root_resource_id]
        root.methods.clear()
        scratch.resources = {root.id: root}
        scratch.authorizers.clear()
        scratch.gateway_responses.clear()
        scratch.models = default_models()
        scratch.request_validators.clear()
    if info.get("title"):
        scratch.name = str(info["title"])
    if info.get("description"):
        scratch.description = str(info["description"])
    if info.get("version") is not None:
        scratch.version = str(info["version"])
    binary = document.get("x-amazon-apigateway-binary-media-types")
    if isinstance(binary, list):
        merged = scratch.binary_media_types + [str(b) for b in binary]
        scratch.binary_media_types = list(dict.fromkeys(merged))
    source = document.get("x-amazon-apigateway-api-key-source")
    if source in ("HEADER", "AUTHORIZER"):
        scratch.api_key_source = str(source)
    if "x-amazon-apigateway-policy" in document:
        scratch.policy = stored_policy(
            document["x-amazon-apigateway-policy"], scratch.id, scratch.account, scratch.region
        )
    schemes = _security_schemes(document)
    authorizer_ids = await _authorizers(scratch_apis, scratch, schemes)
    validators = await import_models_and_validators(scratch_apis, scratch, document)
    await _paths(scratch_apis, scratch, document, schemes, authorizer_ids, validators)
    for kind, spec in (document.get("x-amazon-apigateway-gateway-responses") or {}).items():
        spec = spec if isinstance(spec, dict) else {}
        response = GatewayResponse(
            str(kind),
            str(spec["statusCode"]) if spec.get("statusCode") is not None else None,
            {str(k): str(v) for k, v in (spec.get("responseParameters") or {}).items()},
            {str(k): str(v) for k, v in (spec.get("responseTemplates") or {}).items()},
        )
        check_gateway_response(response)
        scratch.gateway_responses[response.response_type] = response
    return scratch


def _security_schemes(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = document.get("securityDefinitions")
    if not isinstance(found, dict):
        found = (document.get("components") or {}).get("securitySchemes")
    return {str(k): v for k, v in (found or {}).items() if isinstance(v, dict)}


async def _authorizers(
    apis: RestApis, api: RestApi, schemes: dict[str, dict[str, Any]]
) -> dict[str, str]:
    """Each scheme with ``x-amazon-apigateway-authorizer`` made (or found, by name): its id."""
    ids: dict[str, str] = {}
    by_name = {a.name: a.id for a in api.authorizers.values()}
    for name, scheme in schemes.items():
        spec = scheme.get("x-amazon-apigateway-authorizer")
        if not isinstance(spec, dict):
            continue
        if name in by_name:
            ids[name] = by_name[name]
            continue
        kind = str(spec.get("type", "token")).upper()
        if kind == "COGNITO_USER_POOLS":
            continue  # not served by Stratus: its methods stay open (docs/gateway.md)
        identity = spec.get("identitySource")
        if kind == "TOKEN" and not identity and scheme.get("in") == "header":
            identity = f"method.request.header.{scheme.get('name', 'Authorization')}"
        values: dict[str, Any] = {
            "name": name,
            "type": kind,
            "authorizer_uri": spec.get("authorizerUri"),
            "identity_source": identity,
            "identity_validation_expression": spec.get("identityValidationExpression"),
            "authorizer_credentials": spec.get("authorizerCredentials"),
            "provider_arns": spec.get("providerARNs"),
        }
        if spec.get("authorizerResultTtlInSeconds") is not None:
            values["authorizer_result_ttl_in_seconds"] = int(spec["authorizerResultTtlInSeconds"])
        authorizer = await apis.create_authorizer(
            api, {k: v for k, v in values.items() if v is not None}
        )
        ids[name] = authorizer.id
    return ids


def _resource_for(api: RestApi, path: str) -> Resource | None:
    for resource in api.resources.values():
        if resource.path == path:
            return resource
    return None


async def _ensure_resource(apis: RestApis, api: RestApi, path: str) -> Resource:
    current = api.resources[api.root_resource_id]
    walked = ""
    for part in [p for p in path.split("/") if p]:
        walked += "/" + part
        found = _resource_for(api, walked)
        current = found or await apis.create_resource(api, current.id, part)
    return current


async def _paths(
    apis: RestApis,
    api: RestApi,
    document: dict[str, Any],
    schemes: dict[str, dict[str, Any]],
    authorizer_ids: dict[str, str],
    validators: dict[str, str],
) -> None:
    top_security = document.get("security")
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            raise BadRequest(f"Invalid OpenAPI input: path {path} is not an object")
        resource = await _ensure_resource(apis, api, str(path))
        shared = item.get("parameters") or []
        for key, operation in item.items():
            verb = "ANY" if key.lower() == _ANY else key.upper()
            if key.lower() not in _VERBS and key.lower() != _ANY:
                continue
            if not isinstance(operation, dict):
                raise BadRequest(f"Invalid OpenAPI input: {key} {path} is not an object")
            requests = await method_request(
                apis, api, document, str(path), verb, operation, validators
            )
            await _operation(
                apis,
                api,
                resource,
                verb,
                operation,
                [*shared, *(operation.get("parameters") or [])],
                operation.get("security", top_security),
                schemes,
                authorizer_ids,
                requests,
            )


async def _operation(
    apis: RestApis,
    api: RestApi,
    resource: Resource,
    verb: str,
    operation: dict[str, Any],
    parameters: list[Any],
    security: Any,
    schemes: dict[str, dict[str, Any]],
    authorizer_ids: dict[str, str],
    requests: dict[str, Any],
) -> None:
    method: dict[str, Any] = {"authorization_type": "NONE", **requests}
    for requirement in security or []:
        for name in requirement if isinstance(requirement, dict) else ():
            scheme = schemes.get(name) or {}
            if name in authorizer_ids:
                method["authorization_type"] = "CUSTOM"
                method["authorizer_id"] = authorizer_ids[name]
            elif scheme.get("x-amazon-apigateway-authtype") == "awsSigv4":
                method["authorization_type"] = "AWS_IAM"
            elif scheme.get("type") == "apiKey" and str(scheme.get("name", "")).lower() == (
                "x-api-key"
            ):
                method["api_key_required"] = True
    if operation.get("operationId"):
        method["operation_name"] = str(operation["operationId"])
    request_parameters: dict[str, bool] = {}
    for parameter in parameters:
        if not isinstance(parameter, dict):
            continue
        place = {"query": "querystring", "header": "header", "path": "path"}.get(
            str(parameter.get("in"))
        )
        if place and parameter.get("name"):
            key = f"method.request.{place}.{parameter['name']}"
            request_parameters[key] = bool(parameter.get("required", place == "path"))
    if request_parameters:
        method["request_parameters"] = request_parameters
    await apis.put_method(api, resource.id, verb, method)
    for code, response in (operation.get("responses") or {}).items():
        if not str(code).isdigit():
            continue
        headers = (response or {}).get("headers") or {}
        values: dict[str, Any] = {}
        if headers:
            values["response_parameters"] = {f"method.response.header.{h}": False for h in headers}
        await apis.put_method_response(api, resource.id, verb, str(code), values)
    integration = operation.get("x-amazon-apigateway-integration")
    if not isinstance(integration, dict):
        return
    values = {
        "type": str(integration.get("type", "aws_proxy")).upper(),
        "uri": integration.get("uri"),
        "integration_http_method": str(integration["httpMethod"]).upper()
        if integration.get("httpMethod")
        else None,
        "credentials": integration.get("credentials"),
        "request_parameters": integration.get("requestParameters"),
        "request_templates": integration.get("requestTemplates"),
        "passthrough_behavior": integration.get("passthroughBehavior"),
        "content_handling": integration.get("contentHandling"),
        "connection_type": integration.get("connectionType"),
        "cache_key_parameters": integration.get("cacheKeyParameters"),
        "timeout_in_millis": int(integration["timeoutInMillis"])
        if integration.get("timeoutInMillis") is not None
        else None,
    }
    await apis.put_integration(
        api, resource.id, verb, {k: v for k, v in values.items() if v is not None}
    )
    method_record = apis.method(api, resource.id, verb)
    for pattern, spec in (integration.get("responses") or {}).items():
        spec = spec if isinstance(spec, dict) else {}
        code = str(spec.get("statusCode", "200"))
        if code not in method_record.method_responses:
            await apis.put_method_response(api, resource.id, verb, code, {})
        selected: dict[str, Any] = {
            "response_parameters": spec.get("responseParameters"),
            "response_templates": spec.get("responseTemplates"),
            "content_handling": spec.get("contentHandling"),
        }
        if pattern != "default":
            selected["selection_pattern"] = str(pattern)
        await apis.put_integration_response(
            api, resource.id, verb, code, {k: v for k, v in selected.items() if v is not None}
        )
