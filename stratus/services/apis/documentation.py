"""Documentation of REST APIs: documentation parts (one per location of an entity) and
documentation versions (snapshots of the parts, which a stage may name).

A location is a type plus the fields that type takes (AWS's table, "Representation of API
documentation in API Gateway"): ``path`` for everything below the API (default ``/``),
``method`` (default ``*``) for methods and what belongs to them, ``statusCode`` (default
``*``) for responses, ``name`` for authorizers, models, parameters and headers (required
there) and the request body (optional). Two parts may not share a location, the defaults
counted. Parts and versions are kept in their API's record, so they are stored, and
deleted, with it.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import orjson

from stratus.services.apis.errors import BadRequest, Conflict, NotFound
from stratus.services.apis.ids import new_id
from stratus.services.apis.model import to_json
from stratus.services.apis.rest_model import DocumentationPart, DocumentationVersion, RestApi

if TYPE_CHECKING:
    from stratus.services.apis.rest_apis import RestApis

__all__ = ["LOCATION_TYPES", "RestDocumentation", "check_location"]

Json = dict[str, Any]

# type -> (fields it takes, fields it requires)
_PATHED = ("path",)
_METHOD = ("path", "method")
_RESPONSE = ("path", "method", "statusCode")
LOCATION_TYPES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "API": ((), ()),
    "AUTHORIZER": (("name",), ("name",)),
    "MODEL": (("name",), ("name",)),
    "RESOURCE": (_PATHED, ()),
    "METHOD": (_METHOD, ()),
    "PATH_PARAMETER": ((*_METHOD, "name"), ("name",)),
    "QUERY_PARAMETER": ((*_METHOD, "name"), ("name",)),
    "REQUEST_HEADER": ((*_METHOD, "name"), ("name",)),
    "REQUEST_BODY": ((*_METHOD, "name"), ()),
    "RESPONSE": (_RESPONSE, ()),
    "RESPONSE_HEADER": ((*_RESPONSE, "name"), ("name",)),
    "RESPONSE_BODY": (_RESPONSE, ()),
}
_DEFAULTS = {"path": "/", "method": "*", "statusCode": "*"}
_FIELDS = ("path", "method", "statusCode", "name")


def check_location(location: Json) -> Json:
    """The location as stored and answered: checked against its type, defaults filled."""
    kind = str(location.get("type") or "")
    if kind not in LOCATION_TYPES:
        raise BadRequest(
            f"Invalid documentation part type: {kind or None}. Valid values are "
            f"[{', '.join(LOCATION_TYPES)}]"
        )
    allowed, required = LOCATION_TYPES[kind]
    out: Json = {"type": kind}
    for name in _FIELDS:
        value = location.get(name)
        if value is not None and value != "" and name not in allowed:
            raise BadRequest(f"Invalid location: {name} is not a valid field for type {kind}")
        if name in allowed:
            if value in (None, "") and name in required:
                raise BadRequest(f"Invalid location: {name} is required for type {kind}")
            if value in (None, ""):
                value = _DEFAULTS.get(name)
            if value is not None:
                out[name] = str(value)
    path = out.get("path")
    if path is not None and not path.startswith("/"):
        raise BadRequest(f"Invalid location: path must start with '/': {path}")
    return out


def _describe(location: Json) -> str:
    """A location as AWS's conflict message names it: ``type 'METHOD', path '/pets'``."""
    words = [f"type '{location['type']}'"]
    words += [f"{name} '{location[name]}'" for name in _FIELDS if name in location]
    return ", ".join(words)


def _check_properties(text: str) -> str:
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise BadRequest("Invalid documentation part properties: not valid JSON") from exc
    return text


def _documented(part: DocumentationPart) -> bool:
    """Whether a part says anything (``locationStatus`` DOCUMENTED): not an empty object."""
    try:
        value = orjson.loads(part.properties)
    except orjson.JSONDecodeError:
        return True
    return value not in ({}, None, "")


class RestDocumentation:
    """The operations on one account's APIs' documentation; ``apis`` stores the API."""

    def __init__(self, apis: RestApis) -> None:
        self._apis = apis

    # -- parts -------------------------------------------------------------------------------
    def part(self, api: RestApi, part_id: str) -> DocumentationPart:
        part = api.documentation_parts.get(part_id)
        if part is None:
            raise NotFound("Invalid Documentation part identifier specified")
        return part

    def parts(
        self,
        api: RestApi,
        kind: str | None = None,
        name_query: str | None = None,
        path: str | None = None,
        status: str | None = None,
    ) -> list[DocumentationPart]:
        """GetDocumentationParts' filters: type, a name prefix, path, DOCUMENTED or not."""
        found = []
        for part in api.documentation_parts.values():
            location = part.location
            if kind and location["type"] != kind:
                continue
            if name_query and not str(location.get("name") or "").startswith(name_query):
                continue
            if path and location.get("path") != path:
                continue
            if status and (status == "DOCUMENTED") != _documented(part):
                continue
            found.append(part)
        return found

    def _taken(self, api: RestApi, location: Json, other_than: str | None = None) -> None:
        for part in api.documentation_parts.values():
            if part.location == location and part.id != other_than:
                raise Conflict(
                    "Documentation part already exists for the specified location: "
                    f"{_describe(location)}."
                )

    async def create_part(self, api: RestApi, location: Json, properties: str) -> DocumentationPart:
        checked = check_location(location)
        _check_properties(properties)
        self._taken(api, checked)
        part = DocumentationPart(new_id(6), checked, properties)
        api.documentation_parts[part.id] = part
        await self._apis.changed(api)
        return part

    async def update_part(
        self, api: RestApi, part_id: str, patch: list[dict[str, Any]]
    ) -> DocumentationPart:
        part = self.part(api, part_id)
        properties = part.properties
        for operation in patch:
            op, path = operation.get("op"), operation.get("path")
            if op != "replace" or path != "/properties":
                raise BadRequest(
                    f"Invalid patch path '{path}' specified for op '{op}'. "
                    "Must be one of: [/properties]"
                )
            properties = _check_properties(str(operation.get("value") or ""))
        part.properties = properties
        await self._apis.changed(api)
        return part

    async def delete_part(self, api: RestApi, part_id: str) -> None:
        self.part(api, part_id)
        del api.documentation_parts[part_id]
        await self._apis.changed(api)

    async def import_parts(
        self, api: RestApi, document: Json, mode: str, fail_on_warnings: bool
    ) -> tuple[list[str], list[str]]:
        """ImportDocumentationParts: the parts of an OpenAPI document's
        ``x-amazon-apigateway-documentation``. ``overwrite`` replaces every part of the
        API; ``merge`` replaces the properties of a part at the same location and adds
        the others. A part that cannot be read is a warning (refused as a whole with
        ``fail_on_warnings``); nothing changes unless the import succeeds."""
        extension = document.get("x-amazon-apigateway-documentation")
        entries = extension.get("documentationParts") if isinstance(extension, dict) else None
        if not isinstance(entries, list):
            raise BadRequest(
                "Invalid documentation: x-amazon-apigateway-documentation.documentationParts "
                "must be a list"
            )
        read: list[tuple[Json, str]] = []
        warnings: list[str] = []
        for index, entry in enumerate(entries):
            try:
                if not isinstance(entry, dict) or not isinstance(entry.get("location"), dict):
                    raise BadRequest("a documentation part needs a location")
                location = check_location(entry["location"])
                properties = entry.get("properties")
                text = (
                    properties
                    if isinstance(properties, str)
                    else orjson.dumps(properties if properties is not None else {}).decode()
                )
                read.append((location, _check_properties(text)))
            except BadRequest as exc:
                warnings.append(f"Documentation part {index}: {exc.message}")
        if fail_on_warnings and warnings:
            raise BadRequest("Import failed with warnings: " + "; ".join(warnings))
        parts = {} if mode == "overwrite" else dict(api.documentation_parts)
        by_location = {
            orjson.dumps(p.location, option=orjson.OPT_SORT_KEYS): p for p in parts.values()
        }
        ids: list[str] = []
        for location, properties in read:
            key = orjson.dumps(location, option=orjson.OPT_SORT_KEYS)
            part = by_location.get(key)
            if part is None:
                part = by_location[key] = DocumentationPart(new_id(6), location, properties)
                parts[part.id] = part
            else:
                part = parts[part.id] = DocumentationPart(part.id, location, properties)
                by_location[key] = part
            ids.append(part.id)
        api.documentation_parts = parts
        await self._apis.changed(api)
        return ids, warnings

    # -- versions ----------------------------------------------------------------------------
    def version(self, api: RestApi, version: str) -> DocumentationVersion:
        found = api.documentation_versions.get(version)
        if found is None:
            raise NotFound("Invalid Documentation version identifier specified")
        return found

    async def create_version(
        self, api: RestApi, version: str, stage_name: str | None, description: str | None
    ) -> DocumentationVersion:
        if version in api.documentation_versions:
            raise Conflict(f"Documentation version already exists: {version}")
        stage = self._apis.stage(api, stage_name) if stage_name else None
        snapshot = DocumentationVersion(
            version,
            time.time(),
            description,
            [to_json(p) for p in api.documentation_parts.values()],
        )
        api.documentation_versions[version] = snapshot
        if stage is not None:
            stage.documentation_version = version
        await self._apis.changed(api)
        return snapshot

    async def update_version(
        self, api: RestApi, version: str, patch: list[dict[str, Any]]
    ) -> DocumentationVersion:
        found = self.version(api, version)
        description = found.description
        for operation in patch:
            op, path = operation.get("op"), operation.get("path")
            if op != "replace" or path != "/description":
                raise BadRequest(
                    f"Invalid patch path '{path}' specified for op '{op}'. "
                    "Must be one of: [/description]"
                )
            description = operation.get("value")
        found.description = description
        await self._apis.changed(api)
        return found

    async def delete_version(self, api: RestApi, version: str) -> None:
        self.version(api, version)
        del api.documentation_versions[version]
        for stage in api.stages.values():
            if stage.documentation_version == version:
                stage.documentation_version = None
        await self._apis.changed(api)
