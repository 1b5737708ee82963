"""AwsApp served by uvicorn on 127.0.0.1, driven by real boto3 clients."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import uvicorn
from botocore.config import Config
from botocore.exceptions import ClientError

from stratus.aws.app import AwsApp
from stratus.aws.context import RequestContext
from stratus.aws.protocol.errors import ServiceError


class LambdaProvider:
    """A tiny real provider: enough operations to cross every path of the app."""

    def __init__(self) -> None:
        self.functions: dict[str, dict[str, Any]] = {}
        self.contexts: list[RequestContext] = []

    async def create_function(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        self.contexts.append(ctx)
        name = params["FunctionName"]
        self.functions[name] = params
        return {
            "FunctionName": name,
            "Runtime": params.get("Runtime"),
            "FunctionArn": f"arn:aws:lambda:{ctx.region}:{ctx.account_id}:function:{name}",
        }

    async def get_function(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["FunctionName"]
        if name not in self.functions:
            raise ServiceError(f"Function not found: {name}", code="ResourceNotFoundException")
        return {"Configuration": {"FunctionName": name}}

    async def invoke(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        if params["FunctionName"] == "explode":
            raise RuntimeError("secret internal detail")
        return {
            "StatusCode": 200,
            "ExecutedVersion": "$LATEST",
            "Payload": b'{"echo": ' + params.get("Payload", b"null") + b"}",
        }


class QueueProvider:
    async def send_message(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return {"MessageId": "m-1", "MD5OfMessageBody": "x"}


async def native(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"native"})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, LambdaProvider]]:
    provider = LambdaProvider()
    app = AwsApp(
        {"lambda": provider, "sqs": QueueProvider()}, fallback=native, max_body_bytes=1024 * 1024
    )
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(srv.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert srv.started
    yield f"http://127.0.0.1:{port}", provider
    srv.should_exit = True
    thread.join(10)


def client(url: str, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=url,
        region_name="eu-west-1",
        aws_access_key_id="AKID",
        aws_secret_access_key="secret",
        config=Config(retries={"max_attempts": 0}),
    )


def test_create_and_get_function(server: tuple[str, LambdaProvider]) -> None:
    url, provider = server
    lam = client(url, "lambda")
    created = lam.create_function(
        FunctionName="f1",
        Runtime="python3.12",
        Role="arn:aws:iam::000000000000:role/r",
        Handler="h",
        Code={"ZipFile": b"zip"},
    )
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["FunctionArn"] == "arn:aws:lambda:eu-west-1:000000000000:function:f1"
    assert provider.functions["f1"]["Code"] == {"ZipFile": b"zip"}
    assert provider.contexts[-1].access_key == "AKID"
    assert lam.get_function(FunctionName="f1")["Configuration"]["FunctionName"] == "f1"


def test_invoke_blob_payload(server: tuple[str, LambdaProvider]) -> None:
    lam = client(server[0], "lambda")
    result = lam.invoke(FunctionName="f1", Payload=b'{"a": 1}')
    assert result["StatusCode"] == 200
    assert result["Payload"].read() == b'{"echo": {"a": 1}}'
    assert result["ResponseMetadata"]["RequestId"]


def test_service_error(server: tuple[str, LambdaProvider]) -> None:
    lam = client(server[0], "lambda")
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as info:
        lam.get_function(FunctionName="missing")
    err = info.value.response
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert err["Error"]["Message"] == "Function not found: missing"
    assert err["Type"] == "User"


def test_unexpected_exception_is_internal_failure(server: tuple[str, LambdaProvider]) -> None:
    lam = client(server[0], "lambda")
    with pytest.raises(ClientError) as info:
        lam.invoke(FunctionName="explode")
    err = info.value.response
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert err["Error"]["Code"] == "InternalFailure"
    assert "secret" not in str(err) and "Traceback" not in str(err)


def test_unknown_operation(server: tuple[str, LambdaProvider]) -> None:
    lam = client(server[0], "lambda")
    with pytest.raises(ClientError) as info:
        lam.list_functions()
    assert info.value.response["Error"]["Code"] == "UnknownOperationException"
    sqs = client(server[0], "sqs")
    with pytest.raises(ClientError) as info:
        sqs.list_queues()
    assert info.value.response["Error"]["Code"] == "UnknownOperationException"
    assert sqs.send_message(QueueUrl="http://q", MessageBody="x")["MessageId"] == "m-1"


def _raw(
    url: str, path: str, body: bytes, headers: dict[str, str], method: str = "POST"
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url + path, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


SIG = (
    "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/{}/aws4_request, "
    "SignedHeaders=host, Signature=00"
)


@pytest.mark.parametrize(
    ("path", "body", "headers", "status", "needle"),
    [
        (
            "/2015-03-31/functions",
            b"{not json",
            {"Authorization": SIG.format("lambda")},
            400,
            b"InvalidRequestContentException",
        ),
        (
            "/2015-03-31/functions",
            b'{"FunctionName": 5, "Role": "r", "Code": {}}',
            {"Authorization": SIG.format("lambda")},
            400,
            b"InvalidRequestContentException",
        ),
        (
            "/2015-03-31/functions",
            b'{"FunctionName": "x", "Code": {}}',
            {"Authorization": SIG.format("lambda")},
            400,
            b"'role'",
        ),
        (
            "/",
            b"\xff\xfe garbage",
            {
                "Authorization": SIG.format("sqs"),
                "X-Amz-Target": "AmazonSQS.SendMessage",
                "Content-Type": "application/x-amz-json-1.0",
            },
            400,
            b"SerializationException",
        ),
        (
            "/",
            b'{"QueueUrl": "q"}',
            {"X-Amz-Target": "AmazonSQS.SendMessage", "Content-Type": "application/x-amz-json-1.0"},
            400,
            b"messageBody",
        ),
        (
            "/",
            b"x" * (1024 * 1024 + 1),
            {"Authorization": SIG.format("lambda")},
            413,
            b"RequestEntityTooLargeException",
        ),
    ],
    ids=[
        "lambda-bad-json",
        "lambda-wrong-type",
        "lambda-missing-role",
        "sqs-garbage",
        "sqs-missing-body",
        "too-large",
    ],
)
def test_garbage_requests(
    server: tuple[str, LambdaProvider],
    path: str,
    body: bytes,
    headers: dict[str, str],
    status: int,
    needle: bytes,
) -> None:
    before = dict(server[1].functions)
    got_status, got_headers, got_body = _raw(server[0], path, body, headers)
    assert got_status == status
    lowered = {k.lower(): v for k, v in got_headers.items()}
    error_type = lowered.get("x-amzn-errortype", "").encode()
    assert needle in got_body or needle == error_type
    assert any(k.lower() == "x-amzn-requestid" for k in got_headers)
    assert server[1].functions == before


def test_native_paths_go_to_fallback_and_nothing_else(server: tuple[str, LambdaProvider]) -> None:
    status, _, body = _raw(server[0], "/_stratus/health", b"", {}, method="GET")
    assert (status, body) == (200, b"native")
    # Anything else that no AWS API claims gets AWS's generic error, never the native API.
    status, headers, body = _raw(server[0], "/favicon.ico", b"", {}, method="GET")
    assert status == 404
    assert {k.lower(): v for k, v in headers.items()}[
        "x-amzn-errortype"
    ] == "UnknownOperationException"
