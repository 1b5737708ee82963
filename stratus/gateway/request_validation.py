"""Request validation of a REST API's method (API Gateway v1), before its integration.

With a request validator on the method (``requestValidatorId``), API Gateway checks:

- parameters (``validateRequestParameters``): each ``method.request.{header,querystring,
  path}.*`` marked ``true`` in ``requestParameters`` is present and not blank; the missing
  ones answer 400 ``{"message": "Missing required request parameters: [a, b]"}``, named in
  the order of their keys (headers, then path, then query strings);
- the body (``validateRequestBody``): against the model ``requestModels`` names for the
  request's content type (``application/json`` when the request names none), else the
  ``$default`` one; with no model for it, nothing is checked (API Gateway's "if no
  matching content type is found, request validation is not performed"). An empty body
  is checked as ``{}``; a body that is not JSON, or that the schema refuses, answers 400
  ``{"message": "Invalid request body"}``.

Both with ``x-amzn-ErrorType: BadRequestException``. A refusal is data (``Refusal``,
carrying AWS's gateway response type) so the caller decides how to answer it.

Schemas come from the deployment's snapshot and are compiled once per deployment. A
``$ref`` resolves only to the API's own models (by their canonical address): any other
address is refused without a network fetch, and a schema whose references loop without
end fails the body instead of the server.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import orjson
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from stratus.gateway.request import GatewayRequest
from stratus.services.apis.rest_model import RequestValidator, RestMethod, RestModel
from stratus.services.apis.rest_validation import model_url, parameter_location

JSON_TYPE = "application/json"
# Bodies above this are checked on a worker thread, so a big one never stalls the loop.
INLINE_BODY_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a request never reached its integration: AWS's gateway response type
    (``BAD_REQUEST_PARAMETERS`` or ``BAD_REQUEST_BODY``) and its message."""

    response_type: str
    message: str


INVALID_BODY = Refusal("BAD_REQUEST_BODY", "Invalid request body")


@dataclass(frozen=True, slots=True)
class MethodValidation:
    """What one method's validator checks, compiled from a deployment."""

    required: tuple[tuple[str, str], ...]  # (location, name) in AWS's order
    schemas: dict[str, Draft4Validator]  # by content type (lowercase), "$default" included

    def missing_parameters(
        self, request: GatewayRequest, path_parameters: dict[str, str] | None
    ) -> Refusal | None:
        if not self.required:
            return None
        query = request.query_lists()
        missing: list[str] = []
        for location, name in self.required:
            if location == "header":
                present = bool((request.header(name.lower()) or "").strip())
            elif location == "path":
                present = bool((path_parameters or {}).get(name, "").strip())
            else:
                present = any(value.strip() for value in query.get(name, ()))
            if not present:
                missing.append(name)
        if not missing:
            return None
        return Refusal(
            "BAD_REQUEST_PARAMETERS",
            f"Missing required request parameters: [{', '.join(missing)}]",
        )

    def schema_for(self, request: GatewayRequest) -> Draft4Validator | None:
        if not self.schemas:
            return None
        content_type = request.header("content-type")
        media = content_type.split(";", 1)[0].strip().lower() if content_type else JSON_TYPE
        return self.schemas.get(media) or self.schemas.get("$default")

    async def check(
        self, request: GatewayRequest, path_parameters: dict[str, str] | None
    ) -> Refusal | None:
        refused = self.missing_parameters(request, path_parameters)
        if refused is not None:
            return refused
        schema = self.schema_for(request)
        if schema is None:
            return None
        if len(request.body) > INLINE_BODY_BYTES:
            valid = await asyncio.to_thread(body_is_valid, schema, request.body)
        else:
            valid = body_is_valid(schema, request.body)
        return None if valid else INVALID_BODY


def body_is_valid(schema: Draft4Validator, body: bytes) -> bool:
    """The body parsed as JSON (empty: ``{}``) and checked against the schema; a body the
    parser refuses (not JSON, nested beyond its limit) or a schema that cannot finish
    (a reference loop, a reference to nothing) is invalid."""
    try:
        instance = orjson.loads(body) if body.strip() else {}
    except orjson.JSONDecodeError:
        return False
    try:
        return bool(schema.is_valid(instance))
    except RecursionError:
        return False
    except Exception:  # an unresolvable reference: the request cannot be shown valid
        return False


class ModelSchemas:
    """A deployment's models as draft 4 validators: parsed on the first method that
    asks for one (most APIs have none), each model compiled once."""

    def __init__(self, api_id: str, models: dict[str, RestModel]) -> None:
        self._api_id = api_id
        self._models = models
        self._documents: dict[str, Any] | None = None
        self._registry: Registry[Any] = Registry()
        self._compiled: dict[str, Draft4Validator] = {}

    def _parse(self) -> dict[str, Any]:
        documents: dict[str, Any] = {}
        for name, model in self._models.items():
            try:
                documents[name] = orjson.loads(model.schema or "{}")
            except orjson.JSONDecodeError:
                continue  # refused when stored; nothing to compile
        # A registry of our own: jsonschema's default one would fetch unknown addresses;
        # this one answers only the API's models and refuses anything else.
        self._registry = Registry().with_resources(
            (
                model_url(self._api_id, name),
                Resource.from_contents(document, default_specification=DRAFT4),
            )
            for name, document in documents.items()
            if isinstance(document, (dict, bool))
        )
        return documents

    def validator(self, name: str) -> Draft4Validator | None:
        compiled = self._compiled.get(name)
        if compiled is None:
            if self._documents is None:
                self._documents = self._parse()
            document = self._documents.get(name)
            if not isinstance(document, dict):
                return None
            # The model's own address as its base, so its local "#/..." references and
            # other models' canonical ones both resolve through the registry.
            root = {"id": model_url(self._api_id, name), **document}
            compiled = Draft4Validator(root, registry=self._registry)
            self._compiled[name] = compiled
        return compiled


def compile_validation(
    method: RestMethod,
    validators: dict[str, RequestValidator],
    schemas: ModelSchemas,
) -> MethodValidation | None:
    """The checks a method's validator asks for, or ``None`` when there are none."""
    validator = validators.get(method.request_validator_id or "")
    if validator is None:
        return None
    required: list[tuple[str, str]] = []
    if validator.validate_request_parameters:
        for key, wanted in sorted((method.request_parameters or {}).items()):
            location = parameter_location(key)
            if wanted and location is not None:
                kind, name = location
                kind = {"multivaluequerystring": "querystring", "multivalueheader": "header"}.get(
                    kind, kind
                )
                required.append((kind, name))
    compiled: dict[str, Draft4Validator] = {}
    if validator.validate_request_body:
        for content_type, name in (method.request_models or {}).items():
            schema = schemas.validator(name)
            if schema is not None:
                compiled[content_type.lower()] = schema
    if not required and not compiled:
        return None
    return MethodValidation(tuple(required), compiled)
