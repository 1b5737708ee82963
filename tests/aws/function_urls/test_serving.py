"""Requests to function URLs over real HTTP: the event the function gets, how its answer
becomes HTTP, and each error as a function URL answers it."""

from __future__ import annotations

import base64
import json
import socket
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.aws.function_urls.conftest import UrlClient, make_url, public_grants
from tests.conftest import CONFORMANCE, ServerProcess, create_function

ECHO = "import json\ndef handler(event, context):\n    return {'statusCode': 200, 'body': json.dumps(event)}\n"
SAMPLES = CONFORMANCE / "events"


def _sample(path: str) -> dict[str, Any]:
    return dict(json.loads((SAMPLES / path).read_text()))


@pytest.fixture(scope="module")
def echo(server: ServerProcess, lambda_client: Any) -> UrlClient:
    return make_url(server, lambda_client, ECHO)[1]


def _returning(server: ServerProcess, lambda_client: Any, value: str, **kw: Any) -> UrlClient:
    source = f"import base64, time\ndef handler(event, context):\n    return {value}\n"
    return make_url(server, lambda_client, source, **kw)[1]


def test_event_matches_aws_samples_field_by_field(echo: UrlClient) -> None:
    response = echo.request(
        "POST",
        "/my/path?parameter1=value1&parameter1=value2&parameter2=value",
        content=b"Hello from client!",
        headers={
            "content-type": "text/plain",
            "header1": "value1",
            "cookie": "cookie1; cookie2",
            "user-agent": "agent",
        },
    )
    assert response.status_code == 200, response.text
    event = response.json()
    sample = _sample("powertools/lambdaFunctionUrlEventWithHeaders.json")
    go = _sample("aws-lambda-go/lambda-urls-request.json")
    # the top-level members of a NONE URL's event are those of AWS's captured event
    # (plus body and cookies, which it sends when the request has them, as the Go sample)
    assert set(event) == set(sample) | {"body", "cookies"}
    assert set(event["requestContext"]) == set(sample["requestContext"])
    assert set(event["requestContext"]["http"]) == set(sample["requestContext"]["http"])
    assert event["version"] == "2.0" and event["routeKey"] == "$default"
    assert event["rawPath"] == go["rawPath"]
    assert event["rawQueryString"] == go["rawQueryString"]
    assert event["queryStringParameters"] == go["queryStringParameters"]
    assert event["cookies"] == go["cookies"]
    assert "cookie" not in event["headers"]
    assert event["headers"]["header1"] == "value1"
    assert event["body"] == go["body"] and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["accountId"] == "anonymous"
    assert context["apiId"] == context["domainPrefix"] == echo.id
    assert context["domainName"] == f"{echo.id}.lambda-url.us-east-1.localhost"
    assert context["http"] == {
        "method": "POST",
        "path": "/my/path",
        "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.1",
        "userAgent": "agent",
    }
    assert context["routeKey"] == context["stage"] == "$default"
    assert isinstance(context["timeEpoch"], int)
    assert len(context["time"]) == len(sample["requestContext"]["time"])
    assert response.headers["x-amzn-requestid"] == context["requestId"]


def test_powertools_parses_the_event(echo: UrlClient) -> None:
    from aws_lambda_powertools.utilities.data_classes import LambdaFunctionUrlEvent

    event = LambdaFunctionUrlEvent(echo.request("GET", "/a/b?x=1").json())
    assert event.request_context.http.method == "GET"
    assert event.raw_path == "/a/b"
    assert event.query_string_parameters == {"x": "1"}


def test_get_without_body_or_query(echo: UrlClient) -> None:
    event = echo.request("GET").json()
    assert "body" not in event and "queryStringParameters" not in event
    assert "cookies" not in event
    assert event["isBase64Encoded"] is False
    assert event["rawPath"] == "/" and event["rawQueryString"] == ""


def test_binary_body_is_base64(echo: UrlClient) -> None:
    data = bytes(range(256))
    event = echo.request(
        "PUT", "/bin", content=data, headers={"content-type": "application/octet-stream"}
    ).json()
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == data


def test_repeated_headers_are_joined(echo: UrlClient) -> None:
    event = echo.request("GET", headers=[("x-many", "a"), ("x-many", "b")]).json()
    assert event["headers"]["x-many"] == "a,b"


def test_path_form_serves_the_same_url(echo: UrlClient) -> None:
    event = echo.by_path("GET", "/deep/er?q=1").json()
    assert event["rawPath"] == "/deep/er"
    assert event["requestContext"]["apiId"] == echo.id


def test_response_inference(server: ServerProcess, lambda_client: Any) -> None:
    text = _returning(server, lambda_client, "'Hello, world!'").request("GET")
    assert text.status_code == 200
    assert text.headers["content-type"] == "application/json"
    assert text.content == b'"Hello, world!"'
    obj = _returning(server, lambda_client, "{'message': 'hi'}").request("GET")
    assert obj.status_code == 200 and obj.json() == {"message": "hi"}
    number = _returning(server, lambda_client, "42").request("GET")
    assert number.status_code == 200 and number.content == b"42"


def test_structured_response(server: ServerProcess, lambda_client: Any) -> None:
    go = _sample("aws-lambda-go/lambda-urls-response.json")
    answer = _returning(server, lambda_client, repr(go)).request("GET")
    assert answer.status_code == 201
    assert answer.headers["my-custom-header"] == "Custom Value"
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers.get_list("set-cookie") == go["cookies"]
    assert answer.json() == {"message": "Hello, world!"}
    binary = _returning(
        server,
        lambda_client,
        "{'statusCode': 200, 'headers': {'content-type': 'image/png'}, "
        "'body': base64.b64encode(b'\\x89PNG\\x00').decode(), 'isBase64Encoded': True}",
    ).request("GET")
    assert binary.content == b"\x89PNG\x00"
    assert binary.headers["content-type"] == "image/png"


def test_malformed_response_is_502(server: ServerProcess, lambda_client: Any) -> None:
    for bad in ("{'statusCode': 'soon'}", "{'statusCode': 200, 'headers': [1]}"):
        answer = _returning(server, lambda_client, bad).request("GET")
        assert answer.status_code == 502, bad
        assert answer.text == "Internal Server Error"


def test_function_error_is_502(server: ServerProcess, lambda_client: Any) -> None:
    source = "def handler(event, context):\n    raise ValueError('broken')\n"
    answer = make_url(server, lambda_client, source)[1].request("GET")
    assert answer.status_code == 502
    # AWS answers the words only: the function's error is in its log
    assert answer.text == "Internal Server Error"
    assert "broken" not in answer.text


def test_timeout_is_504(server: ServerProcess, lambda_client: Any) -> None:
    source = "import time\ndef handler(event, context):\n    time.sleep(10)\n"
    name = create_function(lambda_client, source, Timeout=1)
    url = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE")
    public_grants(lambda_client, name)
    answer = UrlClient(server, url["FunctionUrl"]).request("GET")
    assert answer.status_code == 504


def test_throttled_is_429(server: ServerProcess, lambda_client: Any) -> None:
    name, client = make_url(server, lambda_client, ECHO)
    lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    answer = client.request("GET")
    assert answer.status_code == 429
    assert answer.json() == {"Message": "Rate Exceeded."}


def test_no_public_policy_is_forbidden(server: ServerProcess, lambda_client: Any) -> None:
    name, client = make_url(server, lambda_client, ECHO, public=False)
    answer = client.request("GET")
    assert answer.status_code == 403 and answer.content == b'{"Message":"Forbidden"}'
    # InvokeFunctionUrl alone is no longer enough (AWS, October 2025)
    lambda_client.add_permission(
        FunctionName=name,
        StatementId="url",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    assert client.request("GET").status_code == 403
    lambda_client.add_permission(
        FunctionName=name,
        StatementId="invoke",
        Action="lambda:InvokeFunction",
        Principal="*",
        InvokedViaFunctionUrl=True,
    )
    assert client.request("GET").status_code == 200
    # a grant conditioned on the other auth type does not count
    lambda_client.remove_permission(FunctionName=name, StatementId="url")
    lambda_client.add_permission(
        FunctionName=name,
        StatementId="url-iam",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="AWS_IAM",
    )
    assert client.request("GET").status_code == 403


def test_unknown_url_is_forbidden(server: ServerProcess) -> None:
    base = f"http://127.0.0.1:{server.gateway_port}"
    answer = httpx.get(base + "/", headers={"host": "a" * 32 + ".lambda-url.us-east-1.localhost"})
    assert answer.status_code == 403 and answer.json() == {"Message": "Forbidden"}
    assert httpx.get(f"{base}/_aws/lambda-url/{'b' * 32}/x").status_code == 403


# -- hostile requests -----------------------------------------------------------------


def test_body_over_the_limit_is_413_before_invoking(echo: UrlClient) -> None:
    answer = echo.request("POST", content=b"x" * (6 * 1024 * 1024 + 1))
    assert answer.status_code == 413
    # a body just under the raw limit grows past it as base64: still Lambda's 413
    answer = echo.request(
        "POST", content=b"\xff" * (5 * 1024 * 1024), headers={"content-type": "image/png"}
    )
    assert answer.status_code == 413


def test_chunked_body_over_the_limit_is_413(echo: UrlClient) -> None:
    def chunks() -> Any:
        for _ in range(8):
            yield b"y" * (1024 * 1024)

    assert echo.request("POST", content=chunks()).status_code == 413


def test_header_flood_is_refused(echo: UrlClient) -> None:
    headers = [(f"x-h{i}", "v" * 50) for i in range(1000)]
    answer = echo.request("GET", headers=headers)
    assert answer.status_code == 431
    assert echo.request("GET").status_code == 200  # and the URL still serves


def _raw_get(client: UrlClient, target: bytes, host: str | None = None) -> tuple[int, bytes]:
    """A request sent byte for byte (HTTP clients normalize dot segments away)."""
    port = int(client.base.rsplit(":", 1)[1])
    head = b"GET " + target + b" HTTP/1.1\r\nHost: " + (host or client.host).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head + b"\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data.split(b"\r\n\r\n", 1)[1]


@pytest.mark.parametrize(
    "path",
    [
        b"/../../etc/passwd",
        b"/%2e%2e/%2e%2e/x",
        b"/a%2Fb",
        b"//double//slash",
        b"/%00nul",
        b"/%C3%A9",
    ],
)
def test_path_tricks_reach_the_function_verbatim(echo: UrlClient, path: bytes) -> None:
    status, body = _raw_get(echo, path)
    assert status == 200, body
    event = json.loads(body)
    assert event["requestContext"]["apiId"] == echo.id
    assert event["rawPath"].encode("latin-1") == path


def test_path_form_cannot_escape_to_another_door(echo: UrlClient) -> None:
    target = f"/_aws/lambda-url/{echo.id}/../../execute-api/x".encode()
    status, body = _raw_get(echo, target, host=f"127.0.0.1:{echo.base.rsplit(':', 1)[1]}")
    assert status == 200, body
    event = json.loads(body)
    assert event["requestContext"]["apiId"] == echo.id
    assert event["rawPath"] == "/../../execute-api/x"


def test_not_a_path_of_this_machine(tmp_path: Path) -> None:
    assert tmp_path  # keeps pytest's tmp handling the same as the other modules
