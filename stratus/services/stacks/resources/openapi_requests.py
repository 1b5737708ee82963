"""The request side of an OpenAPI definition, imported as API Gateway's import does:
schemas as models, ``x-amazon-apigateway-request-validators`` as request validators, and
per operation the validator (``x-amazon-apigateway-request-validator``, the operation's
or the API's), the body's model per content type and the required parameters.

- OpenAPI 2 (``swagger: "2.0"``): ``definitions`` are the models; an operation's ``in:
  body`` parameter names its schema, for each type it ``consumes`` (the API's ``consumes``
  when it says none, else ``application/json``).
- OpenAPI 3: ``components.schemas`` are the models; ``requestBody.content`` names a schema
  per content type.

A reference to a schema (``#/definitions/Pet``, ``#/components/schemas/Pet``) becomes the
model's canonical address, as models refer to each other in API Gateway; an inline body
schema becomes a model of its own. Model names keep only their letters and digits (API
Gateway's models are alphanumeric).
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from stratus.services.stacks.resources.base import Provisioning

MODEL_URL = "https://apigateway.amazonaws.com/restapis/{api_id}/models/{name}"
_SCHEMA_REF = re.compile(r"^#/(?:definitions|components/schemas)/(?P<name>[^/]+)$")
_LOCATIONS = {"query": "querystring", "header": "header", "path": "path"}
VALIDATORS = "x-amazon-apigateway-request-validators"
VALIDATOR = "x-amazon-apigateway-request-validator"


def model_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", name)


def _schemas(body: dict[str, Any]) -> dict[str, Any]:
    if "definitions" in body and isinstance(body["definitions"], dict):
        return dict(body["definitions"])
    components = body.get("components") or {}
    schemas = components.get("schemas") if isinstance(components, dict) else None
    return dict(schemas) if isinstance(schemas, dict) else {}


def _canonical(api_id: str, node: Any) -> Any:
    """The schema with references to the definition's schemas as model addresses."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            found = _SCHEMA_REF.match(value) if key == "$ref" and isinstance(value, str) else None
            if found:
                out[key] = MODEL_URL.format(api_id=api_id, name=model_name(found["name"]))
            else:
                out[key] = _canonical(api_id, value)
        return out
    if isinstance(node, list):
        return [_canonical(api_id, item) for item in node]
    return node


def _resolve(body: dict[str, Any], node: Any) -> Any:
    """A ``$ref`` to another part of the definition (a shared parameter or request
    body), followed within the document only."""
    for _ in range(16):  # a chain of references, not a loop
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            return node
        reference = node["$ref"]
        if not reference.startswith("#/"):
            return node
        target: Any = body
        for part in reference[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, dict) else None
        if target is None:
            return None
        node = target
    return node


async def import_models_and_validators(
    ctx: Provisioning, api_id: str, body: dict[str, Any]
) -> dict[str, str]:
    """Create the definition's models and request validators; answers the validators'
    ids by their names in the definition."""
    schemas = _schemas(body)
    if schemas:
        existing = await ctx.call("apigateway", "GetModels", {"restApiId": api_id})
        have = {m["name"] for m in existing.get("items", [])}
        for name, schema in schemas.items():
            await _put_model(ctx, api_id, model_name(str(name)), schema, have)
    ids: dict[str, str] = {}
    validators = body.get(VALIDATORS)
    for name, settings in (validators if isinstance(validators, dict) else {}).items():
        settings = settings if isinstance(settings, dict) else {}
        made = await ctx.call(
            "apigateway",
            "CreateRequestValidator",
            {
                "restApiId": api_id,
                "name": str(name),
                "validateRequestBody": bool(settings.get("validateRequestBody")),
                "validateRequestParameters": bool(settings.get("validateRequestParameters")),
            },
        )
        ids[str(name)] = made["id"]
    return ids


async def _put_model(
    ctx: Provisioning, api_id: str, name: str, schema: Any, have: set[str]
) -> None:
    text = orjson.dumps(_canonical(api_id, schema)).decode()
    if name in have:  # "Empty" and "Error" come with every API: the definition's win
        await ctx.call(
            "apigateway",
            "UpdateModel",
            {
                "restApiId": api_id,
                "modelName": name,
                "patchOperations": [{"op": "replace", "path": "/schema", "value": text}],
            },
        )
        return
    await ctx.call(
        "apigateway",
        "CreateModel",
        {"restApiId": api_id, "name": name, "contentType": "application/json", "schema": text},
    )
    have.add(name)


async def method_request(
    ctx: Provisioning,
    api_id: str,
    body: dict[str, Any],
    path: str,
    verb: str,
    operation: dict[str, Any],
    validators: dict[str, str],
) -> dict[str, Any]:
    """PutMethod's ``requestValidatorId``, ``requestModels`` and ``requestParameters`` for
    one operation (only those it has)."""
    params: dict[str, Any] = {}
    chosen = operation.get(VALIDATOR, body.get(VALIDATOR))
    if isinstance(chosen, str) and chosen in validators:
        params["requestValidatorId"] = validators[chosen]
    item = (body.get("paths") or {}).get(path) or {}
    declared = [*(item.get("parameters") or []), *(operation.get("parameters") or [])]
    required: dict[str, bool] = {}
    body_schema: Any = None
    for parameter in (_resolve(body, p) for p in declared):
        if not isinstance(parameter, dict):
            continue
        where = parameter.get("in")
        if where == "body":
            body_schema = parameter.get("schema")
        elif where in _LOCATIONS and parameter.get("name"):
            key = f"method.request.{_LOCATIONS[where]}.{parameter['name']}"
            required[key] = bool(parameter.get("required")) or where == "path"
    if required:
        params["requestParameters"] = required
    inline = f"{model_name(verb.title() + path.title())}Request"
    models: dict[str, str] = {}
    if body_schema is not None:  # OpenAPI 2
        types = operation.get("consumes") or body.get("consumes") or ["application/json"]
        name = await _body_model(ctx, api_id, body_schema, inline)
        models = {str(t): name for t in types}
    request_body = _resolve(body, operation.get("requestBody"))
    if isinstance(request_body, dict):  # OpenAPI 3
        for content_type, media in (request_body.get("content") or {}).items():
            schema = (media or {}).get("schema")
            if schema is not None:
                suffix = model_name(str(content_type).title())
                name = await _body_model(ctx, api_id, schema, inline + suffix)
                models[str(content_type)] = name
    if models:
        params["requestModels"] = models
    return params


async def _body_model(ctx: Provisioning, api_id: str, schema: Any, inline: str) -> str:
    """The model a body schema names, or a new one made of an inline schema."""
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        found = _SCHEMA_REF.match(schema["$ref"])
        if found:
            return model_name(found["name"])
    await _put_model(ctx, api_id, inline, schema, set())
    return inline
