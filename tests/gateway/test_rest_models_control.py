"""REST APIs' models and request validators through boto3's ``apigateway`` client: every
operation, the request side of PutMethod/UpdateMethod, and each bad input with AWS's
error (and nothing stored)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ServerProcess

PET = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "type": "object",
    "required": ["name"],
    "properties": {"name": {"type": "string"}},
}


@pytest.fixture(scope="module")
def apigw_v1(server: ServerProcess) -> Any:
    return server.client("apigateway")


def _error(call: Callable[[], Any]) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call()
    error = raised.value.response["Error"]
    return error["Code"], error["Message"]


def _api(apigw_v1: Any) -> tuple[str, str]:
    api_id = apigw_v1.create_rest_api(name="models")["id"]
    root = apigw_v1.get_resources(restApiId=api_id)["items"][0]["id"]
    return api_id, root


def _canonical(api_id: str, name: str) -> str:
    return f"https://apigateway.amazonaws.com/restapis/{api_id}/models/{name}"


def test_a_new_api_has_the_empty_and_error_models(apigw_v1: Any) -> None:
    api_id, _ = _api(apigw_v1)
    models = {m["name"]: m for m in apigw_v1.get_models(restApiId=api_id)["items"]}
    assert set(models) == {"Empty", "Error"}
    assert models["Empty"]["contentType"] == "application/json"
    assert json.loads(models["Empty"]["schema"])["type"] == "object"
    error = json.loads(models["Error"]["schema"])
    assert error["properties"] == {"message": {"type": "string"}}


def test_model_lifecycle(apigw_v1: Any) -> None:
    api_id, _ = _api(apigw_v1)
    made = apigw_v1.create_model(
        restApiId=api_id,
        name="Pet",
        contentType="application/json",
        schema=json.dumps(PET),
        description="a pet",
    )
    assert made["name"] == "Pet" and made["contentType"] == "application/json"
    assert made["description"] == "a pet" and json.loads(made["schema"]) == PET
    assert made["id"]
    got = apigw_v1.get_model(restApiId=api_id, modelName="Pet")
    assert {k: got[k] for k in ("id", "name", "schema", "contentType")} == {
        k: made[k] for k in ("id", "name", "schema", "contentType")
    }
    names = [m["name"] for m in apigw_v1.get_models(restApiId=api_id)["items"]]
    assert sorted(names) == ["Empty", "Error", "Pet"]
    wider = {**PET, "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}}
    updated = apigw_v1.update_model(
        restApiId=api_id,
        modelName="Pet",
        patchOperations=[
            {"op": "replace", "path": "/schema", "value": json.dumps(wider)},
            {"op": "replace", "path": "/description", "value": "wider"},
        ],
    )
    assert json.loads(updated["schema"]) == wider and updated["description"] == "wider"
    assert json.loads(apigw_v1.get_model(restApiId=api_id, modelName="Pet")["schema"]) == wider
    apigw_v1.delete_model(restApiId=api_id, modelName="Pet")
    assert _error(lambda: apigw_v1.get_model(restApiId=api_id, modelName="Pet")) == (
        "NotFoundException",
        "Invalid model name specified: Pet",
    )


def test_a_model_may_refer_to_another_by_its_canonical_address(apigw_v1: Any) -> None:
    api_id, _ = _api(apigw_v1)
    apigw_v1.create_model(
        restApiId=api_id, name="Owner", contentType="application/json", schema=json.dumps(PET)
    )
    schema = {
        "type": "object",
        "properties": {
            "owner": {"$ref": _canonical(api_id, "Owner")},
            "tags": {"$ref": "#/definitions/tags"},
        },
        "definitions": {"tags": {"type": "array", "items": {"type": "string"}}},
    }
    made = apigw_v1.create_model(
        restApiId=api_id, name="Pet", contentType="application/json", schema=json.dumps(schema)
    )
    assert json.loads(made["schema"]) == schema


CREATE_MODEL_ERRORS = [
    (
        {"name": "", "schema": json.dumps(PET)},
        ("BadRequestException", "Model name must be non-empty"),
    ),
    (
        {"name": "pet-model", "schema": json.dumps(PET)},
        ("BadRequestException", "Model name must be alphanumeric"),
    ),
    (
        {"name": "Pet", "schema": json.dumps(PET), "contentType": "not a type"},
        ("BadRequestException", "Invalid content type specified: not a type"),
    ),
    (
        {"name": "Pet"},
        (
            "BadRequestException",
            "Model schema must have at least 1 property or array items defined",
        ),
    ),
    (
        {"name": "Pet", "schema": "{not json"},
        (
            "BadRequestException",
            "Invalid model specified: Validation Result: warnings : [], "
            "errors : [Invalid model schema specified]",
        ),
    ),
    (
        {"name": "Pet", "schema": "[1, 2]"},
        (
            "BadRequestException",
            "Invalid model specified: Validation Result: warnings : [], "
            "errors : [Invalid model schema specified]",
        ),
    ),
    (
        {"name": "Pet", "schema": json.dumps({"type": "no-such-type"})},
        (
            "BadRequestException",
            "Invalid model specified: Validation Result: warnings : [], "
            "errors : [Invalid model schema specified]",
        ),
    ),
    (
        {"name": "Pet", "schema": json.dumps({"$ref": "other.json#/a"})},
        (
            "BadRequestException",
            "Invalid model specified: Validation Result: warnings : [], "
            "errors : [Model reference must be in canonical form]",
        ),
    ),
    (
        {
            "name": "Pet",
            "schema": json.dumps(
                {"$ref": "https://apigateway.amazonaws.com/restapis/another/models/Owner"}
            ),
        },
        (
            "BadRequestException",
            "Invalid model specified: Validation Result: warnings : [], "
            "errors : [Model reference must be in canonical form]",
        ),
    ),
    (
        {"name": "Error", "schema": json.dumps(PET)},
        ("ConflictException", "Model name already exists for this REST API"),
    ),
]


@pytest.mark.parametrize(
    ("values", "expected"),
    CREATE_MODEL_ERRORS,
    ids=[
        "empty-name",
        "name-not-alphanumeric",
        "bad-content-type",
        "no-schema",
        "schema-not-json",
        "schema-not-an-object",
        "schema-not-draft-4",
        "relative-reference",
        "reference-to-another-api",
        "duplicate-name",
    ],
)
def test_create_model_refusals(
    apigw_v1: Any, values: dict[str, Any], expected: tuple[str, str]
) -> None:
    api_id, _ = _api(apigw_v1)
    params = {"restApiId": api_id, "contentType": "application/json", **values}
    assert _error(lambda: apigw_v1.create_model(**params)) == expected
    models = {m["name"]: m for m in apigw_v1.get_models(restApiId=api_id)["items"]}
    assert set(models) == {"Empty", "Error"}  # nothing stored, the default left alone
    assert "Error Schema" in models["Error"]["schema"]


def test_model_errors_on_unknown_apis_and_names(apigw_v1: Any) -> None:
    assert _error(
        lambda: apigw_v1.create_model(
            restApiId="nope", name="Pet", contentType="application/json", schema="{}"
        )
    ) == ("NotFoundException", "Invalid API identifier specified 000000000000:nope")
    assert _error(lambda: apigw_v1.get_models(restApiId="nope"))[0] == "NotFoundException"
    api_id, _ = _api(apigw_v1)
    missing = ("NotFoundException", "Invalid model name specified: Ghost")
    assert _error(lambda: apigw_v1.get_model(restApiId=api_id, modelName="Ghost")) == missing
    assert _error(lambda: apigw_v1.delete_model(restApiId=api_id, modelName="Ghost")) == missing
    assert (
        _error(
            lambda: apigw_v1.update_model(
                restApiId=api_id,
                modelName="Ghost",
                patchOperations=[{"op": "replace", "path": "/description", "value": "x"}],
            )
        )
        == missing
    )


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        (
            {"op": "add", "path": "/description", "value": "x"},
            "Invalid patch path  '/description' specified for op 'add'. "
            "Please choose supported operations",
        ),
        (
            {"op": "replace", "path": "/name", "value": "Other"},
            "Invalid patch path  '/name' specified for op 'replace'. "
            "Must be one of: [/description, /schema]",
        ),
        (
            {"op": "replace", "path": "/schema", "value": ""},
            "Model schema must have at least 1 property or array items defined",
        ),
        (
            {"op": "replace", "path": "/schema", "value": '{"$ref": "http://example.com/x"}'},
            "Invalid model specified: Validation Result: warnings : [], "
            "errors : [Model reference must be in canonical form]",
        ),
    ],
    ids=["op-not-replace", "path-not-patchable", "empty-schema", "remote-reference"],
)
def test_update_model_refusals(apigw_v1: Any, operation: dict[str, str], message: str) -> None:
    api_id, _ = _api(apigw_v1)
    apigw_v1.create_model(
        restApiId=api_id,
        name="Pet",
        contentType="application/json",
        schema=json.dumps(PET),
        description="kept",
    )
    ok = {"op": "replace", "path": "/description", "value": "changed"}
    patch = [ok, operation]  # the valid one is not applied either
    assert _error(
        lambda: apigw_v1.update_model(restApiId=api_id, modelName="Pet", patchOperations=patch)
    ) == ("BadRequestException", message)
    model = apigw_v1.get_model(restApiId=api_id, modelName="Pet")
    assert json.loads(model["schema"]) == PET and model["description"] == "kept"


def test_request_validator_lifecycle(apigw_v1: Any) -> None:
    api_id, _ = _api(apigw_v1)
    assert apigw_v1.get_request_validators(restApiId=api_id)["items"] == []
    made = apigw_v1.create_request_validator(
        restApiId=api_id, name="body", validateRequestBody=True
    )
    assert made["name"] == "body"
    assert made["validateRequestBody"] is True and made["validateRequestParameters"] is False
    got = apigw_v1.get_request_validator(restApiId=api_id, requestValidatorId=made["id"])
    got.pop("ResponseMetadata")
    made.pop("ResponseMetadata")
    assert got == made
    listed = apigw_v1.get_request_validators(restApiId=api_id)["items"]
    assert [v["id"] for v in listed] == [made["id"]]
    updated = apigw_v1.update_request_validator(
        restApiId=api_id,
        requestValidatorId=made["id"],
        patchOperations=[
            {"op": "replace", "path": "/name", "value": "all"},
            {"op": "replace", "path": "/validateRequestParameters", "value": "true"},
            {"op": "replace", "path": "/validateRequestBody", "value": "false"},
        ],
    )
    assert updated["name"] == "all"
    assert updated["validateRequestParameters"] is True
    assert updated["validateRequestBody"] is False
    apigw_v1.delete_request_validator(restApiId=api_id, requestValidatorId=made["id"])
    assert _error(
        lambda: apigw_v1.get_request_validator(restApiId=api_id, requestValidatorId=made["id"])
    ) == ("NotFoundException", "Invalid Request Validator identifier specified")


def test_request_validator_refusals(apigw_v1: Any) -> None:
    api_id, _ = _api(apigw_v1)
    missing = ("NotFoundException", "Invalid Request Validator identifier specified")
    assert (
        _error(lambda: apigw_v1.get_request_validator(restApiId=api_id, requestValidatorId="zz"))
        == missing
    )
    assert (
        _error(lambda: apigw_v1.delete_request_validator(restApiId=api_id, requestValidatorId="zz"))
        == missing
    )
    assert _error(
        lambda: apigw_v1.update_request_validator(
            restApiId=api_id,
            requestValidatorId="zz",
            patchOperations=[{"op": "replace", "path": "/name", "value": "x"}],
        )
    ) == ("NotFoundException", f"Validator zz for API Gateway {api_id} not found")
    assert (
        _error(lambda: apigw_v1.create_request_validator(restApiId="nope", name="v"))[0]
        == "NotFoundException"
    )
    made = apigw_v1.create_request_validator(restApiId=api_id, name="v")
    for operation, message in (
        (
            {"op": "add", "path": "/name", "value": "x"},
            "Invalid patch path  '/name' specified for op 'add'. Please choose supported operations",
        ),
        (
            {"op": "replace", "path": "/id", "value": "x"},
            "Invalid patch path  '/id' specified for op 'replace'. "
            "Must be one of: [/name, /validateRequestParameters, /validateRequestBody]",
        ),
        ({"op": "replace", "path": "/name", "value": ""}, "Request Validator name cannot be blank"),
    ):
        patch = [{"op": "replace", "path": "/validateRequestBody", "value": "true"}, operation]
        assert _error(
            lambda patch=patch: apigw_v1.update_request_validator(
                restApiId=api_id, requestValidatorId=made["id"], patchOperations=patch
            )
        ) == ("BadRequestException", message)
    kept = apigw_v1.get_request_validator(restApiId=api_id, requestValidatorId=made["id"])
    assert kept["name"] == "v" and kept["validateRequestBody"] is False


def test_methods_name_validators_models_and_parameters(apigw_v1: Any) -> None:
    api_id, root = _api(apigw_v1)
    validator = apigw_v1.create_request_validator(
        restApiId=api_id, name="all", validateRequestBody=True, validateRequestParameters=True
    )["id"]
    apigw_v1.create_model(
        restApiId=api_id, name="Pet", contentType="application/json", schema=json.dumps(PET)
    )
    method = apigw_v1.put_method(
        restApiId=api_id,
        resourceId=root,
        httpMethod="POST",
        authorizationType="NONE",
        requestValidatorId=validator,
        requestModels={"application/json": "Pet"},
        requestParameters={"method.request.querystring.q": True, "method.request.header.h": False},
    )
    assert method["requestValidatorId"] == validator
    assert method["requestModels"] == {"application/json": "Pet"}
    assert method["requestParameters"] == {
        "method.request.querystring.q": True,
        "method.request.header.h": False,
    }
    got = apigw_v1.get_method(restApiId=api_id, resourceId=root, httpMethod="POST")
    assert got["requestValidatorId"] == validator
    assert got["requestModels"] == {"application/json": "Pet"}
    other = apigw_v1.create_request_validator(restApiId=api_id, name="params")["id"]
    updated = apigw_v1.update_method(
        restApiId=api_id,
        resourceId=root,
        httpMethod="POST",
        patchOperations=[
            {"op": "replace", "path": "/requestValidatorId", "value": other},
            {"op": "add", "path": "/requestModels/text~1plain", "value": "Empty"},
            {"op": "remove", "path": "/requestModels/application~1json"},
            {"op": "add", "path": "/requestParameters/method.request.path.id", "value": "true"},
            {
                "op": "replace",
                "path": "/requestParameters/method.request.header.h",
                "value": "true",
            },
            {"op": "remove", "path": "/requestParameters/method.request.querystring.q"},
        ],
    )
    assert updated["requestValidatorId"] == other
    assert updated["requestModels"] == {"text/plain": "Empty"}
    assert updated["requestParameters"] == {
        "method.request.path.id": True,
        "method.request.header.h": True,
    }
    cleared = apigw_v1.update_method(
        restApiId=api_id,
        resourceId=root,
        httpMethod="POST",
        patchOperations=[{"op": "replace", "path": "/requestValidatorId", "value": ""}],
    )
    assert "requestValidatorId" not in cleared


def test_method_refusals_store_nothing(apigw_v1: Any) -> None:
    api_id, root = _api(apigw_v1)
    base = {
        "restApiId": api_id,
        "resourceId": root,
        "httpMethod": "GET",
        "authorizationType": "NONE",
    }
    for extra, message in (
        ({"requestValidatorId": "nope"}, "Invalid Request Validator identifier specified"),
        (
            {"requestModels": {"application/json": "Ghost"}},
            "Invalid model identifier specified: Ghost",
        ),
        (
            {
                "requestParameters": {
                    "method.request.querystring.id": True,
                    "method.request.header.id": False,
                }
            },
            "Parameter names must be unique across querystring, header and path",
        ),
    ):
        assert _error(lambda extra=extra: apigw_v1.put_method(**base, **extra)) == (
            "BadRequestException",
            message,
        )
    never_stored = _error(
        lambda: apigw_v1.get_method(restApiId=api_id, resourceId=root, httpMethod="GET")
    )
    assert never_stored == ("NotFoundException", "Invalid Method identifier specified")
    apigw_v1.put_method(**base)
    method = {"restApiId": api_id, "resourceId": root, "httpMethod": "GET"}
    for operation, message in (
        (
            {"op": "replace", "path": "/requestValidatorId", "value": "nope"},
            "Invalid Request Validator identifier specified",
        ),
        (
            {"op": "add", "path": "/requestModels/application~1json", "value": "Ghost"},
            "Invalid model identifier specified: Ghost",
        ),
    ):
        patch = [{"op": "replace", "path": "/operationName", "value": "changed"}, operation]
        assert _error(
            lambda patch=patch: apigw_v1.update_method(**method, patchOperations=patch)
        ) == ("BadRequestException", message)
    kept = apigw_v1.get_method(**method)
    assert "operationName" not in kept and "requestModels" not in kept


def test_a_model_in_use_cannot_be_deleted(apigw_v1: Any) -> None:
    api_id, root = _api(apigw_v1)
    pets = apigw_v1.create_resource(restApiId=api_id, parentId=root, pathPart="pets")["id"]
    apigw_v1.create_model(
        restApiId=api_id, name="Pet", contentType="application/json", schema=json.dumps(PET)
    )
    apigw_v1.put_method(
        restApiId=api_id,
        resourceId=pets,
        httpMethod="POST",
        authorizationType="NONE",
        requestModels={"application/json": "Pet"},
    )
    assert _error(lambda: apigw_v1.delete_model(restApiId=api_id, modelName="Pet")) == (
        "ConflictException",
        "Cannot delete model 'Pet', is referenced in method request: /pets/POST",
    )
    assert apigw_v1.get_model(restApiId=api_id, modelName="Pet")["name"] == "Pet"
    apigw_v1.delete_method(restApiId=api_id, resourceId=pets, httpMethod="POST")
    apigw_v1.delete_model(restApiId=api_id, modelName="Pet")


class _Counting(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        _Counting.hits.append(self.path)
        body = json.dumps({"type": "object"}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture
def schema_host() -> Iterator[str]:
    """A real HTTP server that would serve a schema, to see that nobody asks it."""
    httpd = HTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Counting.hits.clear()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_remote_reference_is_refused_and_never_fetched(apigw_v1: Any, schema_host: str) -> None:
    api_id, _ = _api(apigw_v1)
    schema = {"type": "object", "properties": {"a": {"$ref": f"{schema_host}/pet.json"}}}
    code, message = _error(
        lambda: apigw_v1.create_model(
            restApiId=api_id, name="Pet", contentType="application/json", schema=json.dumps(schema)
        )
    )
    assert code == "BadRequestException" and "canonical form" in message
    assert _Counting.hits == []
