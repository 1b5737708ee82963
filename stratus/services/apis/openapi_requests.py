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

from stratus.services.apis.rest_apis import RestApis
from stratus.services.apis.rest_model import RestApi
from stratus.services.apis.rest_validation import model_url

_SCHEMA_REF = re.compile(r"^#/(?:definitions|components/schemas)/(?P<name>[^/]+)$")
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
                out[key] = model_url(api_id, model_name(found["name"]))
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
    apis: RestApis, api: RestApi, body: dict[str, Any]
) -> dict[str, str]:
    """Create the definition's models and request validators; answers the validators'
    ids by their names in the definition."""
    for name, schema in _schemas(body).items():
        await _put_model(apis, api, model_name(str(name)), schema)
    ids: dict[str, str] = {}
    by_name = {v.name: v.id for v in api.request_validators.values()}
    validators = body.get(VALIDATORS)
    for name, settings in (validators if isinstance(validators, dict) else {}).items():
        settings = settings if isinstance(settings, dict) else {}
        if str(name) in by_name:  # merged into an API that has it: the definition's wins
            api.request_validators.pop(by_name[str(name)])
        made = await apis.create_request_validator(
            api,
            {
                "name": str(name),
                "validate_request_body": bool(settings.get("validateRequestBody")),
                "validate_request_parameters": bool(settings.get("validateRequestParameters")),
            },
        )
        ids[str(name)] = made.id
    return ids


async def _put_model(apis: RestApis, api: RestApi, name: str, schema: Any) -> None:
    text = orjson.dumps(_canonical(api.id, schema)).decode()
    if name in api.models:  # "Empty" and "Error" come with every API: the definition's win
        await apis.update_model(api, name, [{"op": "replace", "path": "/schema", "value": text}])
        return
    await apis.create_model(api, {"name": name, "content_type": "application/json", "schema": text})


async def method_request(
    apis: RestApis,
    api: RestApi,
    body: dict[str, Any],
    path: str,
    verb: str,
    operation: dict[str, Any],
    validators: dict[str, str],
) -> dict[str, Any]:
    """PutMethod's ``request_validator_id`` and ``request_models`` for one operation (only
    those it has; its parameters are the importer's own)."""
    values: dict[str, Any] = {}
    chosen = operation.get(VALIDATOR, body.get(VALIDATOR))
    if isinstance(chosen, str) and chosen in validators:
        values["request_validator_id"] = validators[chosen]
    item = (body.get("paths") or {}).get(path) or {}
    declared = [*(item.get("parameters") or []), *(operation.get("parameters") or [])]
    body_schema: Any = None
    for parameter in (_resolve(body, p) for p in declared):
        if isinstance(parameter, dict) and parameter.get("in") == "body":
            body_schema = parameter.get("schema")
    inline = f"{model_name(verb.title() + path.title())}Request"
    models: dict[str, str] = {}
    if body_schema is not None:  # OpenAPI 2
        types = operation.get("consumes") or body.get("consumes") or ["application/json"]
        name = await _body_model(apis, api, body_schema, inline)
        models = {str(t): name for t in types}
    request_body = _resolve(body, operation.get("requestBody"))
    if isinstance(request_body, dict):  # OpenAPI 3
        for content_type, media in (request_body.get("content") or {}).items():
            schema = (media or {}).get("schema")
            if schema is not None:
                suffix = model_name(str(content_type).title())
                models[str(content_type)] = await _body_model(apis, api, schema, inline + suffix)
    if models:
        values["request_models"] = models
    return values


async def _body_model(apis: RestApis, api: RestApi, schema: Any, inline: str) -> str:
    """The model a body schema names, or a new one made of an inline schema."""
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        found = _SCHEMA_REF.match(schema["$ref"])
        if found:
            return model_name(found["name"])
    await _put_model(apis, api, inline, schema)
    return inline
