"""Models of HTTP and WebSocket APIs (API Gateway v2): CreateModel ... GetModelTemplate.

A model is a JSON Schema draft 4 kept as the text the caller sent, checked the way the
REST API checks its own (``rest_validation.check_schema``: JSON, an object, accepted by
draft 4's meta-schema, every ``$ref`` local or a canonical reference to a model of the
same API). Routes name models in ``RequestModels``, route responses in
``ResponseModels``; a model in use cannot be deleted.

Mixed into ``HttpApis``, which stores the API after each change (``_changed``).
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from stratus.services.apis.errors import BadRequest, Conflict, NotFound
from stratus.services.apis.ids import new_child_id
from stratus.services.apis.model import ApiModel, HttpApi
from stratus.services.apis.rest_validation import check_schema

_NAME = re.compile(r"^[A-Za-z0-9]+$")
MAX_NAME = 128
MAX_TEMPLATE_DEPTH = 32  # of nested objects a generated template follows


def _check_name(name: str) -> None:
    if not name:
        raise BadRequest("Model name must be non-empty")
    if len(name) > MAX_NAME or not _NAME.match(name):
        raise BadRequest("Model name must be alphanumeric")


def _check_schema(api: HttpApi, schema: str | None) -> str:
    if not schema:
        raise BadRequest("Model schema must have at least 1 property or array items defined")
    check_schema(api.api_id, schema)
    return schema


class ModelsMixin:
    """The Model operations of ``HttpApis``."""

    async def _changed(self, api: HttpApi) -> None:
        raise NotImplementedError  # HttpApis stores the API

    def model(self, api: HttpApi, model_id: str) -> ApiModel:
        found = api.models.get(model_id)
        if found is None:
            raise NotFound(f"Invalid Model identifier specified {api.account}:{model_id}")
        return found

    async def create_model(self, api: HttpApi, fields: dict[str, Any]) -> ApiModel:
        name = fields.get("name") or ""
        _check_name(name)
        if any(m.name == name for m in api.models.values()):
            raise Conflict(f"Model name already exists for this API: {name}")
        schema = _check_schema(api, fields.get("schema"))
        model = ApiModel(
            model_id=new_child_id(),
            name=name,
            schema=schema,
            content_type=fields.get("content_type"),
            description=fields.get("description"),
        )
        api.models[model.model_id] = model
        await self._changed(api)
        return model

    async def update_model(self, api: HttpApi, model_id: str, fields: dict[str, Any]) -> ApiModel:
        model = self.model(api, model_id)
        name = fields.get("name")
        if name is not None and name != model.name:
            _check_name(name)
            if any(m.name == name for m in api.models.values()):
                raise Conflict(f"Model name already exists for this API: {name}")
            if _users(api, model.name):
                raise Conflict(f"Cannot rename model '{model.name}', it is referenced")
        schema = fields.get("schema")
        if schema is not None:
            _check_schema(api, schema)
        for field_name in ("name", "schema", "content_type", "description"):
            value = fields.get(field_name)
            if value is not None:
                setattr(model, field_name, value)
        await self._changed(api)
        return model

    async def delete_model(self, api: HttpApi, model_id: str) -> None:
        model = self.model(api, model_id)
        users = _users(api, model.name)
        if users:
            raise Conflict(f"Cannot delete model '{model.name}', is referenced in {users[0]}")
        del api.models[model_id]
        await self._changed(api)

    def model_template(self, api: HttpApi, model_id: str) -> str:
        """GetModelTemplate: a mapping template that copies the schema's fields from the
        input, as API Gateway generates one."""
        model = self.model(api, model_id)
        schema = orjson.loads(model.schema)
        lines = ["#set($inputRoot = $input.path('$'))"]
        lines.extend(_template(schema, "$inputRoot", 0))
        return "\n".join(lines)


def _users(api: HttpApi, name: str) -> list[str]:
    """What names model ``name``: routes' request models, route responses' models."""
    found = [
        f"route: {r.route_key}"
        for r in api.routes.values()
        if name in (r.request_models or {}).values()
    ]
    found.extend(
        f"route response: {r.route_response_id}"
        for r in api.route_responses.values()
        if name in (r.response_models or {}).values()
    )
    return found


def _template(schema: Any, path: str, depth: int) -> list[str]:
    """The template lines for ``schema`` reading values at ``path``."""
    kind = schema.get("type") if isinstance(schema, dict) else None
    if depth >= MAX_TEMPLATE_DEPTH:
        return [f'"{path}"']
    if kind == "object" or (isinstance(schema, dict) and "properties" in schema):
        properties = schema.get("properties") or {}
        if not isinstance(properties, dict) or not properties:
            return ["{", "}"]
        out = ["{"]
        names = list(properties)
        for index, prop in enumerate(names):
            inner = _template(properties[prop], f"{path}.{prop}", depth + 1)
            comma = "," if index < len(names) - 1 else ""
            inner[0] = f'  "{prop}" : {inner[0]}'
            inner[-1] = inner[-1] + comma
            out.extend(inner[:1] + ["  " + line for line in inner[1:]])
        out.append("}")
        return out
    if kind == "array":
        element = f"$elem{depth}"
        inner = _template(schema.get("items") or {}, element, depth + 1)
        inner[-1] = inner[-1] + "#if($foreach.hasNext),#end"
        return ["[", f"#foreach({element} in {path})", *inner, "#end", "]"]
    if kind in ("number", "integer", "boolean"):
        return [path]
    return [f'"{path}"']
