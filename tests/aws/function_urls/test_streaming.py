"""Real response streaming: bytes reach the client while the function still runs.

Ordering is proven with events, never timings: the function writes its first piece and
then waits for a file the test creates only once it has read that piece; the function's
second piece says whether it saw the file. A server that buffered the response would
hand the client nothing until the function returned, so the function would give up
waiting and write ``not-acked``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.aws.function_urls.conftest import make_url
from tests.aws.lambda_.test_runtimes_beyond_python import create
from tests.conftest import ServerProcess, create_function

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")

NODE_STREAM = r"""
const fs = require("fs");
const waitFor = async (path) => {
  for (let i = 0; i < 400; i++) {
    if (fs.existsSync(path)) return "acked";
    await new Promise((r) => setTimeout(r, 50));
  }
  return "not-acked";
};
exports.handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
  if (event.http) {
    responseStream = awslambda.HttpResponseStream.from(responseStream, {
      statusCode: 201, headers: { "content-type": "text/plain", "x-streamed": "yes" },
      cookies: ["a=1"],
    });
  }
  responseStream.write("first|");
  const ack = event.ack || (event.headers && event.headers["x-ack"]);
  responseStream.write(await waitFor(ack));
  if (event.fail) throw new Error("broke midway");
  responseStream.end("|" + context.awsRequestId);
});
"""

# A custom runtime streaming through the Runtime API by hand: chunked POST with the
# streaming response mode, and the error trailers when asked to fail midway.
PY_BOOTSTRAP = r"""#!/usr/bin/env python3
import base64, json, os, socket, time
host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
while True:
    import http.client
    c = http.client.HTTPConnection(host, int(port))
    c.request("GET", "/2018-06-01/runtime/invocation/next")
    r = c.getresponse()
    rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
    event = json.loads(r.read())
    s = socket.create_connection((host, int(port)))
    s.sendall(("POST /2018-06-01/runtime/invocation/%s/response HTTP/1.1\r\nHost: x\r\n"
               "Lambda-Runtime-Function-Response-Mode: streaming\r\n"
               "Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n"
               "Trailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body\r\n\r\n" % rid).encode())
    def chunk(data):
        s.sendall(b"%x\r\n%s\r\n" % (len(data), data))
    chunk(b"one|")
    state = "not-acked"
    for _ in range(400):
        if os.path.exists(event["ack"]):
            state = "acked"; break
        time.sleep(0.05)
    chunk(state.encode())
    if event.get("fail"):
        err = base64.b64encode(json.dumps({"errorType": "Custom.Midway", "errorMessage": "gave up"}).encode())
        s.sendall(b"0\r\nLambda-Runtime-Function-Error-Type: Custom.Midway\r\nLambda-Runtime-Function-Error-Body: " + err + b"\r\n\r\n")
    else:
        s.sendall(b"0\r\n\r\n")
    s.recv(65536)
    s.close()
"""


def _node(lambda_client: Any, **kw: Any) -> str:
    return create_function(
        lambda_client,
        "",
        runtime="nodejs20.x",
        handler="index.handler",
        files={"index.js": NODE_STREAM},
        Timeout=30,
        **kw,
    )


def _read_events(response: dict[str, Any], on_first: Any) -> tuple[bytes, dict[str, Any]]:
    body = b""
    complete: dict[str, Any] = {}
    for event in response["EventStream"]:
        if "PayloadChunk" in event:
            if not body:
                on_first()
            body += event["PayloadChunk"]["Payload"]
        if "InvokeComplete" in event:
            complete = event["InvokeComplete"]
    return body, complete


def test_node_streams_through_invoke_with_response_stream(
    lambda_client: Any, tmp_path: Path
) -> None:
    name = _node(lambda_client)
    ack = tmp_path / "ack"
    response = lambda_client.invoke_with_response_stream(
        FunctionName=name, Payload=json.dumps({"ack": str(ack)})
    )
    body, complete = _read_events(response, ack.touch)
    first, state, request_id = body.decode().split("|")
    assert first == "first"
    assert state == "acked"  # the first bytes arrived while the function was waiting
    assert request_id
    assert "ErrorCode" not in complete


def test_node_error_midway_is_in_invoke_complete(lambda_client: Any, tmp_path: Path) -> None:
    name = _node(lambda_client)
    ack = tmp_path / "ack"
    response = lambda_client.invoke_with_response_stream(
        FunctionName=name, Payload=json.dumps({"ack": str(ack), "fail": True})
    )
    body, complete = _read_events(response, ack.touch)
    assert body == b"first|acked"
    assert complete["ErrorCode"] == "Error"
    assert complete["ErrorDetails"] == "broke midway"


def test_streaming_function_through_plain_invoke_is_buffered(
    lambda_client: Any, tmp_path: Path
) -> None:
    name = _node(lambda_client)
    ack = tmp_path / "ack"
    ack.touch()  # nobody reads midway here: the whole response comes at the end
    result = lambda_client.invoke(FunctionName=name, Payload=json.dumps({"ack": str(ack)}))
    assert result["Payload"].read().startswith(b"first|acked|")


def test_custom_runtime_streams_and_reports_trailers(lambda_client: Any, tmp_path: Path) -> None:
    name = create(lambda_client, "provided.al2023", {"bootstrap": (PY_BOOTSTRAP, 0o755)})
    ack = tmp_path / "ack"
    response = lambda_client.invoke_with_response_stream(
        FunctionName=name, Payload=json.dumps({"ack": str(ack)})
    )
    body, complete = _read_events(response, ack.touch)
    assert body == b"one|acked"
    assert "ErrorCode" not in complete
    ack.unlink()
    response = lambda_client.invoke_with_response_stream(
        FunctionName=name, Payload=json.dumps({"ack": str(ack), "fail": True})
    )
    body, complete = _read_events(response, ack.touch)
    assert body == b"one|acked"
    assert complete["ErrorCode"] == "Custom.Midway"
    assert complete["ErrorDetails"] == "gave up"


def test_function_url_response_stream(
    server: ServerProcess, lambda_client: Any, tmp_path: Path
) -> None:
    _, client = make_url(
        server,
        lambda_client,
        "",
        runtime="nodejs20.x",
        handler="index.handler",
        files={"index.js": NODE_STREAM},
        InvokeMode="RESPONSE_STREAM",
    )
    ack = tmp_path / "ack"
    headers = {"x-ack": str(ack)}
    with client.http.stream(
        "GET", client.base + "/?http=1", headers={"host": client.host, **headers}
    ) as response:
        assert response.status_code == 200 or response.status_code == 201
        pieces = response.iter_bytes()
        first = next(pieces)
        ack.touch()
        rest = b"".join(pieces)
    body = first + rest
    # without the prelude (no event.http): 200 and the function's content type
    assert body.decode().startswith("first|acked|")
    assert response.headers["content-type"] == "application/octet-stream"


def test_function_url_stream_with_http_metadata(
    server: ServerProcess, lambda_client: Any, tmp_path: Path
) -> None:
    source = NODE_STREAM.replace("if (event.http)", "if (true)")
    _, client = make_url(
        server,
        lambda_client,
        "",
        runtime="nodejs20.x",
        handler="index.handler",
        files={"index.js": source},
        InvokeMode="RESPONSE_STREAM",
    )
    ack = tmp_path / "ack"
    with client.http.stream(
        "GET", client.base + "/", headers={"host": client.host, "x-ack": str(ack)}
    ) as response:
        assert response.status_code == 201
        assert response.headers["x-streamed"] == "yes"
        assert response.headers["content-type"] == "text/plain"
        assert response.headers.get_list("set-cookie") == ["a=1"]
        pieces = response.iter_bytes()
        first = next(pieces)
        ack.touch()
        rest = b"".join(pieces)
    assert (first + rest).decode().startswith("first|acked|")


def test_python_behind_a_streaming_url_is_buffered(
    server: ServerProcess, lambda_client: Any
) -> None:
    source = "def handler(event, context):\n    return {'statusCode': 202, 'body': 'whole'}\n"
    _, client = make_url(server, lambda_client, source, InvokeMode="RESPONSE_STREAM")
    response = client.request("GET")
    assert response.status_code == 202 and response.text == "whole"


def test_stream_past_the_soft_limit_ends_with_lambdas_error(lambda_client: Any) -> None:
    source = """
exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const block = Buffer.alloc(1024 * 1024, 120);
  for (let i = 0; i < 21; i++) {
    if (!responseStream.write(block)) await new Promise((r) => responseStream.once("drain", r));
  }
  responseStream.end();
});
"""
    name = create_function(
        lambda_client,
        "",
        runtime="nodejs20.x",
        handler="index.handler",
        files={"index.js": source},
        Timeout=60,
    )
    response = lambda_client.invoke_with_response_stream(FunctionName=name, Payload=b"{}")
    body, complete = _read_events(response, lambda: None)
    assert len(body) <= 20 * 1024 * 1024
    assert complete["ErrorCode"] == "Function.ResponseSizeTooLarge"


def test_node_pipeline_into_the_response_stream(lambda_client: Any) -> None:
    source = """
const { pipeline } = require("stream/promises");
const { Readable } = require("stream");
exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  async function* lines() { for (let i = 0; i < 5; i++) yield `line ${i}\\n`; }
  await pipeline(Readable.from(lines()), responseStream);
});
"""
    name = create_function(
        lambda_client,
        "",
        runtime="nodejs20.x",
        handler="index.handler",
        files={"index.js": source},
        Timeout=30,
    )
    response = lambda_client.invoke_with_response_stream(FunctionName=name, Payload=b"{}")
    body, complete = _read_events(response, lambda: None)
    assert body == b"".join(f"line {i}\n".encode() for i in range(5))
    assert complete == {}
