"""HTTP API features over real HTTP: CORS, throttling, JWT and Lambda authorizers,
service integrations, HTTP_PROXY."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.conftest import ServerProcess, create_function, free_port
from tests.gateway.conftest import function_arn, path_url


def _api(apigw: Any, function: str, routes: list[str], **stage: Any) -> tuple[str, str]:
    api_id = apigw.create_api(Name="features", ProtocolType="HTTP")["ApiId"]
    integration = apigw.create_integration(
        ApiId=api_id,
        IntegrationType="AWS_PROXY",
        IntegrationUri=function_arn(function),
        PayloadFormatVersion="2.0",
    )["IntegrationId"]
    for key in routes:
        apigw.create_route(ApiId=api_id, RouteKey=key, Target=f"integrations/{integration}")
    apigw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True, **stage)
    return api_id, integration


def test_cors_preflight_and_response_headers(
    server: ServerProcess, apigw: Any, echo_function: str
) -> None:
    api_id, _ = _api(apigw, echo_function, ["GET /data"])
    apigw.update_api(
        ApiId=api_id,
        CorsConfiguration={
            "AllowOrigins": ["https://app.example"],
            "AllowMethods": ["GET", "POST"],
            "AllowHeaders": ["content-type", "x-token"],
            "ExposeHeaders": ["x-total"],
            "MaxAge": 600,
        },
    )
    preflight = httpx.options(
        path_url(server, api_id, "/data"),
        headers={
            "origin": "https://app.example",
            "access-control-request-method": "POST",
            "access-control-request-headers": "X-Token, x-other",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "https://app.example"
    assert preflight.headers["access-control-allow-methods"] == "GET,POST"
    assert preflight.headers["access-control-allow-headers"] == "x-token"
    assert preflight.headers["access-control-max-age"] == "600"
    refused = httpx.options(
        path_url(server, api_id, "/data"),
        headers={"origin": "https://evil.example", "access-control-request-method": "GET"},
    )
    assert "access-control-allow-origin" not in refused.headers
    actual = httpx.get(path_url(server, api_id, "/data"), headers={"origin": "https://app.example"})
    assert actual.status_code == 200
    assert actual.headers["access-control-allow-origin"] == "https://app.example"
    assert actual.headers["access-control-expose-headers"] == "x-total"
    apigw.delete_cors_configuration(ApiId=api_id)
    assert "CorsConfiguration" not in apigw.get_api(ApiId=api_id)


def test_throttling_answers_429_past_the_burst(
    server: ServerProcess, apigw: Any, echo_function: str
) -> None:
    api_id, _ = _api(
        apigw,
        echo_function,
        ["GET /t", "GET /free"],
        DefaultRouteSettings={"ThrottlingBurstLimit": 2, "ThrottlingRateLimit": 0.001},
        RouteSettings={"GET /free": {"ThrottlingBurstLimit": 1000, "ThrottlingRateLimit": 1000}},
    )
    statuses = [httpx.get(path_url(server, api_id, "/t")).status_code for _ in range(4)]
    assert statuses[:2] == [200, 200]
    assert statuses[2:] == [429, 429]
    throttled = httpx.get(path_url(server, api_id, "/t"))
    assert throttled.json() == {"message": "Too Many Requests"}
    assert httpx.get(path_url(server, api_id, "/free")).status_code == 200


# -- JWT ---------------------------------------------------------------------------------


class _Issuer:
    """An OpenID issuer on 127.0.0.1: its configuration, its JWKS, tokens it signs."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.jwks_fetches = 0
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        public.update({"kid": "k1", "alg": "RS256", "use": "sig"})
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/.well-known/openid-configuration":
                    body = json.dumps({"issuer": issuer.url, "jwks_uri": f"{issuer.url}/jwks"})
                elif self.path == "/jwks":
                    issuer.jwks_fetches += 1
                    body = json.dumps({"keys": [public]})
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def token(self, **claims: Any) -> str:
        now = int(time.time())
        payload = {
            "iss": self.url,
            "aud": "my-app",
            "sub": "user-1",
            "iat": now,
            "exp": now + 300,
            **claims,
        }
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": "k1"})


@pytest.fixture(scope="module")
def issuer() -> Iterator[_Issuer]:
    found = _Issuer()
    yield found
    found.server.shutdown()


def test_jwt_authorizer(
    server: ServerProcess, apigw: Any, echo_function: str, issuer: _Issuer
) -> None:
    api_id, integration = _api(apigw, echo_function, [])
    authorizer = apigw.create_authorizer(
        ApiId=api_id,
        Name="jwt",
        AuthorizerType="JWT",
        IdentitySource=["$request.header.Authorization"],
        JwtConfiguration={"Issuer": issuer.url, "Audience": ["my-app"]},
    )["AuthorizerId"]
    for key, scopes in (("GET /open", None), ("GET /admin", ["admin"])):
        apigw.create_route(
            ApiId=api_id,
            RouteKey=key,
            Target=f"integrations/{integration}",
            AuthorizationType="JWT",
            AuthorizerId=authorizer,
            **({"AuthorizationScopes": scopes} if scopes else {}),
        )
    url = path_url(server, api_id, "/open")
    assert httpx.get(url).status_code == 401
    assert httpx.get(url).json() == {"message": "Unauthorized"}
    assert httpx.get(url, headers={"authorization": "Bearer garbage"}).status_code == 401
    wrong_aud = issuer.token(aud="other")
    assert httpx.get(url, headers={"authorization": f"Bearer {wrong_aud}"}).status_code == 401
    expired = issuer.token(exp=int(time.time()) - 10)
    assert httpx.get(url, headers={"authorization": f"Bearer {expired}"}).status_code == 401
    token = issuer.token(scope="read write")
    response = httpx.get(url, headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200
    jwt_context = response.json()["requestContext"]["authorizer"]["jwt"]
    assert jwt_context["claims"]["sub"] == "user-1"
    assert jwt_context["claims"]["aud"] == "my-app"
    assert jwt_context["scopes"] == ["read", "write"]
    admin = path_url(server, api_id, "/admin")
    assert httpx.get(admin, headers={"authorization": f"Bearer {token}"}).status_code == 403
    admin_token = issuer.token(scope="admin")
    assert httpx.get(admin, headers={"authorization": admin_token}).status_code == 200
    assert issuer.jwks_fetches == 1  # fetched once, then cached


# -- Lambda authorizers ----------------------------------------------------------------------

AUTHORIZER = """
import json
calls = 0

def handler(event, context):
    global calls
    calls += 1
    token = (event.get("headers") or {}).get("authorization", "")
    if event.get("version") == "2.0" and token.startswith("simple"):
        return {"isAuthorized": token == "simple-yes", "context": {"user": "u1", "calls": calls,
                "eventType": event["type"], "routeArn": event["routeArn"],
                "identity": event["identitySource"]}}
    effect = "Allow" if token == "policy-yes" else "Deny"
    return {"principalId": "p1", "policyDocument": {"Version": "2012-10-17", "Statement": [
        {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event.get("routeArn") or event.get("methodArn")}]},
        "context": {"calls": calls}}
"""


def test_lambda_request_authorizer_simple_and_policy_with_cache(
    server: ServerProcess, apigw: Any, lambda_client: Any, echo_function: str
) -> None:
    auth_function = create_function(lambda_client, AUTHORIZER)
    api_id, integration = _api(apigw, echo_function, [])
    simple = apigw.create_authorizer(
        ApiId=api_id,
        Name="simple",
        AuthorizerType="REQUEST",
        AuthorizerUri=function_arn(auth_function),
        AuthorizerPayloadFormatVersion="2.0",
        EnableSimpleResponses=True,
        IdentitySource=["$request.header.Authorization"],
        AuthorizerResultTtlInSeconds=300,
    )["AuthorizerId"]
    policy = apigw.create_authorizer(
        ApiId=api_id,
        Name="policy",
        AuthorizerType="REQUEST",
        AuthorizerUri=function_arn(auth_function),
        AuthorizerPayloadFormatVersion="1.0",
        IdentitySource=["$request.header.Authorization"],
        AuthorizerResultTtlInSeconds=0,
    )["AuthorizerId"]
    apigw.create_route(
        ApiId=api_id,
        RouteKey="GET /simple",
        Target=f"integrations/{integration}",
        AuthorizationType="CUSTOM",
        AuthorizerId=simple,
    )
    apigw.create_route(
        ApiId=api_id,
        RouteKey="GET /policy",
        Target=f"integrations/{integration}",
        AuthorizationType="CUSTOM",
        AuthorizerId=policy,
    )
    url = path_url(server, api_id, "/simple")
    assert httpx.get(url).status_code == 401  # no identity: the authorizer is not called
    assert httpx.get(url, headers={"authorization": "simple-no"}).status_code == 403
    first = httpx.get(url, headers={"authorization": "simple-yes"})
    assert first.status_code == 200
    context = first.json()["requestContext"]["authorizer"]["lambda"]
    assert context["user"] == "u1" and context["eventType"] == "REQUEST"
    assert context["identity"] == ["simple-yes"]
    assert context["routeArn"] == (
        f"arn:aws:execute-api:us-east-1:000000000000:{api_id}/$default/GET/simple"
    )
    second = httpx.get(url, headers={"authorization": "simple-yes"})
    assert second.json()["requestContext"]["authorizer"]["lambda"]["calls"] == context["calls"]
    purl = path_url(server, api_id, "/policy")
    assert httpx.get(purl, headers={"authorization": "policy-no"}).status_code == 403
    assert httpx.get(purl, headers={"authorization": "policy-no"}).json() == {
        "message": "Forbidden"
    }
    allowed = httpx.get(purl, headers={"authorization": "policy-yes"})
    assert allowed.status_code == 200
    assert allowed.json()["requestContext"]["authorizer"]["lambda"]["principalId"] == "p1"


def test_bad_authorizers(apigw: Any) -> None:
    from botocore.exceptions import ClientError

    api_id = apigw.create_api(Name="bad-auth", ProtocolType="HTTP")["ApiId"]
    for params in (
        {
            "AuthorizerType": "JWT",
            "IdentitySource": ["$request.header.Authorization"],
            "JwtConfiguration": {"Audience": ["a"]},
        },
        {
            "AuthorizerType": "REQUEST",
            "IdentitySource": ["$request.header.a"],
            "AuthorizerUri": "arn:aws:lambda:us-east-1:000000000000:function:f",
        },
    ):
        with pytest.raises(ClientError) as excinfo:
            apigw.create_authorizer(ApiId=api_id, Name="x", **params)
        assert excinfo.value.response["Error"]["Code"] == "BadRequestException"
    assert apigw.get_authorizers(ApiId=api_id)["Items"] == []


# -- service integrations and HTTP_PROXY ---------------------------------------------------


def test_sqs_send_message_integration(server: ServerProcess, apigw: Any) -> None:
    sqs = server.client("sqs")
    queue_url = sqs.create_queue(QueueName=f"apigw-{time.time_ns()}")["QueueUrl"]
    api_id = apigw.create_api(Name="to-sqs", ProtocolType="HTTP")["ApiId"]
    integration = apigw.create_integration(
        ApiId=api_id,
        IntegrationType="AWS_PROXY",
        IntegrationSubtype="SQS-SendMessage",
        PayloadFormatVersion="1.0",
        CredentialsArn="arn:aws:iam::000000000000:role/apigw",
        RequestParameters={"QueueUrl": queue_url, "MessageBody": "$request.body.message"},
    )["IntegrationId"]
    apigw.create_route(ApiId=api_id, RouteKey="POST /send", Target=f"integrations/{integration}")
    apigw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    response = httpx.post(path_url(server, api_id, "/send"), json={"message": "hi there"})
    assert response.status_code == 200, response.text
    assert "MessageId" in response.json()
    messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1)["Messages"]
    assert messages[0]["Body"] == "hi there"


def test_http_proxy_integration(server: ServerProcess, apigw: Any) -> None:
    api_id = apigw.create_api(Name="proxy", ProtocolType="HTTP")["ApiId"]
    integration = apigw.create_integration(
        ApiId=api_id,
        IntegrationType="HTTP_PROXY",
        IntegrationMethod="GET",
        IntegrationUri=f"{server.endpoint}/_stratus/{{proxy}}",
        PayloadFormatVersion="1.0",
    )["IntegrationId"]
    apigw.create_route(
        ApiId=api_id, RouteKey="GET /up/{proxy+}", Target=f"integrations/{integration}"
    )
    apigw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    response = httpx.get(path_url(server, api_id, "/up/health"))
    assert response.status_code == 200
    assert orjson.loads(response.content)


def test_step_functions_apigateway_invoke(
    server: ServerProcess, apigw: Any, echo_function: str
) -> None:
    api_id, _ = _api(apigw, echo_function, ["POST /orders/{id}"])
    sfn = server.client("stepfunctions")
    definition = {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::apigateway:invoke",
                "Parameters": {
                    "ApiEndpoint": f"{api_id}.execute-api.us-east-1.amazonaws.com",
                    "Method": "POST",
                    "Stage": "$default",
                    "Path": "/orders/7",
                    "QueryParameters": {"q": ["1"]},
                    "Headers": {"x-from": ["sfn"]},
                    "RequestBody": {"item": "book"},
                },
                "End": True,
            }
        },
    }
    machine = sfn.create_state_machine(
        name=f"apigw-{time.time_ns()}",
        definition=json.dumps(definition),
        roleArn="arn:aws:iam::000000000000:role/sfn",
        type="EXPRESS",
    )["stateMachineArn"]
    done = sfn.start_sync_execution(stateMachineArn=machine, input="{}")
    assert done["status"] == "SUCCEEDED", done
    output = json.loads(done["output"])
    assert output["StatusCode"] == 200 and output["StatusText"] == "OK"
    event = (
        json.loads(output["ResponseBody"])
        if isinstance(output["ResponseBody"], str)
        else output["ResponseBody"]
    )
    assert event["routeKey"] == "POST /orders/{id}"
    assert event["pathParameters"] == {"id": "7"}
    assert json.loads(event["body"]) == {"item": "book"}
    assert event["headers"]["x-from"] == "sfn"


def test_step_functions_start_execution_and_missing_eventbridge(
    server: ServerProcess, apigw: Any
) -> None:
    sfn = server.client("stepfunctions")
    machine = sfn.create_state_machine(
        name=f"from-apigw-{time.time_ns()}",
        definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}),
        roleArn="arn:aws:iam::000000000000:role/sfn",
    )["stateMachineArn"]
    api_id = apigw.create_api(Name="to-sfn", ProtocolType="HTTP")["ApiId"]
    start = apigw.create_integration(
        ApiId=api_id,
        IntegrationType="AWS_PROXY",
        IntegrationSubtype="StepFunctions-StartExecution",
        PayloadFormatVersion="1.0",
        CredentialsArn="arn:aws:iam::000000000000:role/apigw",
        RequestParameters={"StateMachineArn": machine, "Input": "$request.body"},
    )["IntegrationId"]
    events = apigw.create_integration(
        ApiId=api_id,
        IntegrationType="AWS_PROXY",
        IntegrationSubtype="EventBridge-PutEvents",
        PayloadFormatVersion="1.0",
        CredentialsArn="arn:aws:iam::000000000000:role/apigw",
        RequestParameters={"Detail": "$request.body", "DetailType": "t", "Source": "s"},
    )["IntegrationId"]
    apigw.create_route(ApiId=api_id, RouteKey="POST /start", Target=f"integrations/{start}")
    apigw.create_route(ApiId=api_id, RouteKey="POST /event", Target=f"integrations/{events}")
    apigw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    started = httpx.post(path_url(server, api_id, "/start"), json={"order": 1})
    assert started.status_code == 200, started.text
    execution = started.json()["executionArn"]
    described = sfn.describe_execution(executionArn=execution)
    assert json.loads(described["input"]) == {"order": 1}
    put = httpx.post(path_url(server, api_id, "/event"), json={"a": 1})
    if _serves_eventbridge(server):
        assert put.status_code == 200, put.text
        assert put.json()["FailedEntryCount"] == 0
    else:  # a clear error until EventBridge is part of Stratus
        assert put.status_code == 500
        assert "needs events, which this Stratus does not serve yet" in server.log()


def _serves_eventbridge(server: ServerProcess) -> bool:
    from botocore.exceptions import ClientError

    try:
        server.client("events").list_event_buses()
    except ClientError:
        return False
    return True


def test_aws_iam_routes_need_a_signed_request(
    server: ServerProcess, apigw: Any, echo_function: str
) -> None:
    api_id, integration = _api(apigw, echo_function, [])
    apigw.create_route(
        ApiId=api_id,
        RouteKey="GET /iam",
        Target=f"integrations/{integration}",
        AuthorizationType="AWS_IAM",
    )
    url = path_url(server, api_id, "/iam")
    unsigned = httpx.get(url)
    assert unsigned.status_code == 403 and unsigned.json() == {"message": "Forbidden"}
    # Signed requests, verified: tests/gateway/test_iam_auth.py.


class _EchoUpstream:
    """An upstream on 127.0.0.1 that answers with the request it got, as JSON."""

    def __init__(self) -> None:
        self.port = free_port()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = json.dumps({"path": self.path, "headers": dict(self.headers)}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("x-upstream", "yes")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_http_proxy_parameter_mapping(server: ServerProcess, apigw: Any) -> None:
    upstream = _EchoUpstream()
    try:
        api_id = apigw.create_api(Name="mapped", ProtocolType="HTTP")["ApiId"]
        integration = apigw.create_integration(
            ApiId=api_id,
            IntegrationType="HTTP_PROXY",
            IntegrationMethod="ANY",
            IntegrationUri=f"http://127.0.0.1:{upstream.port}/base",
            PayloadFormatVersion="1.0",
            RequestParameters={
                "overwrite:path": "/v2/items/$request.path.id",
                "append:header.x-request-id": "$context.requestId",
                "remove:header.x-secret": "''",
                "overwrite:querystring.source": "gateway",
            },
        )["IntegrationId"]
        apigw.create_route(
            ApiId=api_id, RouteKey="GET /items/{id}", Target=f"integrations/{integration}"
        )
        apigw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
        response = httpx.get(
            path_url(server, api_id, "/items/9?source=client&keep=1"),
            headers={"x-secret": "s3cr3t"},
        )
        assert response.status_code == 200, response.text
        assert response.headers["x-upstream"] == "yes"
        seen = response.json()
        assert seen["path"] == "/v2/items/9?keep=1&source=gateway"
        headers = {k.lower(): v for k, v in seen["headers"].items()}
        assert "x-secret" not in headers
        assert headers["x-request-id"] == response.headers["apigw-requestid"]
    finally:
        upstream.server.shutdown()
