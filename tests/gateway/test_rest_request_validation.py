"""Request validation when a stage serves a REST API (real server, real HTTP): missing
required parameters and bodies a model refuses answer 400 as API Gateway does, and the
function behind the method is never called for them; hostile bodies and schemas neither
hang the server nor reach the network."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ServerProcess, create_function
from tests.gateway.conftest import function_arn, path_url

# Records each call in a bucket before answering: the bucket is what shows that a
# refused request never reached the function.
RECORDER = """
import json, os, boto3

s3 = boto3.client("s3")

def handler(event, context):
    s3.put_object(Bucket=os.environ["BUCKET"], Key=context.aws_request_id,
                  Body=json.dumps(event).encode())
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": json.dumps({"called": True, "body": event.get("body"),
                                "query": event.get("queryStringParameters")})}
"""

PET = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "type": "object",
    "required": ["name"],
    "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}},
    "additionalProperties": False,
}


@pytest.fixture(scope="module")
def apigw_v1(server: ServerProcess) -> Any:
    return server.client("apigateway")


@pytest.fixture(scope="module")
def s3(server: ServerProcess) -> Any:
    return server.client("s3")


@pytest.fixture
def recorder(lambda_client: Any, s3: Any) -> tuple[str, str]:
    """A function and the bucket where it records each call."""
    bucket = f"calls-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    name = create_function(
        lambda_client, RECORDER, Environment={"Variables": {"BUCKET": bucket}}, Timeout=30
    )
    return name, bucket


def _calls(s3: Any, bucket: str) -> list[dict[str, Any]]:
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    return [json.loads(s3.get_object(Bucket=bucket, Key=k)["Body"].read()) for k in keys]


def _uri(function: str) -> str:
    return (
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
        f"{function_arn(function)}/invocations"
    )


def _method(
    apigw_v1: Any, api_id: str, resource: str, verb: str, function: str, **request: Any
) -> None:
    apigw_v1.put_method(
        restApiId=api_id,
        resourceId=resource,
        httpMethod=verb,
        authorizationType="NONE",
        **request,
    )
    apigw_v1.put_integration(
        restApiId=api_id,
        resourceId=resource,
        httpMethod=verb,
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=_uri(function),
    )


def _refused(response: httpx.Response, message: str) -> None:
    assert response.status_code == 400, response.text
    assert response.json() == {"message": message}
    assert response.headers["x-amzn-errortype"] == "BadRequestException"
    assert response.headers["content-type"].startswith("application/json")


def test_required_parameters(
    server: ServerProcess, apigw_v1: Any, s3: Any, recorder: tuple[str, str]
) -> None:
    function, bucket = recorder
    api_id = apigw_v1.create_rest_api(name="params")["id"]
    root = apigw_v1.get_resources(restApiId=api_id)["items"][0]["id"]
    items = apigw_v1.create_resource(restApiId=api_id, parentId=root, pathPart="items")["id"]
    item = apigw_v1.create_resource(restApiId=api_id, parentId=items, pathPart="{id}")["id"]
    params = apigw_v1.create_request_validator(
        restApiId=api_id, name="params", validateRequestParameters=True
    )["id"]
    body_only = apigw_v1.create_request_validator(
        restApiId=api_id, name="body", validateRequestBody=True
    )["id"]
    required = {
        "method.request.path.id": True,
        "method.request.querystring.q": True,
        "method.request.querystring.page": False,
        "method.request.header.x-token": True,
        "method.request.header.x-trace": True,
    }
    _method(
        apigw_v1,
        api_id,
        item,
        "GET",
        function,
        requestValidatorId=params,
        requestParameters=required,
    )
    # The same parameters under a validator that checks only bodies: not enforced.
    _method(
        apigw_v1,
        api_id,
        item,
        "DELETE",
        function,
        requestValidatorId=body_only,
        requestParameters=required,
    )
    # And without any validator: not enforced either.
    _method(apigw_v1, api_id, items, "GET", function, requestParameters=required)
    apigw_v1.create_deployment(restApiId=api_id, stageName="prod")
    url = path_url(server, api_id, "/prod/items/7")
    headers = {"x-token": "t", "x-trace": "1"}

    _refused(httpx.get(url), "Missing required request parameters: [x-token, x-trace, q]")
    _refused(
        httpx.get(url, headers={"x-token": "t"}),
        "Missing required request parameters: [x-trace, q]",
    )
    _refused(httpx.get(url, headers=headers), "Missing required request parameters: [q]")
    # Present but blank is missing: API Gateway wants them "included and not blank".
    _refused(
        httpx.get(url + "?q=", headers={**headers, "x-trace": ""}),
        "Missing required request parameters: [x-trace, q]",
    )
    # Header names are matched whatever their case.
    assert _calls(s3, bucket) == []
    ok = httpx.get(url + "?q=cats", headers={"X-Token": "t", "X-TRACE": "1"})
    assert ok.status_code == 200, ok.text
    assert ok.json()["query"] == {"q": "cats"}
    assert httpx.delete(url).status_code == 200
    assert httpx.get(path_url(server, api_id, "/prod/items")).status_code == 200
    assert len(_calls(s3, bucket)) == 3


def _pets_api(apigw_v1: Any, function: str, models: dict[str, str]) -> tuple[str, str]:
    api_id = apigw_v1.create_rest_api(name="bodies")["id"]
    root = apigw_v1.get_resources(restApiId=api_id)["items"][0]["id"]
    pets = apigw_v1.create_resource(restApiId=api_id, parentId=root, pathPart="pets")["id"]
    apigw_v1.create_model(
        restApiId=api_id, name="Pet", contentType="application/json", schema=json.dumps(PET)
    )
    validator = apigw_v1.create_request_validator(
        restApiId=api_id,
        name="everything",
        validateRequestBody=True,
        validateRequestParameters=True,
    )["id"]
    _method(
        apigw_v1,
        api_id,
        pets,
        "POST",
        function,
        requestValidatorId=validator,
        requestModels=models,
    )
    apigw_v1.create_deployment(restApiId=api_id, stageName="prod")
    return api_id, pets


BODIES = [
    (b'{"name": "Rex", "age": 3}', "application/json", True),
    (b'{"name": "Rex"}', "application/json; charset=utf-8", True),
    (b'{"name": "Rex"}', None, True),  # no content type: application/json
    (b'{"age": 3}', "application/json", False),  # "name" is required
    (b'{"name": "Rex", "age": -1}', "application/json", False),
    (b'{"name": "Rex", "color": "red"}', "application/json", False),
    (b'["Rex"]', "application/json", False),
    (b"", "application/json", False),  # checked as {}: "name" missing
    (b"{not json", "application/json", False),
    (b'{"name": "Rex"', "application/json", False),
    (b"name=Rex", None, False),
    (b"plain words", "text/plain", True),  # no model for text/plain: not checked
]


@pytest.mark.parametrize(
    ("body", "content_type", "passes"),
    BODIES,
    ids=[
        "valid",
        "valid-with-charset",
        "valid-without-content-type",
        "missing-required",
        "below-minimum",
        "additional-property",
        "array-not-object",
        "empty-body",
        "not-json",
        "truncated-json",
        "form-without-content-type",
        "no-model-for-the-type",
    ],
)
def test_body_against_the_model(
    server: ServerProcess,
    apigw_v1: Any,
    s3: Any,
    recorder: tuple[str, str],
    body: bytes,
    content_type: str | None,
    passes: bool,
) -> None:
    function, bucket = recorder
    api_id, _ = _pets_api(apigw_v1, function, {"application/json": "Pet"})
    headers = {"content-type": content_type} if content_type else {}
    response = httpx.post(path_url(server, api_id, "/prod/pets"), content=body, headers=headers)
    calls = _calls(s3, bucket)
    if passes:
        assert response.status_code == 200, response.text
        assert response.json()["called"] is True
        assert [c["body"] for c in calls] == [body.decode()]
    else:
        _refused(response, "Invalid request body")
        assert calls == []


def test_default_model_for_any_content_type(
    server: ServerProcess, apigw_v1: Any, s3: Any, recorder: tuple[str, str]
) -> None:
    function, bucket = recorder
    api_id, _ = _pets_api(apigw_v1, function, {"$default": "Pet", "text/plain": "Empty"})
    url = path_url(server, api_id, "/prod/pets")
    # An exact content type wins over $default: Empty wants an object, any object.
    assert httpx.post(url, content=b"{}", headers={"content-type": "text/plain"}).is_success
    _refused(
        httpx.post(url, content=b"words", headers={"content-type": "text/plain"}),
        "Invalid request body",
    )
    # Any other type falls to $default.
    _refused(
        httpx.post(url, content=b"{}", headers={"content-type": "application/xml"}),
        "Invalid request body",
    )
    assert httpx.post(url, json={"name": "Rex"}).is_success
    assert len(_calls(s3, bucket)) == 2


def test_a_stage_serves_the_models_it_was_deployed_with(
    server: ServerProcess, apigw_v1: Any, recorder: tuple[str, str]
) -> None:
    function, _ = recorder
    api_id, _ = _pets_api(apigw_v1, function, {"application/json": "Pet"})
    url = path_url(server, api_id, "/prod/pets")
    loose = {"type": "object"}
    apigw_v1.update_model(
        restApiId=api_id,
        modelName="Pet",
        patchOperations=[{"op": "replace", "path": "/schema", "value": json.dumps(loose)}],
    )
    _refused(httpx.post(url, json={"age": 3}), "Invalid request body")  # still the old one
    apigw_v1.create_deployment(restApiId=api_id, stageName="prod")
    assert httpx.post(url, json={"age": 3}).status_code == 200
    validators = apigw_v1.get_request_validators(restApiId=api_id)["items"]
    apigw_v1.update_request_validator(
        restApiId=api_id,
        requestValidatorId=validators[0]["id"],
        patchOperations=[{"op": "replace", "path": "/validateRequestBody", "value": "false"}],
    )
    apigw_v1.update_model(
        restApiId=api_id,
        modelName="Pet",
        patchOperations=[{"op": "replace", "path": "/schema", "value": json.dumps(PET)}],
    )
    assert httpx.post(url, json={"age": 3}).status_code == 200  # deployed: loose
    apigw_v1.create_deployment(restApiId=api_id, stageName="prod")
    assert httpx.post(url, json={"age": 3}).status_code == 200  # deployed: no body check


def test_models_refer_to_each_other(
    server: ServerProcess, apigw_v1: Any, recorder: tuple[str, str]
) -> None:
    function, _ = recorder
    api_id = apigw_v1.create_rest_api(name="refs")["id"]
    root = apigw_v1.get_resources(restApiId=api_id)["items"][0]["id"]
    apigw_v1.create_model(
        restApiId=api_id, name="Pet", contentType="application/json", schema=json.dumps(PET)
    )
    owner = {
        "type": "object",
        "required": ["pets", "id"],
        "properties": {
            "id": {"$ref": "#/definitions/id"},
            "pets": {
                "type": "array",
                "items": {"$ref": f"https://apigateway.amazonaws.com/restapis/{api_id}/models/Pet"},
            },
        },
        "definitions": {"id": {"type": "string", "pattern": "^[0-9]+$"}},
    }
    apigw_v1.create_model(
        restApiId=api_id, name="Owner", contentType="application/json", schema=json.dumps(owner)
    )
    validator = apigw_v1.create_request_validator(
        restApiId=api_id, name="body", validateRequestBody=True
    )["id"]
    _method(
        apigw_v1,
        api_id,
        root,
        "PUT",
        function,
        requestValidatorId=validator,
        requestModels={"application/json": "Owner"},
    )
    apigw_v1.create_deployment(restApiId=api_id, stageName="prod")
    url = path_url(server, api_id, "/prod/")
    assert httpx.put(url, json={"id": "12", "pets": [{"name": "Rex"}]}).status_code == 200
    _refused(httpx.put(url, json={"id": "12", "pets": [{"age": 1}]}), "Invalid request body")
    _refused(httpx.put(url, json={"id": "x1", "pets": []}), "Invalid request body")


def test_hostile_bodies_and_schemas(
    server: ServerProcess, apigw_v1: Any, s3: Any, recorder: tuple[str, str]
) -> None:
    function, bucket = recorder
    api_id = apigw_v1.create_rest_api(name="hostile")["id"]
    root = apigw_v1.get_resources(restApiId=api_id)["items"][0]["id"]
    schemas = {
        "Tree": {
            "type": "object",
            "properties": {"kids": {"type": "array", "items": {"$ref": "#"}}},
        },
        "Loop": {"$ref": "#"},
        "Pair": {
            "definitions": {"a": {"$ref": "#/definitions/b"}, "b": {"$ref": "#/definitions/a"}},
            "$ref": "#/definitions/a",
        },
        "Numbers": {"type": "array", "items": {"type": "integer"}},
    }
    validator = apigw_v1.create_request_validator(
        restApiId=api_id, name="body", validateRequestBody=True
    )["id"]
    for name, schema in schemas.items():
        apigw_v1.create_model(
            restApiId=api_id, name=name, contentType="application/json", schema=json.dumps(schema)
        )
        resource = apigw_v1.create_resource(restApiId=api_id, parentId=root, pathPart=name.lower())[
            "id"
        ]
        _method(
            apigw_v1,
            api_id,
            resource,
            "POST",
            function,
            requestValidatorId=validator,
            requestModels={"application/json": name},
        )
    apigw_v1.create_deployment(restApiId=api_id, stageName="prod")

    def url(name: str) -> str:
        return path_url(server, api_id, f"/prod/{name}")

    # Nested deeper than any JSON parser here takes, and deeper than the schema's own
    # recursion can follow: refused, promptly, and the server goes on.
    deep = b'{"kids":[' * 50_000 + b"{}" + b"]}" * 50_000
    _refused(httpx.post(url("tree"), content=deep, timeout=60), "Invalid request body")
    # Deep but within the parser's reach: checked to the leaf, either way.
    bad_leaf = b'{"kids":[' * 300 + b'{"kids": 5}' + b"]}" * 300
    _refused(httpx.post(url("tree"), content=bad_leaf, timeout=60), "Invalid request body")
    shallow = b'{"kids":[' * 20 + b"{}" + b"]}" * 20
    assert httpx.post(url("tree"), content=shallow).status_code == 200
    # Schemas whose references never end: the body cannot be shown valid.
    _refused(httpx.post(url("loop"), json={}, timeout=60), "Invalid request body")
    _refused(httpx.post(url("pair"), json={"a": 1}, timeout=60), "Invalid request body")
    # A big body (about 6 MB) is checked whole, off the event loop.
    big = [7] * 1_500_000
    assert httpx.post(url("numbers"), json=big, timeout=120).status_code == 200
    _refused(httpx.post(url("numbers"), json=[*big, "x"], timeout=120), "Invalid request body")
    assert len(_calls(s3, bucket)) == 2
    # Beyond the payload limit, nothing is read or checked.
    huge = b"[" + b"1," * 5_500_000 + b"1]"
    assert httpx.post(url("numbers"), content=huge, timeout=120).status_code == 413


def test_models_and_validators_survive_kill_9(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        apigw = server.client("apigateway")
        api_id = apigw.create_rest_api(name="kept")["id"]
        root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
        apigw.create_model(
            restApiId=api_id, name="Pet", contentType="application/json", schema=json.dumps(PET)
        )
        validator = apigw.create_request_validator(
            restApiId=api_id, name="body", validateRequestBody=True
        )["id"]
        apigw.put_method(
            restApiId=api_id,
            resourceId=root,
            httpMethod="POST",
            authorizationType="NONE",
            requestValidatorId=validator,
            requestModels={"application/json": "Pet"},
        )
        apigw.put_integration(
            restApiId=api_id,
            resourceId=root,
            httpMethod="POST",
            type="MOCK",
            requestTemplates={"application/json": '{"statusCode": 200}'},
        )
        apigw.put_method_response(
            restApiId=api_id, resourceId=root, httpMethod="POST", statusCode="200"
        )
        apigw.put_integration_response(
            restApiId=api_id, resourceId=root, httpMethod="POST", statusCode="200"
        )
        apigw.create_deployment(restApiId=api_id, stageName="prod")
        server.kill()
        server.start()
        assert json.loads(apigw.get_model(restApiId=api_id, modelName="Pet")["schema"]) == PET
        kept = apigw.get_request_validator(restApiId=api_id, requestValidatorId=validator)
        assert kept["validateRequestBody"] is True
        url = path_url(server, api_id, "/prod/")
        assert httpx.post(url, json={"name": "Rex"}, timeout=30).status_code == 200
        _refused(httpx.post(url, json={"age": 1}, timeout=30), "Invalid request body")
    finally:
        server.stop()
