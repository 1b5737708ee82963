"""GetModelTemplate: a mapping template (VTL) that rebuilds a model's shape from the
payload, as API Gateway generates one for a model.

The template starts with ``#set($inputRoot = $input.path('$'))`` and writes each property
of the schema from ``$inputRoot``: strings quoted, numbers and booleans bare, arrays as a
``#foreach`` over their items, nested objects inline. A ``$ref`` to another model of the
API (by its address or ``#/definitions/Name``) is followed, to a bounded depth.
"""

from __future__ import annotations

from typing import Any

import orjson

from stratus.services.apis.errors import BadRequest
from stratus.services.apis.rest_model import RestApi, RestModel

__all__ = ["model_template"]

_MAX_DEPTH = 8


class _Writer:
    def __init__(self, api: RestApi) -> None:
        self._api = api
        self._loops = 0

    def _resolve(self, schema: Any, depth: int) -> dict[str, Any]:
        while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and depth > 0:
            name = schema["$ref"].rstrip("/").rsplit("/", 1)[-1]
            model = self._api.models.get(name)
            if model is None or not model.schema:
                return {}
            schema = _parse(model)
            depth -= 1
        return schema if isinstance(schema, dict) else {}

    def value(self, schema: Any, reference: str, indent: str, depth: int) -> str:
        schema = self._resolve(schema, _MAX_DEPTH)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), None)
        if depth <= 0:
            return f'"{reference}"'
        if kind == "object" or (kind is None and "properties" in schema):
            properties = schema.get("properties")
            if not isinstance(properties, dict) or not properties:
                return "{ }"
            inner = indent + "  "
            members = [
                f'{inner}"{name}" : {self.value(sub, f"{reference}.{name}", inner, depth - 1)}'
                for name, sub in properties.items()
            ]
            return "{\n" + ",\n".join(members) + f"\n{indent}}}"
        if kind == "array":
            self._loops += 1
            element = f"$elem{self._loops}" if self._loops > 1 else "$elem"
            inner = indent + "  "
            item = self.value(schema.get("items"), element, inner, depth - 1)
            return (
                f"[\n#foreach({element} in {reference})\n{inner}{item}"
                f"#if($foreach.hasNext),#end\n#end\n{indent}]"
            )
        if kind in ("number", "integer", "boolean"):
            return reference
        return f'"{reference}"'


def _parse(model: RestModel) -> Any:
    try:
        return orjson.loads(model.schema or "{}")
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"Invalid model schema specified: {model.name}") from exc


def model_template(api: RestApi, model: RestModel) -> str:
    body = _Writer(api).value(_parse(model), "$inputRoot", "", _MAX_DEPTH)
    return "#set($inputRoot = $input.path('$'))\n" + body
