"""APIs are durable: what CreateApi/CreateRestApi acknowledged survives a kill -9 and is
served again after the restart."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.conftest import ServerProcess, create_function
from tests.gateway.conftest import ECHO, function_arn


def test_apis_survive_kill_9(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        function = create_function(server.client("lambda"), ECHO)
        apigw = server.client("apigatewayv2")
        api_id = apigw.create_api(Name="kept", ProtocolType="HTTP", Target=function_arn(function))[
            "ApiId"
        ]
        rest_id = server.client("apigateway").create_rest_api(name="kept-rest")["id"]
        server.kill()
        server.start()
        assert apigw.get_api(ApiId=api_id)["Name"] == "kept"
        assert server.client("apigateway").get_rest_api(restApiId=rest_id)["name"] == "kept-rest"
        url = f"http://127.0.0.1:{server.gateway_port}/_aws/execute-api/{api_id}/again"
        response = httpx.get(url, timeout=30)
        assert response.status_code == 200
        assert response.json()["rawPath"] == "/again"
    finally:
        server.stop()


def test_gateway_responses_and_account_survive_kill_9(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        apigw = server.client("apigateway")
        rest_id = apigw.create_rest_api(name="kept-responses")["id"]
        root = apigw.get_resources(restApiId=rest_id)["items"][0]["id"]
        apigw.put_method(
            restApiId=rest_id, resourceId=root, httpMethod="GET", authorizationType="NONE"
        )
        apigw.put_integration(restApiId=rest_id, resourceId=root, httpMethod="GET", type="MOCK")
        apigw.put_gateway_response(
            restApiId=rest_id,
            responseType="MISSING_AUTHENTICATION_TOKEN",
            statusCode="404",
            responseTemplates={"application/json": '{"kept": true}'},
        )
        apigw.create_deployment(restApiId=rest_id, stageName="s")
        role = "arn:aws:iam::000000000000:role/kept"
        apigw.update_account(
            patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": role}]
        )
        server.kill()
        server.start()
        apigw = server.client("apigateway")
        kept = apigw.get_gateway_response(
            restApiId=rest_id, responseType="MISSING_AUTHENTICATION_TOKEN"
        )
        assert kept["statusCode"] == "404" and kept["defaultResponse"] is False
        assert apigw.get_account()["cloudwatchRoleArn"] == role
        url = f"http://127.0.0.1:{server.gateway_port}/_aws/execute-api/{rest_id}/s/none"
        answer = httpx.get(url, timeout=30)
        assert answer.status_code == 404 and answer.json() == {"kept": True}
    finally:
        server.stop()


def test_v2_responses_and_models_survive_kill_9(tmp_path: Path) -> None:
    from websockets.sync.client import connect

    server = ServerProcess(tmp_path / "data").start()
    try:
        function = create_function(
            server.client("lambda"),
            "def handler(event, context):\n"
            "    return {'statusCode': 200, 'body': 'kept:' + str(event.get('body'))}\n",
        )
        apigw = server.client("apigatewayv2")
        api = apigw.create_api(
            Name="kept-ws", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.a"
        )["ApiId"]
        integration = apigw.create_integration(
            ApiId=api, IntegrationType="AWS_PROXY", IntegrationUri=function_arn(function)
        )["IntegrationId"]
        route = apigw.create_route(
            ApiId=api, RouteKey="$default", Target=f"integrations/{integration}"
        )["RouteId"]
        response = apigw.create_route_response(
            ApiId=api, RouteId=route, RouteResponseKey="$default"
        )["RouteResponseId"]
        shaped = apigw.create_integration_response(
            ApiId=api, IntegrationId=integration, IntegrationResponseKey="/2\\d\\d/"
        )["IntegrationResponseId"]
        model = apigw.create_model(ApiId=api, Name="Kept", Schema='{"type": "object"}')["ModelId"]
        apigw.create_stage(ApiId=api, StageName="prod", AutoDeploy=True)
        server.kill()
        server.start()
        apigw = server.client("apigatewayv2")
        assert (
            apigw.get_route_response(ApiId=api, RouteId=route, RouteResponseId=response)[
                "RouteResponseKey"
            ]
            == "$default"
        )
        assert (
            apigw.get_integration_response(
                ApiId=api, IntegrationId=integration, IntegrationResponseId=shaped
            )["IntegrationResponseKey"]
            == "/2\\d\\d/"
        )
        assert apigw.get_model(ApiId=api, ModelId=model)["Name"] == "Kept"
        with connect(f"ws://127.0.0.1:{server.gateway_port}/_aws/execute-api/{api}/prod") as ws:
            ws.send("hello")
            assert ws.recv(timeout=30) == "kept:hello"
    finally:
        server.stop()
