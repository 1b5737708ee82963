"""WebSocket APIs over a real WebSocket client: $connect/$disconnect/$default and custom
routes, AWS's event shape, and @connections (PostToConnection, GetConnection,
DeleteConnection) from a function and from boto3."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.conftest import ServerProcess, create_function
from tests.gateway.conftest import function_arn

WS_HANDLER = """
import json, os, boto3
LOG = "/tmp/ws-events.jsonl"

def handler(event, context):
    ctx = event["requestContext"]
    route = ctx["routeKey"]
    if route == "$connect":
        qs = event.get("queryStringParameters") or {}
        if qs.get("deny") == "1":
            return {"statusCode": 403}
        return {"statusCode": 200}
    if route == "$disconnect":
        return {"statusCode": 200}
    if route == "echo":
        return {"statusCode": 200, "body": json.dumps({"echo": json.loads(event["body"]),
                "eventType": ctx["eventType"], "connectionId": ctx["connectionId"],
                "stage": ctx["stage"], "keys": sorted(ctx)})}
    if route == "push":
        client = boto3.client("apigatewaymanagementapi",
                              endpoint_url=os.environ["AWS_ENDPOINT_URL"])
        client.post_to_connection(ConnectionId=ctx["connectionId"], Data=b"pushed by function")
        info = client.get_connection(ConnectionId=ctx["connectionId"])
        client.post_to_connection(ConnectionId=ctx["connectionId"],
                                  Data=info["Identity"]["SourceIp"].encode())
        return {"statusCode": 200}
    return {"statusCode": 200, "body": "default:" + event["body"]}
"""


@pytest.fixture(scope="module")
def ws_api(server: ServerProcess, apigw: Any, lambda_client: Any) -> str:
    function = create_function(lambda_client, WS_HANDLER, Timeout=30)
    api_id = apigw.create_api(
        Name="chat", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
    )["ApiId"]
    integration = apigw.create_integration(
        ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=function_arn(function)
    )["IntegrationId"]
    for key in ("$connect", "$disconnect", "$default", "echo", "push"):
        two_way = key in ("echo", "$default")
        route = apigw.create_route(
            ApiId=api_id,
            RouteKey=key,
            Target=f"integrations/{integration}",
            **({"RouteResponseSelectionExpression": "$default"} if two_way else {}),
        )["RouteId"]
        if two_way:  # the function's answer goes back only through a route response
            apigw.create_route_response(ApiId=api_id, RouteId=route, RouteResponseKey="$default")
    apigw.create_stage(ApiId=api_id, StageName="prod", AutoDeploy=True)
    return api_id


def _url(server: ServerProcess, api_id: str, query: str = "") -> str:
    return f"ws://127.0.0.1:{server.gateway_port}/_aws/execute-api/{api_id}/prod{query}"


def test_endpoint_and_routes(server: ServerProcess, apigw: Any, ws_api: str) -> None:
    api = apigw.get_api(ApiId=ws_api)
    assert api["ApiEndpoint"] == f"ws://{ws_api}.execute-api.localhost:{server.gateway_port}"
    assert api["ProtocolType"] == "WEBSOCKET"
    with connect(_url(server, ws_api)) as ws:
        ws.send(json.dumps({"action": "echo", "n": 1}))
        reply = json.loads(ws.recv(timeout=30))
        assert reply["echo"] == {"action": "echo", "n": 1}
        assert reply["eventType"] == "MESSAGE" and reply["stage"] == "prod"
        assert reply["keys"] == sorted(
            [
                "routeKey",
                "messageId",
                "eventType",
                "extendedRequestId",
                "requestTime",
                "messageDirection",
                "stage",
                "connectedAt",
                "requestTimeEpoch",
                "identity",
                "requestId",
                "domainName",
                "connectionId",
                "apiId",
            ]
        )
        ws.send("not json at all")
        assert ws.recv(timeout=30) == "default:not json at all"


def test_connect_can_refuse(server: ServerProcess, ws_api: str) -> None:
    with pytest.raises(InvalidStatus) as excinfo, connect(_url(server, ws_api, "?deny=1")):
        pass
    assert excinfo.value.response.status_code == 403


def test_function_pushes_through_connections_api(server: ServerProcess, ws_api: str) -> None:
    with connect(_url(server, ws_api)) as ws:
        ws.send(json.dumps({"action": "push"}))
        assert ws.recv(timeout=30) == "pushed by function"
        assert ws.recv(timeout=30) == "127.0.0.1"


def test_connections_api_from_boto3_and_on_the_endpoint(server: ServerProcess, ws_api: str) -> None:
    import httpx

    management = server.client("apigatewaymanagementapi")
    with connect(_url(server, ws_api)) as ws:
        ws.send(json.dumps({"action": "echo"}))
        connection_id = json.loads(ws.recv(timeout=30))["connectionId"]
        management.post_to_connection(ConnectionId=connection_id, Data=b"hello from boto3")
        assert ws.recv(timeout=30) == "hello from boto3"
        info = management.get_connection(ConnectionId=connection_id)
        assert info["Identity"]["SourceIp"] == "127.0.0.1"
        base = f"http://127.0.0.1:{server.gateway_port}/_aws/execute-api/{ws_api}/prod/@connections"
        assert httpx.post(f"{base}/{connection_id}", content=b"via endpoint").status_code == 200
        assert ws.recv(timeout=30) == "via endpoint"
        assert httpx.get(f"{base}/{connection_id}").json()["Identity"]["SourceIp"] == "127.0.0.1"
        assert httpx.delete(f"{base}/{connection_id}").status_code == 204
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                ws.recv(timeout=1)
            except Exception:
                break
    with pytest.raises(ClientError) as excinfo:
        management.post_to_connection(ConnectionId=connection_id, Data=b"late")
    assert excinfo.value.response["Error"]["Code"] == "GoneException"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 410
    gone = httpx.post(f"{base}/{connection_id}", content=b"x")
    assert gone.status_code == 410


def test_unknown_stage_is_refused(server: ServerProcess, ws_api: str) -> None:
    url = f"ws://127.0.0.1:{server.gateway_port}/_aws/execute-api/{ws_api}/nostage"
    with pytest.raises(InvalidStatus), connect(url):
        pass


CONNECT_AUTHORIZER = """
def handler(event, context):
    token = (event.get("queryStringParameters") or {}).get("token")
    effect = "Allow" if token == "good" else "Deny"
    return {"principalId": "ws-user", "context": {"plan": "pro", "arn": event["methodArn"]},
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}]}}
"""


def test_connect_authorizer(server: ServerProcess, apigw: Any, lambda_client: Any) -> None:
    authorizer_function = create_function(lambda_client, CONNECT_AUTHORIZER)
    echo = create_function(
        lambda_client,
        "import json\ndef handler(event, context):\n"
        "    return {'statusCode': 200, 'body': json.dumps(event['requestContext'].get('authorizer'))}\n",
    )
    api_id = apigw.create_api(
        Name="guarded", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
    )["ApiId"]
    integration = apigw.create_integration(
        ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=function_arn(echo)
    )["IntegrationId"]
    authorizer = apigw.create_authorizer(
        ApiId=api_id,
        Name="auth",
        AuthorizerType="REQUEST",
        AuthorizerUri=function_arn(authorizer_function),
        IdentitySource=["route.request.querystring.token"],
    )["AuthorizerId"]
    apigw.create_route(
        ApiId=api_id,
        RouteKey="$connect",
        Target=f"integrations/{integration}",
        AuthorizationType="CUSTOM",
        AuthorizerId=authorizer,
    )
    route = apigw.create_route(
        ApiId=api_id,
        RouteKey="$default",
        Target=f"integrations/{integration}",
        RouteResponseSelectionExpression="$default",
    )["RouteId"]
    apigw.create_route_response(ApiId=api_id, RouteId=route, RouteResponseKey="$default")
    apigw.create_stage(ApiId=api_id, StageName="prod", AutoDeploy=True)
    for query in ("", "?token=bad"):
        with pytest.raises(InvalidStatus), connect(_url(server, api_id, query)):
            pass
    with connect(_url(server, api_id, "?token=good")) as ws:
        ws.send("hi")
        context = json.loads(ws.recv(timeout=30))
    assert context["principalId"] == "ws-user" and context["plan"] == "pro"
    assert context["arn"] == f"arn:aws:execute-api:us-east-1:000000000000:{api_id}/prod/$connect"


def test_message_over_128_kb_closes_the_connection(server: ServerProcess, ws_api: str) -> None:
    from websockets.exceptions import ConnectionClosed

    with connect(_url(server, ws_api), max_size=None) as ws:
        ws.send("x" * (128 * 1024 + 1))
        with pytest.raises(ConnectionClosed) as excinfo:
            ws.recv(timeout=30)
    assert excinfo.value.rcvd is not None and excinfo.value.rcvd.code == 1009
