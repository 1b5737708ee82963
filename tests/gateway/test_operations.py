"""Operating APIs: access logs with $context variables, figures per stage and the
`stratus apis` command, integration timeouts and the function's own concurrency limit,
and hostile requests (path tricks, huge heads)."""

from __future__ import annotations

import socket
from typing import Any

import httpx
import orjson

from tests.cli.test_cli import stratus
from tests.conftest import ServerProcess, create_function
from tests.gateway.conftest import function_arn, path_url

SLEEPER = """
import time
def handler(event, context):
    time.sleep(3)
    return {"statusCode": 200, "body": "late"}
"""


def test_access_log_figures_and_stratus_apis(
    server: ServerProcess, apigw: Any, echo_function: str
) -> None:
    api = apigw.create_api(Name="observed", ProtocolType="HTTP", Target=function_arn(echo_function))
    api_id = api["ApiId"]
    apigw.update_stage(
        ApiId=api_id,
        StageName="$default",
        AccessLogSettings={
            "DestinationArn": "arn:aws:logs:us-east-1:000000000000:log-group:access",
            "Format": "$context.requestId $context.httpMethod $context.routeKey "
            "$context.status $context.identity.sourceIp",
        },
    )
    ok = httpx.get(path_url(server, api_id, "/a"))
    assert ok.status_code == 200
    listing = orjson.loads(httpx.get(f"{server.endpoint}/_stratus/apis").content)["Apis"]
    mine = next(a for a in listing if a["ApiId"] == api_id)
    assert mine["ApiEndpoint"] == api["ApiEndpoint"]
    assert mine["Stages"]["$default"]["Count"] == 1
    line = mine["AccessLog"]["$default"][-1]
    assert line == f"{ok.headers['apigw-requestid']} GET $default 200 127.0.0.1"
    result = stratus(server, "apis")
    assert result.returncode == 0, result.stderr
    row = next(r.split() for r in result.stdout.splitlines() if api_id in r)
    assert row[:5] == ["observed", "HTTP", api["ApiEndpoint"], "$default", "1"]


def test_integration_timeout_is_503(server: ServerProcess, apigw: Any, lambda_client: Any) -> None:
    function = create_function(lambda_client, SLEEPER, Timeout=10)
    api_id = apigw.create_api(Name="slow", ProtocolType="HTTP")["ApiId"]
    integration = apigw.create_integration(
        ApiId=api_id,
        IntegrationType="AWS_PROXY",
        IntegrationUri=function_arn(function),
        PayloadFormatVersion="2.0",
        TimeoutInMillis=500,
    )["IntegrationId"]
    apigw.create_route(ApiId=api_id, RouteKey="GET /slow", Target=f"integrations/{integration}")
    apigw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    response = httpx.get(path_url(server, api_id, "/slow"), timeout=30)
    assert response.status_code == 503
    assert response.json() == {"message": "Service Unavailable"}


def test_function_concurrency_limit_is_429(
    server: ServerProcess, apigw: Any, lambda_client: Any, echo_function: str
) -> None:
    function = create_function(lambda_client, "def handler(e, c):\n    return 'x'\n")
    lambda_client.put_function_concurrency(FunctionName=function, ReservedConcurrentExecutions=0)
    api = apigw.create_api(Name="capped", ProtocolType="HTTP", Target=function_arn(function))
    response = httpx.get(path_url(server, api["ApiId"], "/"))
    assert response.status_code == 429
    assert response.json() == {"message": "Too Many Requests"}
    missing = apigw.create_api(
        Name="gone", ProtocolType="HTTP", Target=function_arn("no-such-function")
    )
    assert httpx.get(path_url(server, missing["ApiId"], "/")).status_code == 500


def test_path_tricks_stay_inside_the_api(
    server: ServerProcess, apigw: Any, echo_function: str
) -> None:
    api = apigw.create_api(Name="tricks", ProtocolType="HTTP", Target=function_arn(echo_function))
    api_id = api["ApiId"]
    # A raw request line, so no client normalizes the dots away.
    with socket.create_connection(("127.0.0.1", server.gateway_port)) as sock:
        sock.sendall(
            f"GET /_aws/execute-api/{api_id}/../../_stratus/health HTTP/1.1\r\n"
            f"Host: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
        )
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    event = orjson.loads(body)
    assert event["rawPath"] == "/../../_stratus/health"  # handed to the function, not followed
    other = httpx.get(
        f"http://127.0.0.1:{server.gateway_port}/x",
        headers={"host": f"zzzzzzzzzz.execute-api.localhost:{server.gateway_port}"},
    )
    assert other.status_code == 404 and other.json() == {"message": "Not Found"}


def test_huge_header_is_refused_before_the_api(
    server: ServerProcess, apigw: Any, echo_function: str
) -> None:
    api = apigw.create_api(Name="heads", ProtocolType="HTTP", Target=function_arn(echo_function))
    response = httpx.get(path_url(server, api["ApiId"], "/"), headers={"x-big": "a" * 200_000})
    assert response.status_code == 431
