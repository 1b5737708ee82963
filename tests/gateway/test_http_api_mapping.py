"""HTTP APIs' parameter mapping over real HTTP (AWS's "Transform API requests and
responses for HTTP APIs in API Gateway"): request transforms on Lambda and HTTP
integrations, response transforms by status code, and the refusals at CreateIntegration
and UpdateIntegration."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.conftest import ServerProcess, free_port
from tests.gateway.conftest import function_arn, path_url

PREFIX = "Invalid mapping expression specified: Validation Result: warnings : [], errors : ["


class _Upstream:
    """An upstream on 127.0.0.1: answers with the request it got, as JSON; a query
    ``status=N`` picks the status, ``header=x`` adds ``x-from-upstream``."""

    def __init__(self) -> None:
        self.port = free_port()

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                status = 200
                if "status=" in self.path:
                    status = int(self.path.split("status=", 1)[1][:3])
                answer = json.dumps(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                        "nested": {"id": 42, "items": [{"name": "first"}]},
                    }
                ).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("x-upstream", "yes")
                self.send_header("x-drop-me", "secret")
                self.end_headers()
                self.wfile.write(answer)

            do_GET = do_POST = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def upstream() -> Iterator[_Upstream]:
    running = _Upstream()
    yield running
    running.server.shutdown()


def _api_with(apigw: Any, route_key: str, **integration: Any) -> tuple[str, str]:
    api_id = apigw.create_api(Name="mapping", ProtocolType="HTTP")["ApiId"]
    integration_id = apigw.create_integration(ApiId=api_id, **integration)["IntegrationId"]
    apigw.create_route(ApiId=api_id, RouteKey=route_key, Target=f"integrations/{integration_id}")
    apigw.create_stage(
        ApiId=api_id, StageName="$default", AutoDeploy=True, StageVariables={"env": "test"}
    )
    return api_id, integration_id


def _lambda(function: str, version: str = "2.0", **more: Any) -> dict[str, Any]:
    return {
        "IntegrationType": "AWS_PROXY",
        "IntegrationUri": function_arn(function),
        "PayloadFormatVersion": version,
        **more,
    }


def _http(upstream: _Upstream, **more: Any) -> dict[str, Any]:
    return {
        "IntegrationType": "HTTP_PROXY",
        "IntegrationMethod": "ANY",
        "IntegrationUri": f"http://127.0.0.1:{upstream.port}/base",
        "PayloadFormatVersion": "1.0",
        **more,
    }


# -- requests -------------------------------------------------------------------------------


def test_lambda_request_mapping_reaches_the_event_v2(
    server: ServerProcess, apigw: Any, echo_function: str
) -> None:
    api_id, _ = _api_with(
        apigw,
        "POST /orders/{id}",
        **_lambda(
            echo_function,
            RequestParameters={
                "append:header.x-order": "$request.path.id",
                "overwrite:header.x-customer": "$request.body.customer.name",
                "append:header.x-first-item": "${request.body.items[0].sku}",
                "overwrite:header.x-env": "env-$stageVariables.env",
                "append:header.x-request-id": "$context.requestId",
                "remove:header.x-secret": "''",
                "overwrite:querystring.page": "$request.querystring.p",
                "remove:querystring.debug": "''",
                "append:querystring.source": "gateway",
                "overwrite:path": "/internal/orders/${request.path.id}",
            },
        ),
    )
    response = httpx.post(
        path_url(server, api_id, "/orders/7?p=3&debug=1&page=9"),
        headers={"x-secret": "s3cr3t", "x-customer": "client"},
        json={"customer": {"name": "Ada"}, "items": [{"sku": "A-1"}]},
    )
    assert response.status_code == 200, response.text
    event = response.json()
    headers = event["headers"]
    assert headers["x-order"] == "7"
    assert headers["x-customer"] == "Ada"
    assert headers["x-first-item"] == "A-1"
    assert headers["x-env"] == "env-test"
    assert headers["x-request-id"] == response.headers["apigw-requestid"]
    assert "x-secret" not in headers
    assert event["queryStringParameters"] == {"p": "3", "page": "3", "source": "gateway"}
    assert event["rawPath"] == "/internal/orders/7"
    # The route still matched what the client asked for.
    assert event["routeKey"] == "POST /orders/{id}"
    assert event["pathParameters"] == {"id": "7"}


def test_lambda_request_mapping_reaches_the_event_v1(
    server: ServerProcess, apigw: Any, echo_function: str
) -> None:
    api_id, _ = _api_with(
        apigw,
        "GET /v1",
        **_lambda(
            echo_function,
            "1.0",
            RequestParameters={"append:header.x-extra": "static", "append:querystring.q": "two"},
        ),
    )
    response = httpx.get(path_url(server, api_id, "/v1?q=one"))
    assert response.status_code == 200, response.text
    event = response.json()
    assert event["headers"]["x-extra"] == "static"
    assert event["multiValueQueryStringParameters"] == {"q": ["one", "two"]}


def test_http_proxy_request_mapping_with_missing_sources(
    server: ServerProcess, apigw: Any, upstream: _Upstream
) -> None:
    api_id, _ = _api_with(
        apigw,
        "GET /items/{id}",
        **_http(
            upstream,
            RequestParameters={
                "overwrite:header.x-absent": "$request.header.x-not-sent",
                "append:header.x-in-text": "[${request.header.x-not-sent}]",
                "append:header.x-path": "$request.path",
                "overwrite:path": "/v2/items/$request.path.id",
            },
        ),
    )
    response = httpx.get(path_url(server, api_id, "/items/5"), headers={"x-absent": "sent"})
    assert response.status_code == 200, response.text
    seen = response.json()
    assert seen["path"] == "/v2/items/5"
    # A value that is one absent source sets nothing (overwrite removes the header); an
    # absent source inside text is empty.
    assert "x-absent" not in seen["headers"]
    assert seen["headers"]["x-in-text"] == "[]"
    assert seen["headers"]["x-path"] == "/items/5"


# -- responses ------------------------------------------------------------------------------


def test_http_proxy_response_mapping_by_status(
    server: ServerProcess, apigw: Any, upstream: _Upstream
) -> None:
    api_id, _ = _api_with(
        apigw,
        "GET /answer",
        **_http(
            upstream,
            ResponseParameters={
                "200": {
                    "append:header.x-copied": "$response.header.x-upstream",
                    "overwrite:header.x-id": "$response.body.nested.id",
                    "append:header.x-name": "${response.body.nested.items[0].name}",
                    "remove:header.x-drop-me": "''",
                    "append:header.x-stage": "$stageVariables.env/$context.stage",
                    "append:header.x-route": "$context.routeKey",
                },
                "404": {"overwrite:statuscode": "410", "append:header.x-gone": "yes"},
            },
        ),
    )
    ok = httpx.get(path_url(server, api_id, "/answer"))
    assert ok.status_code == 200, ok.text
    assert ok.headers["x-copied"] == "yes"
    assert ok.headers["x-id"] == "42"
    assert ok.headers["x-name"] == "first"
    assert "x-drop-me" not in ok.headers
    assert ok.headers["x-stage"] == "test/$default"
    assert ok.headers["x-route"] == "GET /answer"
    gone = httpx.get(path_url(server, api_id, "/answer?status=404"))
    assert gone.status_code == 410
    assert gone.headers["x-gone"] == "yes"
    assert gone.headers["x-drop-me"] == "secret"  # the 200 mapping is not the 404's
    other = httpx.get(path_url(server, api_id, "/answer?status=500"))
    assert other.status_code == 500 and "x-gone" not in other.headers


def test_lambda_response_mapping(server: ServerProcess, apigw: Any, scripted_function: str) -> None:
    api_id, _ = _api_with(
        apigw,
        "POST /scripted",
        **_lambda(
            scripted_function,
            ResponseParameters={
                "201": {
                    "overwrite:statuscode": "202",
                    "overwrite:header.location": "/things/$response.body.id",
                    "append:header.x-kind": "$response.header.x-kind",
                },
                "500": {"append:header.x-failed": "yes"},
            },
        ),
    )
    order = {
        "statusCode": 201,
        "headers": {"x-kind": "thing"},
        "body": json.dumps({"id": "t-1"}),
    }
    response = httpx.post(path_url(server, api_id, "/scripted"), json={"answer": order})
    assert response.status_code == 202, response.text
    assert response.headers["location"] == "/things/t-1"
    assert response.headers.get_list("x-kind") == ["thing", "thing"]
    # A failing function is the gateway's own 500, not an integration response.
    failed = httpx.post(path_url(server, api_id, "/scripted"), json={"answer": "raise"})
    assert failed.status_code == 500 and "x-failed" not in failed.headers


def test_lambda_payload_1_response_mapping(
    server: ServerProcess, apigw: Any, scripted_function: str
) -> None:
    """Payload 1.0: the function's ``multiValueHeaders`` are one header joined by commas
    to ``$response.header``; ``remove:`` drops what the function set; ``$context`` and
    ``$stageVariables`` fill values; a status with no mapping passes untouched."""
    api_id, _ = _api_with(
        apigw,
        "POST /one",
        **_lambda(
            scripted_function,
            "1.0",
            ResponseParameters={
                "200": {
                    "remove:header.x-secret": "''",
                    "overwrite:header.x-request": "$context.requestId",
                    "append:header.x-copy": "$response.header.x-multi",
                    "append:header.x-env": "${stageVariables.env}-${response.body.kind}",
                }
            },
        ),
    )
    order = {
        "statusCode": 200,
        "headers": {"x-secret": "s"},
        "multiValueHeaders": {"x-multi": ["a", "b"]},
        "body": json.dumps({"kind": "widget"}),
    }
    response = httpx.post(path_url(server, api_id, "/one"), json={"answer": order})
    assert response.status_code == 200, response.text
    assert "x-secret" not in response.headers
    assert response.headers["x-request"] == response.headers["apigw-requestid"]
    assert response.headers["x-copy"] == "a,b"
    assert response.headers["x-env"] == "test-widget"
    order["statusCode"] = 201
    untouched = httpx.post(path_url(server, api_id, "/one"), json={"answer": order})
    assert untouched.status_code == 201
    assert untouched.headers["x-secret"] == "s" and "x-copy" not in untouched.headers


def test_service_integration_response_mapping(server: ServerProcess, apigw: Any) -> None:
    sqs = server.client("sqs")
    queue_url = sqs.create_queue(QueueName="apigw-mapped-answer")["QueueUrl"]
    api_id, _ = _api_with(
        apigw,
        "POST /send",
        IntegrationType="AWS_PROXY",
        IntegrationSubtype="SQS-SendMessage",
        PayloadFormatVersion="1.0",
        RequestParameters={"QueueUrl": queue_url, "MessageBody": "$request.body.message"},
        ResponseParameters={
            "200": {
                "overwrite:statuscode": "202",
                "append:header.x-message-id": "$response.body.MessageId",
            }
        },
    )
    response = httpx.post(path_url(server, api_id, "/send"), json={"message": "mapped"})
    assert response.status_code == 202, response.text
    assert response.headers["x-message-id"] == response.json()["MessageId"]
    [message] = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1)["Messages"]
    assert message["MessageId"] == response.headers["x-message-id"]


# -- checks at CreateIntegration / UpdateIntegration ----------------------------------------


BAD_REQUESTS = [
    pytest.param({"insert:header.x": "v"}, "Invalid Request Actioned Parameter", id="action"),
    pytest.param({"append:body.x": "v"}, "Invalid Request Actioned Parameter", id="location"),
    pytest.param({"append:path": "/p"}, "Only overwrite is supported for path", id="path-action"),
    pytest.param({"append:header.bad name": "v"}, "Invalid header name", id="header-name"),
    pytest.param({"append:header.Authorization": "v"}, "authorization are restricted", id="auth"),
    pytest.param({"overwrite:header.X-Amz-Date": "v"}, "x-amz-date are restricted", id="x-amz"),
    pytest.param({"remove:header.apigw-requestid": "''"}, "restricted", id="apigw"),
    pytest.param({"append:header.x-forwarded-for": "v"}, "restricted", id="forwarded"),
    pytest.param({"append:header.access-control-allow-origin": "*"}, "restricted", id="cors"),
    pytest.param({"append:header.x": "$request.bogus.x"}, "$request.bogus.x", id="root"),
    pytest.param({"append:header.x": "$request.body..name"}, "$request.body", id="descent"),
    pytest.param({"append:header.x": "${request.body.a[?(@.b)]}"}, "request.body", id="filter"),
    pytest.param({"append:header.x": "$response.header.y"}, "$response.header.y", id="response"),
    pytest.param({"append:header.x": "${stageVariables.}"}, "stageVariables", id="empty-var"),
    pytest.param({"append:header.x": "${request.header.x"}, "${request.header.x", id="unclosed"),
]


@pytest.mark.parametrize(("mapping", "detail"), BAD_REQUESTS)
def test_bad_request_mappings_are_refused(
    apigw: Any, echo_function: str, mapping: dict[str, str], detail: str
) -> None:
    api_id = apigw.create_api(Name="bad-mapping", ProtocolType="HTTP")["ApiId"]
    with pytest.raises(ClientError) as caught:
        apigw.create_integration(ApiId=api_id, **_lambda(echo_function, RequestParameters=mapping))
    error = caught.value.response["Error"]
    assert error["Code"] == "BadRequestException"
    assert error["Message"].startswith(PREFIX) and detail in error["Message"]
    assert apigw.get_integrations(ApiId=api_id)["Items"] == []


BAD_RESPONSES = [
    pytest.param({"600": {"append:header.x": "v"}}, "Invalid status code 600", id="600"),
    pytest.param({"199": {"append:header.x": "v"}}, "Invalid status code 199", id="199"),
    pytest.param({"2xx": {"append:header.x": "v"}}, "Invalid status code 2xx", id="pattern"),
    pytest.param({"200": {"append:statuscode": "201"}}, "Only overwrite", id="status-action"),
    pytest.param({"200": {"overwrite:statuscode": "abc"}}, "Invalid status code", id="code"),
    pytest.param({"200": {"overwrite:statuscode": "700"}}, "Invalid status code", id="big"),
    pytest.param({"200": {"append:querystring.a": "v"}}, "Invalid Response Actioned", id="qs"),
    pytest.param({"200": {"append:overwrite.static": "v"}}, "Invalid Response Actioned", id="tf"),
    pytest.param({"200": {"append:header.content-length": "1"}}, "restricted", id="reserved"),
    pytest.param({"200": {"append:header.x": "$request.header.y"}}, "$request", id="request"),
]


@pytest.mark.parametrize(("mapping", "detail"), BAD_RESPONSES)
def test_bad_response_mappings_are_refused(
    apigw: Any, echo_function: str, mapping: dict[str, Any], detail: str
) -> None:
    api_id = apigw.create_api(Name="bad-response", ProtocolType="HTTP")["ApiId"]
    with pytest.raises(ClientError) as caught:
        apigw.create_integration(ApiId=api_id, **_lambda(echo_function, ResponseParameters=mapping))
    error = caught.value.response["Error"]
    assert error["Code"] == "BadRequestException"
    assert detail in error["Message"]
    assert apigw.get_integrations(ApiId=api_id)["Items"] == []


def test_service_integration_values_are_checked(apigw: Any) -> None:
    api_id = apigw.create_api(Name="bad-service", ProtocolType="HTTP")["ApiId"]
    with pytest.raises(ClientError) as caught:
        apigw.create_integration(
            ApiId=api_id,
            IntegrationType="AWS_PROXY",
            IntegrationSubtype="SQS-SendMessage",
            RequestParameters={"QueueUrl": "q", "MessageBody": "$request.nothing"},
        )
    assert caught.value.response["Error"]["Code"] == "BadRequestException"
    assert "$request.nothing" in caught.value.response["Error"]["Message"]


def test_update_merges_removes_and_checks_mappings(
    server: ServerProcess, apigw: Any, echo_function: str
) -> None:
    api_id, integration_id = _api_with(
        apigw,
        "GET /merge",
        **_lambda(
            echo_function,
            RequestParameters={"append:header.x-one": "1", "append:header.x-two": "2"},
            ResponseParameters={"200": {"append:header.x-r": "r"}, "404": {"append:header.y": "y"}},
        ),
    )
    updated = apigw.update_integration(
        ApiId=api_id,
        IntegrationId=integration_id,
        RequestParameters={"append:header.x-one": "", "append:header.x-three": "3"},
        ResponseParameters={"200": {}},
    )
    assert updated["RequestParameters"] == {
        "append:header.x-two": "2",
        "append:header.x-three": "3",
    }
    assert updated["ResponseParameters"] == {"404": {"append:header.y": "y"}}
    with pytest.raises(ClientError) as caught:
        apigw.update_integration(
            ApiId=api_id,
            IntegrationId=integration_id,
            RequestParameters={"append:header.connection": "close"},
        )
    assert caught.value.response["Error"]["Code"] == "BadRequestException"
    stored = apigw.get_integration(ApiId=api_id, IntegrationId=integration_id)
    assert stored["RequestParameters"] == updated["RequestParameters"]
    served = httpx.get(path_url(server, api_id, "/merge")).json()
    assert "x-one" not in served["headers"]
    assert served["headers"]["x-two"] == "2" and served["headers"]["x-three"] == "3"
    apigw.update_integration(
        ApiId=api_id,
        IntegrationId=integration_id,
        RequestParameters={"append:header.x-two": "", "append:header.x-three": ""},
    )
    cleared = apigw.get_integration(ApiId=api_id, IntegrationId=integration_id)
    assert "RequestParameters" not in cleared


# -- hostile input --------------------------------------------------------------------------


def test_mapping_a_huge_header_and_a_huge_body(
    server: ServerProcess, apigw: Any, echo_function: str
) -> None:
    api_id, _ = _api_with(
        apigw,
        "POST /huge",
        **_lambda(
            echo_function,
            RequestParameters={
                "append:header.x-copy": "$request.header.x-big",
                "append:header.x-twice": "$request.header.x-big${request.header.x-big}",
                "append:header.x-field": "$request.body.field",
            },
        ),
    )
    # Near the gateway port's 16 KB limit for a request head; mapping may multiply it.
    big = "b" * 12_000
    # Over 100 KB of JSON: API Gateway applies a JSON path to the first 100 KB only, so
    # the path finds nothing and the request goes on.
    body = json.dumps({"field": "found", "padding": "p" * 120_000})
    response = httpx.post(
        path_url(server, api_id, "/huge"),
        headers={"x-big": big, "content-type": "application/json"},
        content=body,
    )
    assert response.status_code == 200, response.text[:200]
    headers = response.json()["headers"]
    assert headers["x-copy"] == big and headers["x-twice"] == big * 2
    assert "x-field" not in headers
    small = httpx.post(path_url(server, api_id, "/huge"), json={"field": "found"})
    assert small.json()["headers"]["x-field"] == "found"


def test_thousands_of_mappings(server: ServerProcess, apigw: Any, echo_function: str) -> None:
    count = 3000
    mapping = {f"append:header.x-m{index}": f"value-{index}" for index in range(count)}
    api_id, integration_id = _api_with(
        apigw, "GET /many", **_lambda(echo_function, RequestParameters=mapping)
    )
    stored = apigw.get_integration(ApiId=api_id, IntegrationId=integration_id)
    assert len(stored["RequestParameters"]) == count
    response = httpx.get(path_url(server, api_id, "/many"))
    assert response.status_code == 200
    headers = response.json()["headers"]
    assert headers["x-m0"] == "value-0" and headers[f"x-m{count - 1}"] == f"value-{count - 1}"
