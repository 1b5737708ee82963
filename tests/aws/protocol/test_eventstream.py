"""Our event-stream framing, read back by botocore's own decoder and parser."""

from __future__ import annotations

from collections.abc import Iterator

from botocore.eventstream import EventStream, EventStreamBuffer
from botocore.parsers import EventStreamJSONParser, EventStreamXMLParser

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
