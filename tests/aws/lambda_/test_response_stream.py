"""InvokeWithResponseStream through boto3: the event stream a client iterates, as Lambda
sends it for a buffered (Python) handler: PayloadChunk events, then InvokeComplete."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.aws.lambda_.conftest import assert_error, function_arn
from tests.conftest import create_function

HANDLER = """
import json

def handler(event, context):
    print("streaming", event.get("size", 0))
    if event.get("fail"):
        raise ValueError("no stream for you")
    return {"blob": "x" * event.get("size", 0), "version": context.function_version}
"""


def read_stream(response: dict[str, Any]) -> tuple[bytes, list[bytes], dict[str, Any]]:
    """The concatenated payload, each chunk, and the InvokeComplete event."""
    chunks: list[bytes] = []
    complete: dict[str, Any] | None = None
    for event in response["EventStream"]:
        if "PayloadChunk" in event:
            assert complete is None, "a chunk after InvokeComplete"
            chunks.append(event["PayloadChunk"]["Payload"])
        elif "InvokeComplete" in event:
            complete = event["InvokeComplete"]
    assert complete is not None, "the stream ended without InvokeComplete"
    return b"".join(chunks), chunks, complete


@pytest.fixture(scope="module")
def streamer(lambda_client: Any) -> str:
    name = create_function(lambda_client, HANDLER)
    lambda_client.publish_version(FunctionName=name)
    lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    return name


def test_normal_result_is_streamed(lambda_client: Any, streamer: str) -> None:
    response = lambda_client.invoke_with_response_stream(
        FunctionName=streamer, Payload=json.dumps({"size": 10})
    )
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == "$LATEST"
    assert response["ResponseStreamContentType"] == "application/vnd.amazon.eventstream"
    body, chunks, complete = read_stream(response)
    assert json.loads(body) == {"blob": "x" * 10, "version": "$LATEST"}
    assert len(chunks) == 1
    assert "ErrorCode" not in complete and "LogResult" not in complete


def test_large_result_comes_in_several_chunks(lambda_client: Any, streamer: str) -> None:
    size = 300_000
    response = lambda_client.invoke_with_response_stream(
        FunctionName=streamer, Payload=json.dumps({"size": size})
    )
    body, chunks, complete = read_stream(response)
    assert len(chunks) > 1
    assert json.loads(body)["blob"] == "x" * size
    assert "ErrorCode" not in complete


def test_failing_handler_reports_in_invoke_complete(lambda_client: Any, streamer: str) -> None:
    response = lambda_client.invoke_with_response_stream(
        FunctionName=streamer, Payload=json.dumps({"fail": True}), LogType="Tail"
    )
    assert response["StatusCode"] == 200
    body, _, complete = read_stream(response)
    assert body == b""
    assert complete["ErrorCode"] == "ValueError"
    assert complete["ErrorDetails"] == "no stream for you"
    log = base64.b64decode(complete["LogResult"]).decode()
    assert "START RequestId:" in log and "REPORT RequestId:" in log
    assert "streaming 0" in log


def test_log_tail_and_qualifier(lambda_client: Any, streamer: str) -> None:
    response = lambda_client.invoke_with_response_stream(
        FunctionName=streamer, Qualifier="live", Payload=b"{}", LogType="Tail"
    )
    assert response["ExecutedVersion"] == "1"
    body, _, complete = read_stream(response)
    assert json.loads(body)["version"] == "1"
    assert "streaming 0" in base64.b64decode(complete["LogResult"]).decode()


def test_dry_run(lambda_client: Any, streamer: str) -> None:
    response = lambda_client.invoke_with_response_stream(
        FunctionName=streamer, InvocationType="DryRun"
    )
    assert response["StatusCode"] == 204


BAD: list[tuple[str, dict[str, Any], str, str, int]] = [
    (
        "missing-function",
        {"FunctionName": "no-such-fn-stream"},
        "ResourceNotFoundException",
        f"Function not found: {function_arn('no-such-fn-stream')}",
        404,
    ),
    (
        "missing-version",
        {"Qualifier": "42"},
        "ResourceNotFoundException",
        "Function not found: ",
        404,
    ),
    (
        "bad-json",
        {"Payload": b"{nope"},
        "InvalidRequestContentException",
        "Could not parse request body into json",
        400,
    ),
    (
        "event-type",
        {"InvocationType": "Event"},
        "ValidationException",
        "1 validation error detected: Value 'Event' at 'invocationType' failed to satisfy "
        "constraint: Member must satisfy enum value set: [RequestResponse, DryRun]",
        400,
    ),
    (
        "log-type",
        {"LogType": "Head"},
        "ValidationException",
        "1 validation error detected: Value 'Head' at 'logType'",
        400,
    ),
]


@pytest.mark.parametrize(
    ("params", "code", "message", "status"),
    [case[1:] for case in BAD],
    ids=[case[0] for case in BAD],
)
def test_bad_inputs(
    raw_client: Any, streamer: str, params: dict[str, Any], code: str, message: str, status: int
) -> None:
    call = {"FunctionName": streamer, **params}
    with pytest.raises(raw_client.exceptions.ClientError) as error:
        raw_client.invoke_with_response_stream(**call)
    assert_error(error, code, message, status, prefix=True)
