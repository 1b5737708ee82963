"""Our event-stream framing, read back by botocore's own decoder and parser."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import botocore.exceptions
import pytest
from botocore.eventstream import EventStream, EventStreamBuffer
from botocore.parsers import EventStreamJSONParser, EventStreamXMLParser, JSONParser

from stratus.aws.protocol.eventstream import CONTENT_TYPE, encode_message
from stratus.aws.protocol.models import load_service
from stratus.aws.protocol.serializers import create_serializer


def test_botocore_decodes_a_message_with_every_header_type() -> None:
    headers = [(":event-type", "X"), ("flag", True), ("off", False), ("n", 7), ("raw", b"\x00")]
    buffer = EventStreamBuffer()
    buffer.add_data(encode_message(headers, b"payload") + encode_message([], b""))
    first, second = list(buffer)
    assert first.headers == {":event-type": "X", "flag": True, "off": False, "n": 7, "raw": b"\x00"}
    assert first.payload == b"payload"
    assert second.headers == {} and second.payload == b""


class _Body:
    """The raw byte source botocore's EventStream reads from (an HTTP body)."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self) -> Iterator[bytes]:
        for start in range(0, len(self._data), 7):  # odd sizes: frames cross reads
            yield self._data[start : start + 7]


def test_lambda_response_stream_round_trip() -> None:
    spec = load_service("lambda")
    operation = spec.model.operation_model("InvokeWithResponseStream")
    events = [
        {"PayloadChunk": {"Payload": b'{"a": '}},
        {"PayloadChunk": {"Payload": b"1}"}},
        {"InvokeComplete": {"ErrorCode": "ValueError", "ErrorDetails": "x", "LogResult": "bA=="}},
    ]
    response = create_serializer(spec).serialize_response(
        operation, {"StatusCode": 200, "ExecutedVersion": "1", "EventStream": events}, "rid"
    )
    assert ("Content-Type", CONTENT_TYPE) in response.headers
    assert ("X-Amz-Executed-Version", "1") in response.headers
    shape = operation.output_shape.members["EventStream"]
    stream = EventStream(
        _Body(response.body), shape, EventStreamJSONParser(), "InvokeWithResponseStream"
    )
    assert list(stream) == events


def test_s3_select_stream_round_trip() -> None:
    """rest-xml: raw Records payloads, an XML Stats document, an empty End event."""
    spec = load_service("s3")
    operation = spec.model.operation_model("SelectObjectContent")
    events = [
        {"Records": {"Payload": b"a,b\n"}},
        {"Stats": {"Details": {"BytesScanned": 10, "BytesProcessed": 10, "BytesReturned": 4}}},
        {"End": {}},
    ]
    response = create_serializer(spec).serialize_response(operation, {"Payload": events}, "rid")
    shape = operation.output_shape.members["Payload"]
    stream = EventStream(_Body(response.body), shape, EventStreamXMLParser(), "SelectObjectContent")
    assert list(stream) == events


def test_json_live_tail_stream_round_trip() -> None:
    """json 1.1: an initial-response first (botocore's JSONParser reads it before the
    events), the events as they come, and an exception member as an exception message."""
    spec = load_service("logs")
    operation = spec.model.operation_model("StartLiveTail")
    events = [
        {"sessionStart": {"requestId": "r", "sessionId": "s", "logGroupIdentifiers": ["/g"]}},
        {
            "sessionUpdate": {
                "sessionMetadata": {"sampled": False},
                "sessionResults": [
                    {
                        "logStreamName": "a",
                        "logGroupIdentifier": "/g",
                        "message": "hi",
                        "timestamp": 1,
                        "ingestionTime": 2,
                    }
                ],
            }
        },
        {"SessionTimeoutException": {"message": "Session timed out."}},
    ]

    async def produce() -> Any:
        for event in events:
            yield event

    response = create_serializer(spec).serialize_response(
        operation, {"responseStream": produce()}, "rid"
    )
    assert ("Content-Type", CONTENT_TYPE) in response.headers

    async def read() -> bytes:
        return await response.read_body()

    body = asyncio.run(read())
    parsed = JSONParser().parse(
        {
            "status_code": 200,
            "headers": {},
            "body": _Body(body),
            "context": {"operation_name": "StartLiveTail"},
        },
        operation.output_shape,
    )
    stream = iter(parsed["responseStream"])
    assert next(stream) == events[0]
    assert next(stream) == events[1]
    with pytest.raises(botocore.exceptions.EventStreamError) as info:
        next(stream)
    assert info.value.response["Error"] == {
        "Code": "SessionTimeoutException",
        "Message": "Session timed out.",
    }
