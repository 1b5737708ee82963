"""ImportApi and ReimportApi: an OpenAPI 3.0 (or 2.0) definition, JSON or YAML, made into
an HTTP API the way API Gateway reads one ("Working with OpenAPI definitions for HTTP
APIs").

- ``info``: ``title`` is the name, ``description`` and ``version`` are kept.
- ``paths``: one route per operation, ``METHOD /path``; ``x-amazon-apigateway-any-method``
  is ``ANY`` and the path ``/$default`` with it is the ``$default`` route. An operation's
  ``x-amazon-apigateway-integration`` (inline, or a ``$ref`` to
  ``components.x-amazon-apigateway-integrations``) is its integration.
- ``components.securitySchemes`` with ``x-amazon-apigateway-authorizer`` (``jwt`` or
  ``request``) are authorizers; an operation's (else the document's) ``security`` names
  them, with JWT scopes; a scheme with ``x-amazon-apigateway-authtype: awsSigv4`` is
  ``AWS_IAM``.
- ``x-amazon-apigateway-cors`` is the CORS configuration; the root ``tags`` are the API's
  tags (``x-amazon-apigateway-tag-value``, else an empty value); a reimport adds them to
  the API's own.
- ``Basepath``: ``ignore`` (the default) drops the servers' base path, ``prepend`` puts it
  before every route's path, ``split`` keeps all of it but its first part.

What API Gateway would import with a warning (an unknown security scheme, an extension
HTTP APIs do not have, a route key it refuses to read) is left out and reported in
``Warnings``; with ``FailOnWarnings`` the import fails instead. A definition is built on a
scratch copy, checked by the same rules as CreateRoute and CreateIntegration, and only
then stored: an import that fails leaves nothing (and a reimport leaves the API as it was).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import urlparse

from stratus.services.apis.errors import ApiError, BadRequest
from stratus.services.apis.http_apis import HttpApis, check_route_key, check_tags
from stratus.services.apis.model import HttpApi

__all__ = ["BASEPATH_MODES", "ImportResult", "cors_of", "import_api", "reimport_api"]

BASEPATH_MODES = ("ignore", "prepend", "split")
YIELD_EVERY = 100  # routes built between two turns of the event loop
_VERBS = ("get", "put", "post", "delete", "options", "head", "patch")
_ANY = "x-amazon-apigateway-any-method"
# extensions of REST APIs that HTTP APIs do not read: imported with a warning
_REST_ONLY = (
    "x-amazon-apigateway-request-validators",
    "x-amazon-apigateway-gateway-responses",
    "x-amazon-apigateway-binary-media-types",
    "x-amazon-apigateway-api-key-source",
    "x-amazon-apigateway-minimum-compression-size",
    "x-amazon-apigateway-policy",
    "x-amazon-apigateway-documentation",
)
_CORS_NAMES = {
    "allowOrigins": "AllowOrigins",
    "allowMethods": "AllowMethods",
    "allowHeaders": "AllowHeaders",
    "exposeHeaders": "ExposeHeaders",
    "maxAge": "MaxAge",
    "allowCredentials": "AllowCredentials",
}
_INTEGRATION_NAMES = {
    "uri": "integration_uri",
    "httpMethod": "integration_method",
    "integrationSubtype": "integration_subtype",
    "credentials": "credentials_arn",
    "requestParameters": "request_parameters",
    "responseParameters": "response_parameters",
    "timeoutInMillis": "timeout_in_millis",
    "connectionType": "connection_type",
    "connectionId": "connection_id",
    "description": "description",
}


class ImportResult:
    """The stored API and the warnings the import gave."""

    __slots__ = ("api", "warnings")

    def __init__(self, api: HttpApi, warnings: list[str]) -> None:
        self.api = api
        self.warnings = warnings


class _Scratch(HttpApis):
    """An ``HttpApis`` over one draft API whose changes are not stored (nor deployed):
    the import uses its checks, and the real API is written once, at the end."""

    async def _changed(self, api: HttpApi) -> None:
        return None


def cors_of(document: dict[str, Any]) -> dict[str, Any] | None:
    """``x-amazon-apigateway-cors`` as a CorsConfiguration."""
    cors = document.get("x-amazon-apigateway-cors")
    if not isinstance(cors, dict):
        return None
    out: dict[str, Any] = {}
    for key, value in cors.items():
        name = _CORS_NAMES.get(key)
        where = f"x-amazon-apigateway-cors.{key}"
        if name == "MaxAge":
            if isinstance(value, bool) or not isinstance(value, int):
                raise BadRequest(f"Invalid OpenAPI input: {where} must be an integer")
            out[name] = value
        elif name == "AllowCredentials":
            out[name] = bool(value)
        elif name is not None:
            out[name] = _texts(value, where)
    return out


async def import_api(
    apis: HttpApis,
    account: str,
    region: str,
    document: dict[str, Any],
    basepath: str | None,
    fail_on_warnings: bool,
) -> ImportResult:
    """ImportApi: a new HTTP API made from the definition."""
    title = (document.get("info") or {}).get("title")
    if not title:
        raise BadRequest("Invalid OpenAPI input: info.title is required")
    draft = HttpApi("draft", account, region, _text(title, "info.title"), "HTTP", time.time())
    warnings = await _build(apis, draft, document, basepath)
    _fail(warnings, fail_on_warnings)
    return ImportResult(await apis.insert(draft), warnings)


async def reimport_api(
    apis: HttpApis,
    api: HttpApi,
    document: dict[str, Any],
    basepath: str | None,
    fail_on_warnings: bool,
) -> ImportResult:
    """ReimportApi: the definition replaces the API's routes, integrations, authorizers
    and CORS; its stages stay (auto-deploying ones deploy the new definition)."""
    if api.protocol_type != "HTTP":
        raise BadRequest("Reimport is supported only for HTTP APIs.")
    draft = HttpApi(api.api_id, api.account, api.region, api.name, "HTTP", api.created_date)
    draft.description, draft.version = api.description, api.version
    draft.tags = dict(api.tags)
    warnings = await _build(apis, draft, document, basepath)
    _fail(warnings, fail_on_warnings)
    _adopt(api, draft)
    await apis.save(api)
    return ImportResult(api, warnings)


def _text(value: Any, where: str) -> str:
    """A value the definition must give as text (a number is taken as its text). Anything
    else is refused before it is stored: a YAML alias can make a small document's list
    expand to gigabytes once written out."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise BadRequest(f"Invalid OpenAPI input: {where} must be a string")
    return str(value)


def _object(value: Any) -> dict[str, Any]:
    """A part of the definition that should be an object (anything else reads as empty)."""
    return value if isinstance(value, dict) else {}


def _texts(value: Any, where: str) -> list[str]:
    if not isinstance(value, list):
        raise BadRequest(f"Invalid OpenAPI input: {where} must be a list of strings")
    return [_text(item, where) for item in value]


def _text_map(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise BadRequest(f"Invalid OpenAPI input: {where} must be a map of strings")
    return {str(k): _text(v, where) for k, v in value.items()}


def _fail(warnings: list[str], fail_on_warnings: bool) -> None:
    if warnings and fail_on_warnings:
        raise BadRequest("Warnings found during import:\n\t" + "\n\t".join(warnings[:50]))


def _adopt(api: HttpApi, draft: HttpApi) -> None:
    for name in (
        "name",
        "description",
        "version",
        "cors_configuration",
        "tags",
        "routes",
        "integrations",
        "authorizers",
    ):
        setattr(api, name, getattr(draft, name))


async def _build(
    apis: HttpApis, draft: HttpApi, document: dict[str, Any], basepath: str | None
) -> list[str]:
    """Fill ``draft`` from the definition (private integrations checked against the VPC
    links ``apis`` knows); the warnings."""
    mode = basepath or "ignore"
    if mode not in BASEPATH_MODES:
        raise BadRequest(
            f"Invalid basepath specified: {mode[:64]}. Valid values are: [ignore, prepend, split]"
        )
    scratch = _Scratch(None, apis.vpc_link_exists)  # type: ignore[arg-type]  # never stores
    scratch._apis[draft.api_id] = draft
    warnings: list[str] = []
    info = document.get("info") or {}
    if not isinstance(info, dict):
        raise BadRequest("Invalid OpenAPI input: info must be an object")
    if info.get("title"):
        draft.name = _text(info["title"], "info.title")
    if info.get("description") is not None:
        draft.description = _text(info["description"], "info.description")
    if info.get("version") is not None:
        draft.version = _text(info["version"], "info.version")
    draft.cors_configuration = cors_of(document)
    draft.tags = {**draft.tags, **_tags(document)}
    for name in _REST_ONLY:
        if name in document:
            warnings.append(f"Parse issue: attribute {name} is not supported for HTTP APIs")
    schemes = _security_schemes(document)
    authorizers = await _authorizers(scratch, draft, schemes, warnings)
    prefix = _prefix(document, mode)
    default_security = document.get("security")
    reusable = _object(_object(document.get("components")).get("x-amazon-apigateway-integrations"))
    seen: set[str] = set()
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method, operation in item.items():
            verb = "ANY" if method == _ANY else method.upper()
            if method.lower() not in _VERBS and method != _ANY:
                continue
            if not isinstance(operation, dict):
                continue
            path_text = str(path)
            if path_text in ("/$default", "$default") and verb == "ANY":  # SAM: no slash
                key = "$default"
            else:
                full = (prefix + path_text) if path_text != "/" or not prefix else prefix
                key = f"{verb} {full}"
            try:
                check_route_key(key)
            except BadRequest:
                warnings.append(f"Unable to create route for path {path_text} ({method})")
                continue
            if key in seen:
                warnings.append(f"Duplicate route {key} left out")
                continue
            seen.add(key)
            if len(seen) % YIELD_EVERY == 0:
                await asyncio.sleep(0)  # thousands of paths: let other requests run
            await _route(
                scratch,
                draft,
                key,
                operation,
                reusable,
                schemes,
                authorizers,
                default_security,
                warnings,
            )
    return warnings


def _tags(document: dict[str, Any]) -> dict[str, str]:
    """The root ``tags`` as AWS tags: each tag's name, its
    ``x-amazon-apigateway-tag-value`` or an empty value ("x-amazon-apigateway-tag-value")."""
    found: dict[str, str] = {}
    tags = document.get("tags")
    for tag in tags if isinstance(tags, list) else []:
        if isinstance(tag, dict) and tag.get("name") is not None:
            value = tag.get("x-amazon-apigateway-tag-value", "")
            found[_text(tag["name"], "tags.name")] = _text(value, "x-amazon-apigateway-tag-value")
    check_tags(found)
    return found


def _prefix(document: dict[str, Any], mode: str) -> str:
    """The base path that ``prepend``/``split`` put before each route's path."""
    if mode == "ignore":
        return ""
    base = document.get("basePath")
    if base is not None:
        base = _text(base, "basePath")
    else:
        servers = document.get("servers") or []
        first = servers[0] if isinstance(servers, list) and servers else None
        url = first.get("url") if isinstance(first, dict) else None
        base = urlparse(_text(url, "servers.url")).path if url else ""
        variables = first.get("variables") if isinstance(first, dict) else None
        for name, spec in (variables if isinstance(variables, dict) else {}).items():
            if isinstance(spec, dict):
                default = _text(spec.get("default", ""), "servers.variables.default")
                base = base.replace("{" + str(name) + "}", default)
    parts = [p for p in base.split("/") if p]
    if mode == "split":
        parts = parts[1:]
    return "/" + "/".join(parts) if parts else ""


def _security_schemes(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = _object(document.get("components")).get("securitySchemes")
    if not isinstance(found, dict):
        found = document.get("securityDefinitions")
    if not isinstance(found, dict):
        return {}
    return {str(k): v for k, v in found.items() if isinstance(v, dict)}


def _identity(value: Any) -> list[str]:
    if isinstance(value, list):
        return [v.strip() for v in _texts(value, "identitySource")]
    if isinstance(value, str) and value:
        return [part.strip() for part in value.split(",") if part.strip()]
    return []


async def _authorizers(
    scratch: _Scratch,
    draft: HttpApi,
    schemes: dict[str, dict[str, Any]],
    warnings: list[str],
) -> dict[str, str]:
    """Each scheme with ``x-amazon-apigateway-authorizer`` made: its id by scheme name."""
    ids: dict[str, str] = {}
    for name, scheme in schemes.items():
        spec = scheme.get("x-amazon-apigateway-authorizer")
        if not isinstance(spec, dict):
            continue
        kind = _text(spec.get("type", ""), "x-amazon-apigateway-authorizer.type").lower()
        fields: dict[str, Any] = {
            "name": name,
            "identity_source": _identity(spec.get("identitySource")),
        }
        if kind == "jwt":
            config = spec.get("jwtConfiguration") or {}
            if not isinstance(config, dict):
                raise BadRequest(f"Invalid OpenAPI input: jwtConfiguration of {name}")
            fields["authorizer_type"] = "JWT"
            jwt: dict[str, Any] = {}
            if config.get("issuer") is not None:
                jwt["Issuer"] = _text(config["issuer"], "jwtConfiguration.issuer")
            if config.get("audience") is not None:
                jwt["Audience"] = _texts(config["audience"], "jwtConfiguration.audience")
            fields["jwt_configuration"] = jwt
        elif kind == "request":
            for source, target in (
                ("authorizerUri", "authorizer_uri"),
                ("authorizerPayloadFormatVersion", "authorizer_payload_format_version"),
                ("authorizerCredentials", "authorizer_credentials_arn"),
            ):
                if spec.get(source) is not None:
                    fields[target] = _text(spec[source], source)
            ttl = spec.get("authorizerResultTtlInSeconds")
            if ttl is not None:
                if isinstance(ttl, bool) or not isinstance(ttl, int):
                    raise BadRequest(
                        "Invalid OpenAPI input: authorizerResultTtlInSeconds must be an integer"
                    )
                fields["authorizer_result_ttl_in_seconds"] = ttl
            fields["authorizer_type"] = "REQUEST"
            if spec.get("enableSimpleResponses") is not None:
                fields["enable_simple_responses"] = bool(spec["enableSimpleResponses"])
        else:
            warnings.append(f"Unsupported authorizer type {kind!r} in security scheme {name}")
            continue
        try:
            made = await scratch.create_authorizer(
                draft, {k: v for k, v in fields.items() if v is not None}
            )
        except ApiError as exc:
            raise BadRequest(f"Unable to create authorizer {name}: {exc.message}") from exc
        ids[name] = made.authorizer_id
    return ids


def _integration_spec(
    operation: dict[str, Any], reusable: dict[str, Any], warnings: list[str]
) -> dict[str, Any] | None:
    spec = operation.get("x-amazon-apigateway-integration")
    if isinstance(spec, dict) and "$ref" in spec:
        reference = _text(spec["$ref"], "$ref")
        marker = "#/components/x-amazon-apigateway-integrations/"
        name = reference[len(marker) :] if reference.startswith(marker) else None
        found = reusable.get(name) if name else None
        if not isinstance(found, dict):
            warnings.append(f"Unresolvable integration reference {reference[:256]}")
            return None
        return found
    return spec if isinstance(spec, dict) else None


async def _route(
    scratch: _Scratch,
    draft: HttpApi,
    key: str,
    operation: dict[str, Any],
    reusable: dict[str, Any],
    schemes: dict[str, dict[str, Any]],
    authorizers: dict[str, str],
    default_security: Any,
    warnings: list[str],
) -> None:
    route: dict[str, Any] = {"route_key": key}
    if operation.get("operationId") is not None:
        route["operation_name"] = _text(operation["operationId"], "operationId")
    spec = _integration_spec(operation, reusable, warnings)
    if spec is not None:
        fields: dict[str, Any] = {
            "integration_type": _text(spec.get("type", "aws_proxy"), "type").upper(),
        }
        if spec.get("payloadFormatVersion") is not None:
            fields["payload_format_version"] = _text(
                spec["payloadFormatVersion"], "payloadFormatVersion"
            )
        for source, target in _INTEGRATION_NAMES.items():
            value = spec.get(source)
            if value is None:
                continue
            if source == "requestParameters":
                fields[target] = _text_map(value, source)
            elif source == "responseParameters":
                if not isinstance(value, dict):
                    raise BadRequest(f"Invalid OpenAPI input: {source} must be a map")
                fields[target] = {str(k): _text_map(v, source) for k, v in value.items()}
            elif source == "timeoutInMillis":
                if isinstance(value, bool) or not isinstance(value, int):
                    raise BadRequest("Invalid OpenAPI input: timeoutInMillis must be an integer")
                fields[target] = value
            else:
                fields[target] = _text(value, source)
        if fields.get("integration_subtype"):
            fields.pop("integration_method", None)
        try:
            integration = await scratch.create_integration(draft, fields)
        except ApiError as exc:
            raise BadRequest(
                f"Unable to create integration for route {key}: {exc.message}"
            ) from exc
        route["target"] = f"integrations/{integration.integration_id}"
    security = operation.get("security", default_security)
    if isinstance(security, list):
        for requirement in security:
            if not isinstance(requirement, dict) or not requirement:
                continue
            name, scopes = next(iter(requirement.items()))
            scheme = schemes.get(str(name))
            if scheme is None:
                warnings.append(f"Unknown security scheme {str(name)[:128]} on route {key}")
                continue
            authtype = _text(scheme.get("x-amazon-apigateway-authtype", ""), "authtype")
            if authtype.lower() == "awssigv4":
                route["authorization_type"] = "AWS_IAM"
            elif str(name) in authorizers:
                authorizer_id = authorizers[str(name)]
                kind = draft.authorizers[authorizer_id].authorizer_type
                route["authorizer_id"] = authorizer_id
                route["authorization_type"] = "JWT" if kind == "JWT" else "CUSTOM"
                if kind == "JWT" and scopes:
                    route["authorization_scopes"] = _texts(scopes, "security scopes")
            break
    try:
        await scratch.create_route(draft, route)
    except ApiError as exc:
        raise BadRequest(f"Unable to create route {key}: {exc.message}") from exc
