"""Gateway responses of REST APIs with boto3 and real HTTP: the control plane
(Put/Get/GetGatewayResponses/Update/Delete, AWS's defaults, bad input) and the stage
answering its own errors with them (status, headers, templates, DEFAULT_4XX/5XX,
per deployment), hostile templates included."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.conftest import ServerProcess
from tests.gateway.conftest import function_arn, path_url

DEFAULT_TEMPLATE = {"application/json": '{"message":$context.error.messageString}'}
DEFAULT_STATUS = {
    "DEFAULT_4XX": None,
    "DEFAULT_5XX": None,
    "ACCESS_DENIED": "403",
    "API_CONFIGURATION_ERROR": "500",
    "AUTHORIZER_CONFIGURATION_ERROR": "500",
    "AUTHORIZER_FAILURE": "500",
    "BAD_REQUEST_PARAMETERS": "400",
    "BAD_REQUEST_BODY": "400",
    "EXPIRED_TOKEN": "403",
    "INTEGRATION_FAILURE": "504",
    "INTEGRATION_TIMEOUT": "504",
    "INVALID_API_KEY": "403",
    "INVALID_SIGNATURE": "403",
    "MISSING_AUTHENTICATION_TOKEN": "403",
    "QUOTA_EXCEEDED": "429",
    "REQUEST_TOO_LARGE": "413",
    "RESOURCE_NOT_FOUND": "404",
    "THROTTLED": "429",
    "UNAUTHORIZED": "401",
    "UNSUPPORTED_MEDIA_TYPE": "415",
    "WAF_FILTERED": "403",
}


@pytest.fixture(scope="module")
def apigw_v1(server: ServerProcess) -> Any:
    return server.client("apigateway")


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> dict[str, Any]:
    return dict(excinfo.value.response["Error"])


def _mock_api(apigw_v1: Any, name: str = "gr") -> tuple[str, str]:
    """An API with ``GET /items`` (a MOCK answering 200 ``ok``); its id and root."""
    api_id = apigw_v1.create_rest_api(name=name)["id"]
    root = apigw_v1.get_resources(restApiId=api_id)["items"][0]["id"]
    items = apigw_v1.create_resource(restApiId=api_id, parentId=root, pathPart="items")["id"]
    apigw_v1.put_method(
        restApiId=api_id, resourceId=items, httpMethod="GET", authorizationType="NONE"
    )
    apigw_v1.put_integration(
        restApiId=api_id,
        resourceId=items,
        httpMethod="GET",
        type="MOCK",
        requestTemplates={"application/json": '{"statusCode": 200}'},
    )
    apigw_v1.put_method_response(
        restApiId=api_id, resourceId=items, httpMethod="GET", statusCode="200"
    )
    apigw_v1.put_integration_response(
        restApiId=api_id,
        resourceId=items,
        httpMethod="GET",
        statusCode="200",
        responseTemplates={"application/json": "ok"},
    )
    return api_id, root


def test_defaults_are_listed_for_every_type(apigw_v1: Any) -> None:
    api_id, _ = _mock_api(apigw_v1)
    items = apigw_v1.get_gateway_responses(restApiId=api_id)["items"]
    assert [i["responseType"] for i in items] == list(DEFAULT_STATUS)
    for item in items:
        assert item["defaultResponse"] is True
        assert item.get("statusCode") == DEFAULT_STATUS[item["responseType"]]
        assert item["responseTemplates"] == DEFAULT_TEMPLATE
        assert item["responseParameters"] == {}
    one = apigw_v1.get_gateway_response(restApiId=api_id, responseType="UNAUTHORIZED")
    assert one["statusCode"] == "401" and one["defaultResponse"] is True


def test_put_get_update_delete(apigw_v1: Any) -> None:
    api_id, _ = _mock_api(apigw_v1)
    put = apigw_v1.put_gateway_response(
        restApiId=api_id,
        responseType="MISSING_AUTHENTICATION_TOKEN",
        statusCode="404",
        responseParameters={"gatewayresponse.header.x-why": "'nothing here'"},
        responseTemplates={"application/json": '{"error": "$context.error.responseType"}'},
    )
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert put["statusCode"] == "404" and put["defaultResponse"] is False
    got = apigw_v1.get_gateway_response(
        restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN"
    )
    assert got["responseParameters"] == {"gatewayresponse.header.x-why": "'nothing here'"}
    listed = {
        i["responseType"]: i for i in apigw_v1.get_gateway_responses(restApiId=api_id)["items"]
    }
    assert listed["MISSING_AUTHENTICATION_TOKEN"]["defaultResponse"] is False
    assert listed["UNAUTHORIZED"]["defaultResponse"] is True
    updated = apigw_v1.update_gateway_response(
        restApiId=api_id,
        responseType="MISSING_AUTHENTICATION_TOKEN",
        patchOperations=[
            {"op": "replace", "path": "/statusCode", "value": "410"},
            {
                "op": "add",
                "path": "/responseParameters/gatewayresponse.header.x-two",
                "value": "'2'",
            },
            {"op": "remove", "path": "/responseParameters/gatewayresponse.header.x-why"},
            {"op": "replace", "path": "/responseTemplates/text~1plain", "value": "gone"},
        ],
    )
    assert updated["statusCode"] == "410"
    assert updated["responseParameters"] == {"gatewayresponse.header.x-two": "'2'"}
    assert updated["responseTemplates"]["text/plain"] == "gone"
    # A type never put is patched from its default.
    patched = apigw_v1.update_gateway_response(
        restApiId=api_id,
        responseType="THROTTLED",
        patchOperations=[{"op": "replace", "path": "/statusCode", "value": "503"}],
    )
    assert patched["statusCode"] == "503" and patched["responseTemplates"] == DEFAULT_TEMPLATE
    apigw_v1.delete_gateway_response(restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN")
    back = apigw_v1.get_gateway_response(
        restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN"
    )
    assert back["defaultResponse"] is True and back["statusCode"] == "403"
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.delete_gateway_response(
            restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN"
        )
    assert _error(excinfo)["Code"] == "NotFoundException"


def test_default_4xx_is_inherited(apigw_v1: Any) -> None:
    api_id, _ = _mock_api(apigw_v1)
    apigw_v1.put_gateway_response(
        restApiId=api_id,
        responseType="DEFAULT_4XX",
        responseParameters={"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
    )
    inherited = apigw_v1.get_gateway_response(restApiId=api_id, responseType="UNAUTHORIZED")
    assert inherited["defaultResponse"] is True and inherited["statusCode"] == "401"
    assert inherited["responseParameters"] == {
        "gatewayresponse.header.Access-Control-Allow-Origin": "'*'"
    }
    five = apigw_v1.get_gateway_response(restApiId=api_id, responseType="INTEGRATION_TIMEOUT")
    assert five["responseParameters"] == {}


@pytest.mark.parametrize(
    ("arguments", "code", "message"),
    [
        (
            {"responseParameters": {"method.response.header.x": "'a'"}},
            "BadRequestException",
            "Invalid mapping expression specified: Validation Result: warnings : [], "
            "errors : [Invalid mapping expression specified: method.response.header.x]",
        ),
        (
            {"responseParameters": {"gatewayresponse.header.x": "not-quoted"}},
            "BadRequestException",
            "Invalid mapping expression specified: Validation Result: warnings : [], "
            "errors : [Invalid mapping expression specified: not-quoted]",
        ),
        (
            {"statusCode": "99"},
            "BadRequestException",  # the model's pattern, checked by the protocol layer
            "1 validation error detected: Value '99' at 'statusCode' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: [1-5]\\d\\d",
        ),
        (
            {"responseTemplates": {"application/json": "x" * (300 * 1024 + 1)}},
            "BadRequestException",
            "Response template for application/json exceeds the maximum size of 300 KB",
        ),
    ],
    ids=["target-not-gatewayresponse", "unquoted-static-value", "status-code", "huge-template"],
)
def test_bad_gateway_responses_are_refused(
    apigw_v1: Any, arguments: dict[str, Any], code: str, message: str
) -> None:
    api_id, _ = _mock_api(apigw_v1)
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.put_gateway_response(restApiId=api_id, responseType="UNAUTHORIZED", **arguments)
    assert _error(excinfo) == {"Code": code, "Message": message}
    stored = apigw_v1.get_gateway_response(restApiId=api_id, responseType="UNAUTHORIZED")
    assert stored["defaultResponse"] is True  # nothing stored


def test_unknown_type_and_api(apigw_v1: Any) -> None:
    api_id, _ = _mock_api(apigw_v1)
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.put_gateway_response(restApiId=api_id, responseType="NOT_A_TYPE")
    assert _error(excinfo)["Code"] == "BadRequestException"  # the model's enum
    assert "Member must satisfy enum value set" in _error(excinfo)["Message"]
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.get_gateway_responses(restApiId="nope000000")
    assert _error(excinfo)["Code"] == "NotFoundException"
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.update_gateway_response(
            restApiId=api_id,
            responseType="UNAUTHORIZED",
            patchOperations=[{"op": "replace", "path": "/nonsense", "value": "1"}],
        )
    assert _error(excinfo)["Code"] == "BadRequestException"


def test_pagination_of_gateway_responses(apigw_v1: Any) -> None:
    api_id, _ = _mock_api(apigw_v1)
    first = apigw_v1.get_gateway_responses(restApiId=api_id, limit=8)
    assert len(first["items"]) == 8 and first["position"]
    second = apigw_v1.get_gateway_responses(restApiId=api_id, limit=8, position=first["position"])
    third = apigw_v1.get_gateway_responses(restApiId=api_id, limit=8, position=second["position"])
    assert "position" not in third
    names = [i["responseType"] for page in (first, second, third) for i in page["items"]]
    assert names == list(DEFAULT_STATUS)


def test_stage_answers_with_customised_responses(server: ServerProcess, apigw_v1: Any) -> None:
    api_id, _ = _mock_api(apigw_v1, "custom")
    apigw_v1.create_deployment(restApiId=api_id, stageName="v1", variables={"team": "blue"})
    url = path_url(server, api_id, "/v1/nowhere?q=7")
    default = httpx.get(url)
    assert default.status_code == 403
    assert default.json() == {"message": "Missing Authentication Token"}
    assert default.headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"
    apigw_v1.put_gateway_response(
        restApiId=api_id,
        responseType="MISSING_AUTHENTICATION_TOKEN",
        statusCode="404",
        responseParameters={
            "gatewayresponse.header.Access-Control-Allow-Origin": "method.request.header.origin",
            "gatewayresponse.header.x-static": "'fixed'",
            "gatewayresponse.header.x-query": "method.request.querystring.q",
            "gatewayresponse.header.x-team": "stageVariables.team",
        },
        responseTemplates={
            "application/json": (
                '{"msg": $context.error.messageString, "raw": "$context.error.message", '
                '"type": "$context.error.responseType", "stage": "$context.stage", '
                '"team": "$stageVariables.team"}'
            )
        },
    )
    # Gateway responses belong to a deployment: not served until deployed.
    assert httpx.get(url).status_code == 403
    apigw_v1.create_deployment(restApiId=api_id, stageName="v1")
    custom = httpx.get(url, headers={"origin": "https://shop.example"})
    assert custom.status_code == 404
    assert custom.headers["access-control-allow-origin"] == "https://shop.example"
    assert custom.headers["x-static"] == "fixed"
    assert custom.headers["x-query"] == "7"
    assert custom.headers["x-team"] == "blue"
    assert custom.headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"
    assert custom.headers["content-type"] == "application/json"
    assert custom.json() == {
        "msg": "Missing Authentication Token",
        "raw": "Missing Authentication Token",
        "type": "MISSING_AUTHENTICATION_TOKEN",
        "stage": "v1",
        "team": "blue",
    }
    assert httpx.get(path_url(server, api_id, "/v1/items")).text == "ok"  # others unchanged


def test_default_4xx_and_5xx_shape_other_errors(
    server: ServerProcess, apigw_v1: Any, scripted_function: str
) -> None:
    api_id, root = _mock_api(apigw_v1, "fallbacks")
    boom = apigw_v1.create_resource(restApiId=api_id, parentId=root, pathPart="boom")["id"]
    apigw_v1.put_method(
        restApiId=api_id, resourceId=boom, httpMethod="POST", authorizationType="NONE"
    )
    apigw_v1.put_integration(
        restApiId=api_id,
        resourceId=boom,
        httpMethod="POST",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=(
            "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
            f"{function_arn(scripted_function)}/invocations"
        ),
    )
    apigw_v1.put_gateway_response(
        restApiId=api_id,
        responseType="DEFAULT_4XX",
        responseParameters={"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
        responseTemplates={"application/json": '{"oops": $context.error.messageString}'},
    )
    apigw_v1.put_gateway_response(
        restApiId=api_id,
        responseType="DEFAULT_5XX",
        responseParameters={"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
    )
    apigw_v1.create_deployment(restApiId=api_id, stageName="s")
    missing = httpx.get(path_url(server, api_id, "/s/nothing"))
    assert missing.status_code == 403  # the type's own status: DEFAULT_4XX sets none
    assert missing.headers["access-control-allow-origin"] == "*"
    assert missing.json() == {"oops": "Missing Authentication Token"}
    failed = httpx.post(path_url(server, api_id, "/s/boom"), json={"answer": "raise"})
    assert failed.status_code == 502  # a Lambda proxy error keeps its 502
    assert failed.headers["access-control-allow-origin"] == "*"
    assert failed.headers["x-amzn-errortype"] == "InternalServerErrorException"
    assert failed.json() == {"message": "Internal server error"}
    # DEFAULT_4XX's status code replaces every 4XX type's that sets none of its own.
    apigw_v1.update_gateway_response(
        restApiId=api_id,
        responseType="DEFAULT_4XX",
        patchOperations=[{"op": "replace", "path": "/statusCode", "value": "418"}],
    )
    apigw_v1.create_deployment(restApiId=api_id, stageName="s")
    assert httpx.get(path_url(server, api_id, "/s/nothing")).status_code == 418


def test_api_key_and_throttle_errors_use_their_types(server: ServerProcess, apigw_v1: Any) -> None:
    api_id = apigw_v1.create_rest_api(name="keys")["id"]
    root = apigw_v1.get_resources(restApiId=api_id)["items"][0]["id"]
    apigw_v1.put_method(
        restApiId=api_id,
        resourceId=root,
        httpMethod="GET",
        authorizationType="NONE",
        apiKeyRequired=True,
    )
    apigw_v1.put_integration(
        restApiId=api_id,
        resourceId=root,
        httpMethod="GET",
        type="MOCK",
        requestTemplates={"application/json": '{"statusCode": 200}'},
    )
    apigw_v1.put_integration_response(
        restApiId=api_id, resourceId=root, httpMethod="GET", statusCode="200"
    )
    apigw_v1.create_deployment(restApiId=api_id, stageName="s")
    url = path_url(server, api_id, "/s/")
    plain = httpx.get(url)
    assert plain.status_code == 403 and plain.json() == {"message": "Forbidden"}
    assert plain.headers["x-amzn-errortype"] == "ForbiddenException"
    apigw_v1.put_gateway_response(
        restApiId=api_id,
        responseType="INVALID_API_KEY",
        statusCode="401",
        responseTemplates={"application/json": '{"need": "a key", "id": "$context.requestId"}'},
    )
    apigw_v1.create_deployment(restApiId=api_id, stageName="s")
    shaped = httpx.get(url)
    assert shaped.status_code == 401
    assert shaped.json() == {"need": "a key", "id": shaped.headers["x-amzn-requestid"]}


@pytest.mark.parametrize(
    "template",
    [
        "#foreach($i in [1..100000000])x#end",
        "#foreach($i in [1..1000])#foreach($j in [1..1000])#end#end",
        '#set($s = "ab")#foreach($i in [1..60])#set($s = "$s$s")#end$s',
        "#macro(again)#again()#end#again()",
        "#set($x = $util.parseJson('not json'))",
    ],
    ids=["endless-loop", "nested-loops", "doubling-string", "recursive-macro", "failing-call"],
)
def test_hostile_templates_answer_the_default(
    server: ServerProcess, apigw_v1: Any, template: str
) -> None:
    api_id, _ = _mock_api(apigw_v1, "hostile")
    apigw_v1.put_gateway_response(
        restApiId=api_id,
        responseType="MISSING_AUTHENTICATION_TOKEN",
        statusCode="404",
        responseTemplates={"application/json": template},
    )
    apigw_v1.create_deployment(restApiId=api_id, stageName="s")
    answer = httpx.get(path_url(server, api_id, "/s/nothing"), timeout=60)
    assert answer.status_code == 404
    assert answer.json() == {"message": "Missing Authentication Token"}
    assert httpx.get(path_url(server, api_id, "/s/items")).text == "ok"  # the server lives on


def test_integration_errors_use_their_types(server: ServerProcess, apigw_v1: Any) -> None:
    """A non-proxy integration's refusal (415 with passthroughBehavior NEVER) and a
    backend answer no integration response takes (API_CONFIGURATION_ERROR)."""
    api_id = apigw_v1.create_rest_api(name="integration-errors")["id"]
    root = apigw_v1.get_resources(restApiId=api_id)["items"][0]["id"]
    apigw_v1.put_method(
        restApiId=api_id, resourceId=root, httpMethod="POST", authorizationType="NONE"
    )
    apigw_v1.put_integration(
        restApiId=api_id,
        resourceId=root,
        httpMethod="POST",
        type="MOCK",
        passthroughBehavior="NEVER",
        requestTemplates={"application/json": '{"statusCode": 503}'},
    )
    apigw_v1.put_integration_response(
        restApiId=api_id,
        resourceId=root,
        httpMethod="POST",
        statusCode="200",
        selectionPattern="200",
    )
    apigw_v1.put_gateway_response(
        restApiId=api_id,
        responseType="UNSUPPORTED_MEDIA_TYPE",
        responseTemplates={"application/json": '{"type": "$context.error.responseType"}'},
    )
    apigw_v1.put_gateway_response(
        restApiId=api_id,
        responseType="API_CONFIGURATION_ERROR",
        statusCode="503",
        responseParameters={"gatewayresponse.header.Retry-After": "'5'"},
    )
    apigw_v1.create_deployment(restApiId=api_id, stageName="s")
    url = path_url(server, api_id, "/s/")
    refused = httpx.post(url, content=b"x", headers={"content-type": "text/csv"})
    assert refused.status_code == 415
    assert refused.json() == {"type": "UNSUPPORTED_MEDIA_TYPE"}
    assert refused.headers["x-amzn-errortype"] == "UnsupportedMediaTypeException"
    unmatched = httpx.post(url, json={})
    assert unmatched.status_code == 503 and unmatched.headers["retry-after"] == "5"
    assert unmatched.json() == {"message": "Internal server error"}
