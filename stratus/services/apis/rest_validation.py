"""Models and request validators of REST APIs (API Gateway v1), and the request side of
a method that names them (``requestValidatorId``, ``requestModels``, ``requestParameters``).

A model is a JSON Schema draft 4 kept as the text the caller sent. API Gateway checks a
schema when it is stored, so the gateway never meets a broken one: it must parse as a JSON
object that draft 4's meta-schema accepts, and every ``$ref`` in it must be local (``#...``)
or name a model of the same API in canonical form
(``https://apigateway.amazonaws.com/restapis/{api}/models/{name}``); a reference anywhere
else is refused, so nothing is ever fetched from the network.

Mixed into ``RestApis``, which stores the API after each change (``_changed``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import orjson
from jsonschema import Draft4Validator
from jsonschema.exceptions import SchemaError

from stratus.services.apis.errors import BadRequest, Conflict, NotFound
from stratus.services.apis.ids import new_id
from stratus.services.apis.rest_model import RequestValidator, RestApi, RestMethod, RestModel

MODEL_URL = "https://apigateway.amazonaws.com/restapis/{api_id}/models/{name}"
_CANONICAL = re.compile(
    r"^https://apigateway\.amazonaws\.com/restapis/(?P<api>[^/]+)/models/(?P<name>[^/#]+)(#.*)?$"
)
_MODEL_NAME = re.compile(r"^[A-Za-z0-9]+$")
_MEDIA_TYPE = re.compile(r"^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+*-]+$")
_PARAMETER = re.compile(
    r"^method\.request\.(querystring|multivaluequerystring|header|multivalueheader|path)\.(.+)$"
)
_MODEL_ERROR = "Invalid model specified: Validation Result: warnings : [], errors : [{}]"

# The two models API Gateway gives every new REST API.
EMPTY_SCHEMA = (
    '{\n  "$schema": "http://json-schema.org/draft-04/schema#",\n'
    '  "title" : "Empty Schema",\n  "type" : "object"\n}'
)
ERROR_SCHEMA = (
    '{\n  "$schema" : "http://json-schema.org/draft-04/schema#",\n'
    '  "title" : "Error Schema",\n  "type" : "object",\n'
    '  "properties" : {\n    "message" : { "type" : "string" }\n  }\n}'
)


def model_url(api_id: str, name: str) -> str:
    """A model's canonical address: how another model (or the gateway) refers to it."""
    return MODEL_URL.format(api_id=api_id, name=name)


def default_models() -> dict[str, RestModel]:
    return {
        "Empty": RestModel(
            new_id(6),
            "Empty",
            "application/json",
            EMPTY_SCHEMA,
            "This is a default empty schema model",
        ),
        "Error": RestModel(
            new_id(6),
            "Error",
            "application/json",
            ERROR_SCHEMA,
            "This is a default error schema model",
        ),
    }


def check_schema(api_id: str, text: str) -> None:
    """Refuse what API Gateway refuses: not JSON, not an object, not a draft 4 schema,
    a reference that is neither local nor a model of this API."""
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(_MODEL_ERROR.format("Invalid model schema specified")) from exc
    if not isinstance(document, dict):
        raise BadRequest(_MODEL_ERROR.format("Invalid model schema specified"))
    try:
        Draft4Validator.check_schema(document)
    except (SchemaError, RecursionError) as exc:
        raise BadRequest(_MODEL_ERROR.format("Invalid model schema specified")) from exc
    for reference in references(document):
        if reference.startswith("#"):
            continue
        canonical = _CANONICAL.match(reference)
        if canonical is None or canonical.group("api") != api_id:
            raise BadRequest(_MODEL_ERROR.format("Model reference must be in canonical form"))


def references(document: Any) -> list[str]:
    """Every ``$ref`` string in a parsed schema (walked without recursion: a schema
    nested as deep as the JSON parser allows must not exhaust the stack)."""
    found: list[str] = []
    pending: list[Any] = [document]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            reference = node.get("$ref")
            if isinstance(reference, str):
                found.append(reference)
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return found


def referenced_model(reference: str) -> str | None:
    """The model name a canonical reference points at."""
    canonical = _CANONICAL.match(reference)
    return canonical.group("name") if canonical else None


def check_method_request(api: RestApi, values: dict[str, Any]) -> None:
    """PutMethod's ``requestValidatorId``, ``requestModels`` and ``requestParameters``."""
    validator_id = values.get("request_validator_id")
    if validator_id and validator_id not in api.request_validators:
        raise BadRequest("Invalid Request Validator identifier specified")
    for name in (values.get("request_models") or {}).values():
        if name not in api.models:
            raise BadRequest(f"Invalid model identifier specified: {name}")
    _check_parameters(values.get("request_parameters") or {})


def _check_parameters(parameters: dict[str, Any]) -> None:
    names = [key.rsplit(".", 1)[-1] for key in parameters]
    if len(set(names)) != len(names):
        raise BadRequest("Parameter names must be unique across querystring, header and path")


def patch_method_request(
    api: RestApi, method: RestMethod, patch: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], Callable[[], None]]:
    """UpdateMethod's operations on ``/requestValidatorId``, ``/requestModels/{type}`` and
    ``/requestParameters/{name}``, checked here: the other operations, for the generic
    patch, and what sets these on the method once that patch has succeeded too (so a
    refused operation changes nothing)."""
    validator_id = method.request_validator_id
    models = dict(method.request_models or {})
    parameters = dict(method.request_parameters or {})
    rest: list[dict[str, Any]] = []
    for operation in patch:
        op = operation.get("op")
        path = str(operation.get("path", ""))
        value = operation.get("value")
        head, _, key = path.lstrip("/").partition("/")
        key = key.replace("~1", "/").replace("~0", "~")
        if path == "/requestValidatorId":
            if op == "remove" or not value:  # an empty value takes the validator off too
                validator_id = None
            elif value not in api.request_validators:
                raise BadRequest("Invalid Request Validator identifier specified")
            else:
                validator_id = str(value)
        elif head == "requestModels" and key:
            if op == "remove":
                models.pop(key, None)
            elif value not in api.models:
                raise BadRequest(f"Invalid model identifier specified: {value}")
            else:
                models[key] = str(value)
        elif head == "requestParameters" and key:
            if op == "remove":
                parameters.pop(key, None)
            else:
                parameters[key] = str(value).lower() == "true"
        else:
            rest.append(operation)
    _check_parameters(parameters)

    def settle() -> None:
        method.request_validator_id = validator_id
        method.request_models = models or None
        method.request_parameters = parameters or None

    return rest, settle


class RestValidation:
    """The Model and RequestValidator operations of ``RestApis``."""

    async def _changed(self, api: RestApi) -> None:
        raise NotImplementedError  # RestApis stores the API

    # -- models ------------------------------------------------------------------------------
    def model(self, api: RestApi, name: str) -> RestModel:
        model = api.models.get(name)
        if model is None:
            raise NotFound(f"Invalid model name specified: {name}")
        return model

    async def create_model(self, api: RestApi, values: dict[str, Any]) -> RestModel:
        name = values.get("name") or ""
        if not name:
            raise BadRequest("Model name must be non-empty")
        if not _MODEL_NAME.match(name):
            raise BadRequest("Model name must be alphanumeric")
        content_type = values.get("content_type") or ""
        if not _MEDIA_TYPE.match(content_type) and content_type != "$default":
            raise BadRequest(f"Invalid content type specified: {content_type}")
        if name in api.models:
            raise Conflict("Model name already exists for this REST API")
        schema = values.get("schema")
        if not schema:
            raise BadRequest("Model schema must have at least 1 property or array items defined")
        check_schema(api.id, schema)
        model = RestModel(new_id(6), name, content_type, schema, values.get("description"))
        api.models[name] = model
        await self._changed(api)
        return model

    async def update_model(self, api: RestApi, name: str, patch: list[dict[str, Any]]) -> RestModel:
        """Only ``replace`` of ``/schema`` and ``/description``, as API Gateway allows."""
        model = self.model(api, name)
        schema, description = model.schema, model.description
        for operation in patch:
            op, path = operation.get("op"), operation.get("path")
            if op != "replace":
                raise BadRequest(
                    f"Invalid patch path  '{path}' specified for op '{op}'. "
                    "Please choose supported operations"
                )
            if path not in ("/schema", "/description"):
                raise BadRequest(
                    f"Invalid patch path  '{path}' specified for op 'replace'. "
                    "Must be one of: [/description, /schema]"
                )
            value = operation.get("value")
            if path == "/schema":
                if not value:
                    raise BadRequest(
                        "Model schema must have at least 1 property or array items defined"
                    )
                check_schema(api.id, str(value))
                schema = str(value)
            else:
                description = value
        model.schema, model.description = schema, description
        await self._changed(api)
        return model

    async def delete_model(self, api: RestApi, name: str) -> None:
        self.model(api, name)
        for resource in api.resources.values():
            for verb, method in resource.methods.items():
                if name in (method.request_models or {}).values():
                    raise Conflict(
                        f"Cannot delete model '{name}', is referenced in method request: "
                        f"{resource.path}/{verb}"
                    )
        del api.models[name]
        await self._changed(api)

    # -- request validators -------------------------------------------------------------
    def request_validator(self, api: RestApi, validator_id: str) -> RequestValidator:
        validator = api.request_validators.get(validator_id)
        if validator is None:
            raise NotFound("Invalid Request Validator identifier specified")
        return validator

    async def create_request_validator(
        self, api: RestApi, values: dict[str, Any]
    ) -> RequestValidator:
        validator = RequestValidator(
            new_id(6),
            values.get("name"),
            bool(values.get("validate_request_body")),
            bool(values.get("validate_request_parameters")),
        )
        api.request_validators[validator.id] = validator
        await self._changed(api)
        return validator

    async def update_request_validator(
        self, api: RestApi, validator_id: str, patch: list[dict[str, Any]]
    ) -> RequestValidator:
        validator = api.request_validators.get(validator_id)
        if validator is None:
            raise NotFound(f"Validator {validator_id} for API Gateway {api.id} not found")
        changed = RequestValidator(
            validator.id,
            validator.name,
            validator.validate_request_body,
            validator.validate_request_parameters,
        )
        for operation in patch:
            op, path = operation.get("op"), operation.get("path")
            if op != "replace":
                raise BadRequest(
                    f"Invalid patch path  '{path}' specified for op '{op}'. "
                    "Please choose supported operations"
                )
            value = operation.get("value")
            if path == "/name":
                if not value:
                    raise BadRequest("Request Validator name cannot be blank")
                changed.name = str(value)
            elif path == "/validateRequestBody":
                changed.validate_request_body = str(value).lower() == "true"
            elif path == "/validateRequestParameters":
                changed.validate_request_parameters = str(value).lower() == "true"
            else:
                raise BadRequest(
                    f"Invalid patch path  '{path}' specified for op 'replace'. "
                    "Must be one of: [/name, /validateRequestParameters, /validateRequestBody]"
                )
        api.request_validators[validator_id] = changed
        await self._changed(api)
        return changed

    async def delete_request_validator(self, api: RestApi, validator_id: str) -> None:
        self.request_validator(api, validator_id)
        del api.request_validators[validator_id]
        await self._changed(api)


def parameter_location(key: str) -> tuple[str, str] | None:
    """``method.request.querystring.q`` -> ``("querystring", "q")``."""
    found = _PARAMETER.match(key)
    return (found.group(1), found.group(2)) if found else None
