"""Our proxy events against AWS's published samples (../shared/conformance/events), field
by field: every field of a sample is in our event with a value of the same type, except
those a sample has only because of a feature the request does not use (listed with the
reason). aws-lambda-powertools' data classes must read our events unchanged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from tests.conftest import CONFORMANCE, ServerProcess, create_function
from tests.gateway.conftest import ECHO, function_arn, path_url

EVENTS = CONFORMANCE / "events"
pytestmark = pytest.mark.skipif(
    not EVENTS.is_dir(), reason="../shared/conformance is absent in this clone"
)

#: Maps whose keys are the request's data, not the event's shape.
DATA_MAPS = {
    "headers",
    "multiValueHeaders",
    "queryStringParameters",
    "multiValueQueryStringParameters",
    "pathParameters",
    "stageVariables",
    "authorizer",
}
#: Sample fields that come from features a plain request does not use.
ABSENT_BY_DESIGN = {
    "requestContext.authentication": "mutual TLS client certificates (not served)",
    "requestContext.identity.clientCert": "mutual TLS client certificates (not served)",
    "requestContext.authorizer": "only with an authorizer (tests/gateway/test_http_api_features)",
    "requestContext.identity.principalOrgId": "absent from older samples",
}


def _diff(sample: Any, ours: Any, path: str = "") -> list[str]:
    problems: list[str] = []
    if isinstance(sample, dict):
        if not isinstance(ours, dict):
            return [f"{path}: expected an object, got {type(ours).__name__}"]
        for key, value in sample.items():
            where = f"{path}.{key}" if path else key
            if where in ABSENT_BY_DESIGN:
                continue
            if key not in ours:
                problems.append(f"{where}: missing")
                continue
            if key in DATA_MAPS:
                if value is not None and ours[key] is not None and not isinstance(ours[key], dict):
                    problems.append(f"{where}: expected a map")
                continue
            problems.extend(_diff(value, ours[key], where))
        return problems
    if sample is None or ours is None:
        return problems  # AWS writes null for what is absent
    numeric = (int, float)
    if isinstance(sample, bool) or isinstance(ours, bool):
        if type(sample) is not type(ours):
            problems.append(f"{path}: {type(sample).__name__} vs {type(ours).__name__}")
    elif isinstance(sample, numeric) and isinstance(ours, numeric):
        pass
    elif type(sample) is not type(ours):
        problems.append(f"{path}: {type(sample).__name__} vs {type(ours).__name__}")
    return problems


def _sample(relative: str) -> dict[str, Any]:
    return json.loads(Path(EVENTS / relative).read_text())


@pytest.fixture(scope="module")
def http_events(server: ServerProcess, apigw: Any, echo_function: str) -> dict[str, Any]:
    events: dict[str, Any] = {}
    for version in ("2.0", "1.0"):
        api_id = apigw.create_api(Name=f"conf-{version}", ProtocolType="HTTP")["ApiId"]
        integration = apigw.create_integration(
            ApiId=api_id,
            IntegrationType="AWS_PROXY",
            IntegrationUri=function_arn(echo_function),
            PayloadFormatVersion=version,
        )["IntegrationId"]
        apigw.create_route(
            ApiId=api_id, RouteKey="POST /my/{parameter1}", Target=f"integrations/{integration}"
        )
        apigw.create_stage(
            ApiId=api_id,
            StageName="prod",
            AutoDeploy=True,
            StageVariables={"stageVariable1": "value1"},
        )
        response = httpx.post(
            path_url(
                server,
                api_id,
                "/prod/my/value1?parameter1=value1&parameter1=value2&parameter2=value",
            ),
            headers={"cookie": "cookie1; cookie2", "header2": "value1", "user-agent": "agent"},
            content=b'{"message": "hello world"}',
        )
        events[version] = response.json()
    return events


@pytest.mark.parametrize(
    "sample",
    [
        "powertools/apiGatewayProxyV2Event.json",
        "aws-lambda-go/apigw-v2-request-no-authorizer.json",
        "aws-sam-cli-templates/apigateway/HttpApi.json",
    ],
)
def test_v2_event_matches_aws_samples(http_events: dict[str, Any], sample: str) -> None:
    assert _diff(_sample(sample), http_events["2.0"]) == []


def test_v2_event_values(http_events: dict[str, Any]) -> None:
    event = http_events["2.0"]
    assert event["cookies"] == ["cookie1", "cookie2"]
    assert event["queryStringParameters"] == {"parameter1": "value1,value2", "parameter2": "value"}
    assert event["pathParameters"] == {"parameter1": "value1"}
    assert event["stageVariables"] == {"stageVariable1": "value1"}
    assert event["requestContext"]["routeKey"] == "POST /my/{parameter1}"
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

    parsed = APIGatewayProxyEventV2(event)
    assert parsed.raw_path == "/prod/my/value1"
    assert parsed.path == "/my/value1"  # powertools strips the stage, as on AWS
    assert parsed.request_context.http.method == "POST"
    assert parsed.get_query_string_value("parameter2") == "value"
    assert parsed.json_body == {"message": "hello world"}


@pytest.mark.parametrize(
    "sample", ["aws-lambda-go/apigw-request.json", "powertools/apiGatewayProxyEvent.json"]
)
def test_v1_event_matches_aws_samples(http_events: dict[str, Any], sample: str) -> None:
    assert _diff(_sample(sample), http_events["1.0"]) == []


def test_v1_event_reads_in_powertools(http_events: dict[str, Any]) -> None:
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

    parsed = APIGatewayProxyEvent(http_events["1.0"])
    assert parsed.http_method == "POST"
    assert parsed.path == "/prod/my/value1"  # HTTP APIs keep a named stage in 1.0 paths
    assert parsed.multi_value_query_string_parameters == {
        "parameter1": ["value1", "value2"],
        "parameter2": ["value"],
    }
    assert parsed.request_context.identity.source_ip == "127.0.0.1"


def test_rest_event_matches_aws_sample(server: ServerProcess, echo_function: str) -> None:
    v1 = server.client("apigateway")
    api_id = v1.create_rest_api(name="conf-rest")["id"]
    root = v1.get_resources(restApiId=api_id)["items"][0]["id"]
    proxy = v1.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")["id"]
    v1.put_method(restApiId=api_id, resourceId=proxy, httpMethod="ANY", authorizationType="NONE")
    v1.put_integration(
        restApiId=api_id,
        resourceId=proxy,
        httpMethod="ANY",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=function_arn(echo_function),
    )
    v1.create_deployment(restApiId=api_id, stageName="testStage", variables={"a": "b"})
    event = httpx.post(
        path_url(server, api_id, "/testStage/hello/world?name=me"), content=b'{"a": 1}'
    ).json()
    assert _diff(_sample("aws-lambda-go/apigw-request.json"), event) == []
    assert "version" not in event


WS_ECHO = """
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event)}
"""


def test_websocket_message_event_matches_aws_sample(
    server: ServerProcess, apigw: Any, lambda_client: Any
) -> None:
    function = create_function(lambda_client, WS_ECHO)
    api_id = apigw.create_api(
        Name="conf-ws", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
    )["ApiId"]
    integration = apigw.create_integration(
        ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=function_arn(function)
    )["IntegrationId"]
    route = apigw.create_route(
        ApiId=api_id,
        RouteKey="$default",
        Target=f"integrations/{integration}",
        RouteResponseSelectionExpression="$default",
    )["RouteId"]
    apigw.create_route_response(ApiId=api_id, RouteId=route, RouteResponseKey="$default")
    apigw.create_stage(ApiId=api_id, StageName="prod", AutoDeploy=True)
    url = f"ws://127.0.0.1:{server.gateway_port}/_aws/execute-api/{api_id}/prod"
    with connect(url) as ws:
        ws.send('{"a": 1}')
        event = json.loads(ws.recv(timeout=30))
    assert _diff(_sample("aws-lambda-go/apigw-websocket-request-send-message.json"), event) == []


def test_echo_source_is_shared() -> None:
    assert "json.dumps(event)" in ECHO
