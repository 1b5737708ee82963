"""TestInvokeMethod and TestInvokeAuthorizer (apigateway v1) run through the gateway's
REST pipeline without a deployment, invoking real Lambda functions; FlushStageAuthorizersCache
empties a stage's cached authorizer results; FlushStageCache is accepted."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.conftest import ServerProcess, create_function
from tests.gateway.conftest import function_arn, path_url


@pytest.fixture(scope="module")
def apigw_v1(server: ServerProcess) -> Any:
    return server.client("apigateway")


def _invoke_uri(function: str) -> str:
    return (
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
        f"{function_arn(function)}/invocations"
    )


AUTHORIZER = """
import uuid

def handler(event, context):
    token = event.get("authorizationToken") or (event.get("headers") or {}).get("x-token")
    effect = "Allow" if token == "allow" else "Deny"
    return {"principalId": "user-9", "context": {"call": uuid.uuid4().hex},
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect, "Resource": "*"}]}}
"""


@pytest.fixture(scope="module")
def authorizer_function(lambda_client: Any) -> str:
    return create_function(lambda_client, AUTHORIZER)


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def _api_with_item(apigw_v1: Any, function: str, **method: Any) -> tuple[str, str]:
    api_id: str = apigw_v1.create_rest_api(name="trial")["id"]
    root = apigw_v1.get_resources(restApiId=api_id)["items"][0]["id"]
    items = apigw_v1.create_resource(restApiId=api_id, parentId=root, pathPart="items")["id"]
    item: str = apigw_v1.create_resource(restApiId=api_id, parentId=items, pathPart="{id}")["id"]
    apigw_v1.put_method(
        restApiId=api_id,
        resourceId=item,
        httpMethod="POST",
        authorizationType=method.pop("authorizationType", "NONE"),
        **method,
    )
    apigw_v1.put_integration(
        restApiId=api_id,
        resourceId=item,
        httpMethod="POST",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=_invoke_uri(function),
    )
    return api_id, item


def test_invoke_method_runs_the_lambda_without_a_deployment(
    apigw_v1: Any, echo_function: str
) -> None:
    api_id, item = _api_with_item(apigw_v1, echo_function, apiKeyRequired=True)
    answer = apigw_v1.test_invoke_method(
        restApiId=api_id,
        resourceId=item,
        httpMethod="POST",
        pathWithQueryString="/items/42?x=1&x=2",
        body='{"hello": "world"}',
        headers={"X-One": "1"},
        multiValueHeaders={"X-Many": ["a", "b"]},
        stageVariables={"color": "blue"},
    )
    assert answer["status"] == 200
    assert answer["headers"]["content-type"] == "application/json"
    assert answer["multiValueHeaders"]["content-type"] == ["application/json"]
    event = json.loads(answer["body"])  # the echo function got API Gateway's proxy event
    assert event["resource"] == "/items/{id}" and event["path"] == "/items/42"
    assert event["httpMethod"] == "POST"
    assert event["pathParameters"] == {"id": "42"}
    assert event["multiValueQueryStringParameters"] == {"x": ["1", "2"]}
    assert event["body"] == '{"hello": "world"}'
    assert event["stageVariables"] == {"color": "blue"}
    assert event["headers"]["x-one"] == "1"
    assert event["multiValueHeaders"]["x-many"] == ["a", "b"]
    assert event["requestContext"]["stage"] == "test-invoke-stage"
    log = answer["log"]
    assert log.startswith("Execution log for request ")
    assert "HTTP Method: POST, Resource Path: /items/42" in log
    assert "Method request path: {id=42}" in log
    assert "Method request query string: {x=1,2}" in log
    assert "Method completed with status: 200" in log
    assert isinstance(answer["latency"], int) and answer["latency"] >= 0
    # nothing was deployed by the test
    assert apigw_v1.get_deployments(restApiId=api_id)["items"] == []


def test_invoke_method_bypasses_the_authorizer_and_sees_the_current_api(
    apigw_v1: Any, echo_function: str, scripted_function: str, authorizer_function: str
) -> None:
    api_id = apigw_v1.create_rest_api(name="trial-auth")["id"]
    authorizer = apigw_v1.create_authorizer(
        restApiId=api_id, name="a", type="TOKEN", authorizerUri=_invoke_uri(authorizer_function)
    )["id"]
    root = apigw_v1.get_resources(restApiId=api_id)["items"][0]["id"]
    apigw_v1.put_method(
        restApiId=api_id,
        resourceId=root,
        httpMethod="GET",
        authorizationType="CUSTOM",
        authorizerId=authorizer,
    )
    apigw_v1.put_integration(
        restApiId=api_id,
        resourceId=root,
        httpMethod="GET",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=_invoke_uri(echo_function),
    )
    answer = apigw_v1.test_invoke_method(restApiId=api_id, resourceId=root, httpMethod="GET")
    assert answer["status"] == 200
    event = json.loads(answer["body"])
    assert event["path"] == "/" and event["pathParameters"] is None
    # a change shows at once, without a deployment: the function's error is a 502
    apigw_v1.update_integration(
        restApiId=api_id,
        resourceId=root,
        httpMethod="GET",
        patchOperations=[
            {"op": "replace", "path": "/uri", "value": _invoke_uri(scripted_function)}
        ],
    )
    failed = apigw_v1.test_invoke_method(
        restApiId=api_id, resourceId=root, httpMethod="GET", body='{"answer": "raise"}'
    )
    assert failed["status"] == 502
    assert json.loads(failed["body"]) == {"message": "Internal server error"}
    assert "Method completed with status: 502" in failed["log"]


def test_invoke_method_with_mock_templates_and_validation(apigw_v1: Any) -> None:
    api_id = apigw_v1.create_rest_api(name="trial-mock")["id"]
    root = apigw_v1.get_resources(restApiId=api_id)["items"][0]["id"]
    validator = apigw_v1.create_request_validator(
        restApiId=api_id, name="params", validateRequestParameters=True
    )["id"]
    apigw_v1.put_method(
        restApiId=api_id,
        resourceId=root,
        httpMethod="GET",
        authorizationType="NONE",
        requestValidatorId=validator,
        requestParameters={"method.request.querystring.name": True},
    )
    apigw_v1.put_integration(
        restApiId=api_id,
        resourceId=root,
        httpMethod="GET",
        type="MOCK",
        requestTemplates={"application/json": '{"statusCode": 200}'},
    )
    apigw_v1.put_method_response(
        restApiId=api_id, resourceId=root, httpMethod="GET", statusCode="200"
    )
    apigw_v1.put_integration_response(
        restApiId=api_id,
        resourceId=root,
        httpMethod="GET",
        statusCode="200",
        responseTemplates={"application/json": '{"hello": "$input.params(\'name\')"}'},
        responseParameters={"method.response.header.x-mock": "'yes'"},
    )
    ok = apigw_v1.test_invoke_method(
        restApiId=api_id, resourceId=root, httpMethod="GET", pathWithQueryString="/?name=ann"
    )
    assert ok["status"] == 200
    assert json.loads(ok["body"]) == {"hello": "ann"}
    assert ok["headers"]["x-mock"] == "yes"
    invalid = apigw_v1.test_invoke_method(restApiId=api_id, resourceId=root, httpMethod="GET")
    assert invalid["status"] == 400
    assert json.loads(invalid["body"]) == {"message": "Missing required request parameters: [name]"}


def test_invoke_method_refusals(apigw_v1: Any) -> None:
    api_id = apigw_v1.create_rest_api(name="trial-errors")["id"]
    root = apigw_v1.get_resources(restApiId=api_id)["items"][0]["id"]
    cases: list[tuple[dict[str, str], str, str]] = [
        (
            {"restApiId": "nope", "resourceId": root, "httpMethod": "GET"},
            "NotFoundException",
            "Invalid API identifier specified 000000000000:nope",
        ),
        (
            {"restApiId": api_id, "resourceId": "nores", "httpMethod": "GET"},
            "NotFoundException",
            "Invalid Resource identifier specified 000000000000:nores",
        ),
        (
            {"restApiId": api_id, "resourceId": root, "httpMethod": "GET"},
            "NotFoundException",
            "Invalid Method identifier specified",
        ),
    ]
    for params, code, message in cases:
        with pytest.raises(ClientError) as excinfo:
            apigw_v1.test_invoke_method(**params)
        assert _error(excinfo) == (code, message)


@pytest.mark.parametrize("kind", ["TOKEN", "REQUEST"])
def test_invoke_authorizer(apigw_v1: Any, authorizer_function: str, kind: str) -> None:
    api_id = apigw_v1.create_rest_api(name="trial-authorizer")["id"]
    source = (
        "method.request.header.Authorization"
        if kind == "TOKEN"
        else "method.request.header.x-token"
    )
    authorizer = apigw_v1.create_authorizer(
        restApiId=api_id,
        name="a",
        type=kind,
        authorizerUri=_invoke_uri(authorizer_function),
        identitySource=source,
    )["id"]
    header = "Authorization" if kind == "TOKEN" else "x-token"
    allowed = apigw_v1.test_invoke_authorizer(
        restApiId=api_id, authorizerId=authorizer, headers={header: "allow"}
    )
    assert allowed["clientStatus"] == 0  # "0 if the authorizer succeeded"
    assert allowed["principalId"] == "user-9"
    policy = json.loads(allowed["policy"])
    assert policy["Statement"][0]["Effect"] == "Allow"
    assert allowed["log"].startswith("Execution log for request ")
    assert isinstance(allowed["latency"], int)
    denied = apigw_v1.test_invoke_authorizer(
        restApiId=api_id, authorizerId=authorizer, headers={header: "other"}
    )
    assert denied["clientStatus"] == 0
    assert json.loads(denied["policy"])["Statement"][0]["Effect"] == "Deny"
    missing = apigw_v1.test_invoke_authorizer(restApiId=api_id, authorizerId=authorizer)
    assert missing["clientStatus"] == 401 and "principalId" not in missing
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.test_invoke_authorizer(restApiId=api_id, authorizerId="nope")
    assert _error(excinfo) == (
        "NotFoundException",
        "Invalid Authorizer identifier specified 000000000000:nope",
    )


def test_flush_stage_authorizers_cache(
    server: ServerProcess, apigw_v1: Any, echo_function: str, authorizer_function: str
) -> None:
    api_id = apigw_v1.create_rest_api(name="cached")["id"]
    authorizer = apigw_v1.create_authorizer(
        restApiId=api_id,
        name="cached",
        type="TOKEN",
        authorizerUri=_invoke_uri(authorizer_function),
        authorizerResultTtlInSeconds=300,
    )["id"]
    root = apigw_v1.get_resources(restApiId=api_id)["items"][0]["id"]
    apigw_v1.put_method(
        restApiId=api_id,
        resourceId=root,
        httpMethod="GET",
        authorizationType="CUSTOM",
        authorizerId=authorizer,
    )
    apigw_v1.put_integration(
        restApiId=api_id,
        resourceId=root,
        httpMethod="GET",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=_invoke_uri(echo_function),
    )
    apigw_v1.create_deployment(restApiId=api_id, stageName="one")
    apigw_v1.create_deployment(restApiId=api_id, stageName="two")

    def call(stage: str) -> str:
        response = httpx.get(
            path_url(server, api_id, f"/{stage}/"), headers={"authorization": "allow"}
        )
        assert response.status_code == 200, response.text
        return str(response.json()["requestContext"]["authorizer"]["call"])

    first, other = call("one"), call("two")
    assert call("one") == first and call("two") == other  # both answered from the cache
    answer = apigw_v1.flush_stage_authorizers_cache(restApiId=api_id, stageName="one")
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 202
    fresh = call("one")
    assert fresh != first  # the authorizer was asked again
    assert call("one") == fresh
    assert call("two") == other  # the other stage's cache is untouched
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.flush_stage_authorizers_cache(restApiId=api_id, stageName="nostage")
    assert _error(excinfo) == ("NotFoundException", "Invalid Stage identifier specified")


def test_flush_stage_cache_is_accepted(apigw_v1: Any) -> None:
    api_id = apigw_v1.create_rest_api(name="flush")["id"]
    root = apigw_v1.get_resources(restApiId=api_id)["items"][0]["id"]
    apigw_v1.put_method(
        restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE"
    )
    apigw_v1.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")
    apigw_v1.create_deployment(restApiId=api_id, stageName="s")
    answer = apigw_v1.flush_stage_cache(restApiId=api_id, stageName="s")
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 202
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.flush_stage_cache(restApiId=api_id, stageName="nostage")
    assert _error(excinfo) == ("NotFoundException", "Invalid Stage identifier specified")
