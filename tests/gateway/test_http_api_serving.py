"""HTTP APIs served on the gateway port: quick create, routes, payload 2.0 and 1.0 events,
responses and API Gateway's own errors, driven over real HTTP."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import orjson
import pytest

from tests.conftest import ServerProcess
from tests.gateway.conftest import function_arn, path_url


def _events(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return orjson.loads(response.content)


def test_quick_create_serves_a_v2_event_by_host_and_by_path(
    server: ServerProcess, apigw: Any, echo_function: str
) -> None:
    api = apigw.create_api(Name="shop", ProtocolType="HTTP", Target=function_arn(echo_function))
    assert len(api["ApiId"]) == 10 and api["ApiId"].isalnum() and api["ApiId"].islower()
    assert (
        api["ApiEndpoint"] == f"http://{api['ApiId']}.execute-api.localhost:{server.gateway_port}"
    )
    by_host = httpx.get(
        f"http://127.0.0.1:{server.gateway_port}/items/42?a=1&a=2&b=x",
        headers={
            "host": f"{api['ApiId']}.execute-api.localhost:{server.gateway_port}",
            "cookie": "c1=v1; c2=v2",
            "x-multi": "one",
        },
    )
    event = _events(by_host)
    assert event["version"] == "2.0"
    assert event["routeKey"] == "$default"
    assert event["rawPath"] == "/items/42"
    assert event["rawQueryString"] == "a=1&a=2&b=x"
    assert event["queryStringParameters"] == {"a": "1,2", "b": "x"}
    assert event["cookies"] == ["c1=v1", "c2=v2"]
    assert "cookie" not in event["headers"]
    assert event["headers"]["x-multi"] == "one"
    context = event["requestContext"]
    assert context["apiId"] == api["ApiId"]
    assert context["accountId"] == "000000000000"
    assert context["stage"] == "$default"
    assert context["http"]["method"] == "GET"
    assert context["http"]["path"] == "/items/42"
    assert context["http"]["sourceIp"] == "127.0.0.1"
    assert context["domainName"].startswith(api["ApiId"] + ".execute-api.localhost")
    assert by_host.headers["apigw-requestid"] == context["requestId"]
    assert event["isBase64Encoded"] is False
    assert "body" not in event and "pathParameters" not in event
    by_path = _events(
        httpx.post(
            path_url(server, api["ApiId"], "/x"),
            content=b'{"k": 1}',
            headers={"content-type": "application/json"},
        )
    )
    assert by_path["body"] == '{"k": 1}'
    assert by_path["requestContext"]["http"]["method"] == "POST"


def test_binary_bodies_arrive_base64(server: ServerProcess, apigw: Any, echo_function: str) -> None:
    api = apigw.create_api(Name="bin", ProtocolType="HTTP", Target=function_arn(echo_function))
    blob = bytes(range(256))
    event = _events(
        httpx.post(
            path_url(server, api["ApiId"], "/up"),
            content=blob,
            headers={"content-type": "application/octet-stream"},
        )
    )
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == blob


def _api_with_routes(apigw: Any, function: str, routes: list[str], version: str = "2.0") -> str:
    api_id = apigw.create_api(Name="routes", ProtocolType="HTTP")["ApiId"]
    integration = apigw.create_integration(
        ApiId=api_id,
        IntegrationType="AWS_PROXY",
        IntegrationUri=function_arn(function),
        PayloadFormatVersion=version,
    )["IntegrationId"]
    for key in routes:
        apigw.create_route(ApiId=api_id, RouteKey=key, Target=f"integrations/{integration}")
    apigw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    return api_id


@pytest.mark.parametrize(
    ("method", "path", "route_key", "params"),
    [
        ("GET", "/items/42", "GET /items/{id}", {"id": "42"}),
        ("GET", "/items/special", "GET /items/special", None),
        ("POST", "/items/42", "ANY /items/{id}", {"id": "42"}),
        ("GET", "/items/42/parts/7", "GET /items/{proxy+}", {"proxy": "42/parts/7"}),
        ("GET", "/files/a/b/c", "ANY /{proxy+}", {"proxy": "files/a/b/c"}),
        ("GET", "/", "GET /", None),
        ("DELETE", "/", "$default", None),
    ],
    ids=[
        "variable",
        "literal-beats-variable",
        "any-method",
        "greedy-longest-prefix",
        "greedy-root",
        "root",
        "default",
    ],
)
def test_most_specific_route_wins(
    server: ServerProcess,
    apigw: Any,
    echo_function: str,
    method: str,
    path: str,
    route_key: str,
    params: dict[str, str] | None,
    routes_api: str,
) -> None:
    event = _events(httpx.request(method, path_url(server, routes_api, path)))
    assert event["routeKey"] == route_key
    assert event.get("pathParameters") == params


@pytest.fixture(scope="module")
def routes_api(apigw: Any, echo_function: str) -> str:
    return _api_with_routes(
        apigw,
        echo_function,
        [
            "GET /items/{id}",
            "GET /items/special",
            "ANY /items/{id}",
            "GET /items/{proxy+}",
            "ANY /{proxy+}",
            "GET /",
            "$default",
        ],
    )


def test_no_matching_route_is_404_not_found(
    server: ServerProcess, apigw: Any, echo_function: str
) -> None:
    api_id = _api_with_routes(apigw, echo_function, ["GET /only"])
    response = httpx.get(path_url(server, api_id, "/other"))
    assert response.status_code == 404
    assert response.json() == {"message": "Not Found"}
    unknown = httpx.get(path_url(server, "zzzzzzzzzz", "/"))
    assert unknown.status_code == 404 and unknown.json() == {"message": "Not Found"}


def test_payload_1_0_event(server: ServerProcess, apigw: Any, echo_function: str) -> None:
    api_id = _api_with_routes(apigw, echo_function, ["GET /v1/{id}"], version="1.0")
    event = _events(httpx.get(path_url(server, api_id, "/v1/7?q=1&q=2"), headers={"x-h": "a"}))
    assert event["version"] == "1.0"
    assert event["resource"] == "/v1/{id}"
    assert event["path"] == "/v1/7"
    assert event["httpMethod"] == "GET"
    assert event["queryStringParameters"] == {"q": "2"}
    assert event["multiValueQueryStringParameters"] == {"q": ["1", "2"]}
    assert event["multiValueHeaders"]["x-h"] == ["a"]
    assert event["pathParameters"] == {"id": "7"}
    assert event["body"] is None and event["stageVariables"] is None
    assert event["requestContext"]["identity"]["sourceIp"] == "127.0.0.1"
    assert event["requestContext"]["resourcePath"] == "/v1/{id}"


@pytest.fixture(scope="module")
def scripted_api(apigw: Any, scripted_function: str) -> str:
    return _api_with_routes(apigw, scripted_function, ["POST /answer"])


@pytest.mark.parametrize(
    ("answer", "status", "headers", "body"),
    [
        ({"statusCode": 201, "headers": {"x-a": "1"}, "body": "made"}, 201, {"x-a": "1"}, b"made"),
        ({"hello": "world"}, 200, {"content-type": "application/json"}, b'{"hello":"world"}'),
        ("plain text", 200, {"content-type": "application/json"}, b"plain text"),
        (
            {
                "statusCode": 200,
                "body": base64.b64encode(b"\x00\x01").decode(),
                "isBase64Encoded": True,
            },
            200,
            {},
            b"\x00\x01",
        ),
        ({"statusCode": 200, "cookies": ["a=1", "b=2"], "body": ""}, 200, {}, b""),
        ({"statusCode": "nope"}, 500, {}, b'{"message":"Internal Server Error"}'),
        ("raise", 500, {}, b'{"message":"Internal Server Error"}'),
    ],
    ids=[
        "structured",
        "bare-dict",
        "bare-string",
        "base64",
        "cookies",
        "malformed",
        "function-error",
    ],
)
def test_v2_responses(
    server: ServerProcess,
    scripted_api: str,
    answer: Any,
    status: int,
    headers: dict[str, str],
    body: bytes,
) -> None:
    response = httpx.post(path_url(server, scripted_api, "/answer"), json={"answer": answer})
    assert response.status_code == status
    for name, value in headers.items():
        assert response.headers[name] == value
    if headers.get("content-type") == "application/json" and body.startswith(b"{"):
        assert orjson.loads(response.content) == orjson.loads(body)
    else:
        assert response.content == body
    if isinstance(answer, dict) and "cookies" in answer:
        assert response.headers.get_list("set-cookie") == ["a=1", "b=2"]


def test_named_stage_with_variables_and_manual_deployment(
    server: ServerProcess, apigw: Any, echo_function: str
) -> None:
    api_id = apigw.create_api(Name="staged", ProtocolType="HTTP")["ApiId"]
    integration = apigw.create_integration(
        ApiId=api_id,
        IntegrationType="AWS_PROXY",
        IntegrationUri=function_arn(echo_function),
        PayloadFormatVersion="2.0",
    )["IntegrationId"]
    apigw.create_route(ApiId=api_id, RouteKey="GET /hello", Target=f"integrations/{integration}")
    apigw.create_stage(ApiId=api_id, StageName="prod", StageVariables={"color": "blue"})
    # No deployment yet: nothing is served.
    assert httpx.get(path_url(server, api_id, "/prod/hello")).status_code == 404
    deployment = apigw.create_deployment(ApiId=api_id, StageName="prod")
    assert deployment["DeploymentStatus"] == "DEPLOYED"
    event = _events(httpx.get(path_url(server, api_id, "/prod/hello")))
    assert event["stageVariables"] == {"color": "blue"}
    assert event["requestContext"]["stage"] == "prod"
    assert event["rawPath"] == "/prod/hello"
    # A new route is not served until deployed again.
    apigw.create_route(ApiId=api_id, RouteKey="GET /later", Target=f"integrations/{integration}")
    assert httpx.get(path_url(server, api_id, "/prod/later")).status_code == 404
    apigw.create_deployment(ApiId=api_id, StageName="prod")
    assert httpx.get(path_url(server, api_id, "/prod/later")).status_code == 200


def test_body_over_10_mb_is_413(server: ServerProcess, apigw: Any, echo_function: str) -> None:
    api = apigw.create_api(Name="big", ProtocolType="HTTP", Target=function_arn(echo_function))
    response = httpx.post(
        path_url(server, api["ApiId"], "/"), content=b"x" * (10 * 1024 * 1024 + 1)
    )
    assert response.status_code == 413


def test_function_framing_headers_are_the_gateways(
    server: ServerProcess, scripted_api: str
) -> None:
    answer = {
        "statusCode": 200,
        "headers": {"Content-Length": "999", "Transfer-Encoding": "chunked"},
        "body": "short",
    }
    response = httpx.post(path_url(server, scripted_api, "/answer"), json={"answer": answer})
    assert response.status_code == 200
    assert response.headers.get_list("content-length") == ["5"]
    assert "transfer-encoding" not in response.headers
    assert response.text == "short"


def test_payload_1_0_path_names_a_named_stage(
    server: ServerProcess, apigw: Any, echo_function: str
) -> None:
    """HTTP APIs put a named stage in a 1.0 event's path (REST APIs do not)."""
    api_id = apigw.create_api(Name="v1-stage", ProtocolType="HTTP")["ApiId"]
    integration = apigw.create_integration(
        ApiId=api_id,
        IntegrationType="AWS_PROXY",
        IntegrationUri=function_arn(echo_function),
        PayloadFormatVersion="1.0",
    )["IntegrationId"]
    apigw.create_route(ApiId=api_id, RouteKey="GET /test", Target=f"integrations/{integration}")
    apigw.create_stage(ApiId=api_id, StageName="dev", AutoDeploy=True)
    event = _events(httpx.get(path_url(server, api_id, "/dev/test")))
    assert event["path"] == "/dev/test"
    assert event["requestContext"]["resourcePath"] == "/test"
    assert event["requestContext"]["stage"] == "dev"
