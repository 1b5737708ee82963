"""REST APIs (apigateway v1) with boto3 and real HTTP: resources, Lambda proxy (1.0),
MOCK, HTTP_PROXY, stages, API keys with usage plans, TOKEN/REQUEST authorizers, errors."""

from __future__ import annotations

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


def _proxy_api(apigw_v1: Any, function: str, **method: Any) -> tuple[str, str, str]:
    api_id = apigw_v1.create_rest_api(name="rest")["id"]
    root = apigw_v1.get_resources(restApiId=api_id)["items"][0]["id"]
    items = apigw_v1.create_resource(restApiId=api_id, parentId=root, pathPart="items")["id"]
    item = apigw_v1.create_resource(restApiId=api_id, parentId=items, pathPart="{id}")["id"]
    proxy = apigw_v1.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")["id"]
    for resource, verb in ((item, "GET"), (proxy, "ANY")):
        apigw_v1.put_method(
            restApiId=api_id,
            resourceId=resource,
            httpMethod=verb,
            authorizationType=method.pop("authorizationType", "NONE")
            if resource == item
            else "NONE",
            **(method if resource == item else {}),
        )
        apigw_v1.put_integration(
            restApiId=api_id,
            resourceId=resource,
            httpMethod=verb,
            type="AWS_PROXY",
            integrationHttpMethod="POST",
            uri=_invoke_uri(function),
        )
    apigw_v1.create_deployment(restApiId=api_id, stageName="prod", variables={"v": "1"})
    return api_id, item, proxy


def test_lambda_proxy_event_and_resource_tree(
    server: ServerProcess, apigw_v1: Any, echo_function: str
) -> None:
    api_id, item, _ = _proxy_api(apigw_v1, echo_function)
    resources = {r["path"]: r for r in apigw_v1.get_resources(restApiId=api_id)["items"]}
    assert set(resources) == {"/", "/items", "/items/{id}", "/{proxy+}"}
    assert "GET" in resources["/items/{id}"]["resourceMethods"]
    response = httpx.get(path_url(server, api_id, "/prod/items/42?x=1&x=2"), headers={"x-h": "v"})
    assert response.status_code == 200, response.text
    event = response.json()
    assert "version" not in event
    assert event["resource"] == "/items/{id}"
    assert event["path"] == "/items/42"
    assert event["pathParameters"] == {"id": "42"}
    assert event["multiValueQueryStringParameters"] == {"x": ["1", "2"]}
    assert event["queryStringParameters"] == {"x": "2"}
    assert event["stageVariables"] == {"v": "1"}
    context = event["requestContext"]
    assert context["stage"] == "prod" and context["path"] == "/prod/items/42"
    assert context["resourceId"] == item and context["resourcePath"] == "/items/{id}"
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    greedy = httpx.post(path_url(server, api_id, "/prod/a/b"), content=b"hi").json()
    assert greedy["resource"] == "/{proxy+}" and greedy["pathParameters"] == {"proxy": "a/b"}
    assert greedy["body"] == "hi"


def test_rest_errors_as_api_gateway_answers(
    server: ServerProcess, apigw_v1: Any, scripted_function: str
) -> None:
    api_id = apigw_v1.create_rest_api(name="errors")["id"]
    root = apigw_v1.get_resources(restApiId=api_id)["items"][0]["id"]
    answer = apigw_v1.create_resource(restApiId=api_id, parentId=root, pathPart="answer")["id"]
    apigw_v1.put_method(
        restApiId=api_id, resourceId=answer, httpMethod="POST", authorizationType="NONE"
    )
    apigw_v1.put_integration(
        restApiId=api_id,
        resourceId=answer,
        httpMethod="POST",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=_invoke_uri(scripted_function),
    )
    apigw_v1.create_deployment(restApiId=api_id, stageName="v1")
    url = path_url(server, api_id, "/v1/answer")
    ok = httpx.post(
        url,
        json={
            "answer": {"statusCode": 201, "body": "made", "multiValueHeaders": {"x-m": ["a", "b"]}}
        },
    )
    assert ok.status_code == 201 and ok.text == "made"
    assert ok.headers.get_list("x-m") == ["a", "b"]
    for answer_value in ("raise", {"hello": "no statusCode"}):
        bad = httpx.post(url, json={"answer": answer_value})
        assert bad.status_code == 502
        assert bad.json() == {"message": "Internal server error"}
    missing = httpx.get(path_url(server, api_id, "/v1/nothing"))
    assert missing.status_code == 403
    assert missing.json() == {"message": "Missing Authentication Token"}
    assert httpx.get(path_url(server, api_id, "/nostage/answer")).status_code == 403


def test_mock_integration_and_bad_aws_uri(server: ServerProcess, apigw_v1: Any) -> None:
    api_id = apigw_v1.create_rest_api(name="mock")["id"]
    root = apigw_v1.get_resources(restApiId=api_id)["items"][0]["id"]
    apigw_v1.put_method(
        restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE"
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
        responseTemplates={"application/json": '{"mocked": true}'},
        responseParameters={"method.response.header.x-mock": "'yes'"},
    )
    apigw_v1.create_deployment(restApiId=api_id, stageName="test")
    response = httpx.get(path_url(server, api_id, "/test/"))
    assert response.status_code == 200
    assert response.json() == {"mocked": True}
    assert response.headers["x-mock"] == "yes"
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.put_integration(
            restApiId=api_id,
            resourceId=root,
            httpMethod="GET",
            type="AWS",
            integrationHttpMethod="POST",
            uri="arn:aws:apigateway:x",
        )
    assert excinfo.value.response["Error"]["Code"] == "BadRequestException"
    assert "path or action" in excinfo.value.response["Error"]["Message"]


def test_api_keys_and_usage_plans(server: ServerProcess, apigw_v1: Any, echo_function: str) -> None:
    api_id, _, _ = _proxy_api(apigw_v1, echo_function, apiKeyRequired=True)
    key = apigw_v1.create_api_key(name="client", enabled=True, value="k" * 24)
    plan = apigw_v1.create_usage_plan(
        name="basic",
        apiStages=[{"apiId": api_id, "stage": "prod"}],
        throttle={"burstLimit": 100, "rateLimit": 100},
        quota={"limit": 3, "period": "DAY"},
    )
    url = path_url(server, api_id, "/prod/items/1")
    assert httpx.get(url).status_code == 403
    assert httpx.get(url, headers={"x-api-key": "k" * 24}).status_code == 403  # not in a plan
    apigw_v1.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    statuses = [httpx.get(url, headers={"x-api-key": "k" * 24}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = httpx.get(url, headers={"x-api-key": "k" * 24})
    assert limited.json() == {"message": "Limit Exceeded"}
    assert apigw_v1.get_usage_plan_keys(usagePlanId=plan["id"])["items"][0]["id"] == key["id"]
    assert "value" not in apigw_v1.get_api_key(apiKey=key["id"])
    assert apigw_v1.get_api_key(apiKey=key["id"], includeValue=True)["value"] == "k" * 24


TOKEN_AUTHORIZER = """
def handler(event, context):
    token = event.get("authorizationToken") or (event.get("headers") or {}).get("x-token")
    effect = "Allow" if token in ("allow", "Bearer allow") else "Deny"
    return {"principalId": "user-7", "context": {"tier": "gold", "type": event["type"]},
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}]}}
"""


@pytest.mark.parametrize("kind", ["TOKEN", "REQUEST"])
def test_lambda_authorizers(
    server: ServerProcess, apigw_v1: Any, lambda_client: Any, echo_function: str, kind: str
) -> None:
    authorizer_function = create_function(lambda_client, TOKEN_AUTHORIZER)
    api_id = apigw_v1.create_rest_api(name="auth")["id"]
    root = apigw_v1.get_resources(restApiId=api_id)["items"][0]["id"]
    source = (
        "method.request.header.Authorization"
        if kind == "TOKEN"
        else "method.request.header.x-token"
    )
    authorizer = apigw_v1.create_authorizer(
        restApiId=api_id,
        name="auth",
        type=kind,
        authorizerUri=_invoke_uri(authorizer_function),
        identitySource=source,
        authorizerResultTtlInSeconds=0,
    )["id"]
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
    apigw_v1.create_deployment(restApiId=api_id, stageName="s")
    url = path_url(server, api_id, "/s/")
    header = "authorization" if kind == "TOKEN" else "x-token"
    missing = httpx.get(url)
    assert missing.status_code == 401 and missing.json() == {"message": "Unauthorized"}
    denied = httpx.get(url, headers={header: "nope"})
    assert denied.status_code == 403
    assert denied.json() == {
        "Message": "User is not authorized to access this resource with an explicit deny"
    }
    allowed = httpx.get(url, headers={header: "allow"})
    assert allowed.status_code == 200
    context = allowed.json()["requestContext"]["authorizer"]
    assert context == {"principalId": "user-7", "tier": "gold", "type": kind}


def test_rest_control_plane_errors(apigw_v1: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.get_rest_api(restApiId="nope")
    assert (
        excinfo.value.response["Error"]
        == {
            "Code": "NotFoundException",
            "Message": "Invalid API identifier specified 000000000000:nope",
        }
        or excinfo.value.response["Error"]["Code"] == "NotFoundException"
    )
    api_id = apigw_v1.create_rest_api(name="errs")["id"]
    root = apigw_v1.get_resources(restApiId=api_id)["items"][0]["id"]
    apigw_v1.create_resource(restApiId=api_id, parentId=root, pathPart="a")
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.create_resource(restApiId=api_id, parentId=root, pathPart="a")
    assert excinfo.value.response["Error"]["Code"] == "ConflictException"
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.create_deployment(restApiId=api_id, stageName="x")
    assert excinfo.value.response["Error"]["Message"] == "The REST API doesn't contain any methods"
    apigw_v1.update_rest_api(
        restApiId=api_id,
        patchOperations=[{"op": "replace", "path": "/description", "value": "new"}],
    )
    assert apigw_v1.get_rest_api(restApiId=api_id)["description"] == "new"
    apigw_v1.delete_rest_api(restApiId=api_id)
    assert all(a["id"] != api_id for a in apigw_v1.get_rest_apis()["items"])


def test_binary_media_types_decide_base64(
    server: ServerProcess, apigw_v1: Any, echo_function: str
) -> None:
    api_id = apigw_v1.create_rest_api(name="binary", binaryMediaTypes=["image/*"])["id"]
    root = apigw_v1.get_resources(restApiId=api_id)["items"][0]["id"]
    apigw_v1.put_method(
        restApiId=api_id, resourceId=root, httpMethod="POST", authorizationType="NONE"
    )
    apigw_v1.put_integration(
        restApiId=api_id,
        resourceId=root,
        httpMethod="POST",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=_invoke_uri(echo_function),
    )
    apigw_v1.create_deployment(restApiId=api_id, stageName="s")
    url = path_url(server, api_id, "/s/")
    image = httpx.post(url, content=b"\x89PNG", headers={"content-type": "image/png"}).json()
    assert image["isBase64Encoded"] is True and image["body"] == "iVBORw=="
    other = httpx.post(url, content=b"\x00abc", headers={"content-type": "application/x-thing"})
    assert other.json()["isBase64Encoded"] is False


def test_aws_iam_methods_need_a_signed_request(
    server: ServerProcess, apigw_v1: Any, echo_function: str
) -> None:
    api_id = apigw_v1.create_rest_api(name="iam")["id"]
    root = apigw_v1.get_resources(restApiId=api_id)["items"][0]["id"]
    apigw_v1.put_method(
        restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="AWS_IAM"
    )
    apigw_v1.put_integration(
        restApiId=api_id,
        resourceId=root,
        httpMethod="GET",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=_invoke_uri(echo_function),
    )
    apigw_v1.create_deployment(restApiId=api_id, stageName="s")
    url = path_url(server, api_id, "/s/")
    unsigned = httpx.get(url)
    assert unsigned.status_code == 403
    assert unsigned.json() == {"message": "Missing Authentication Token"}
    # Signed requests, verified: tests/gateway/test_iam_auth.py.
