"""AWS's binary event-stream framing (``application/vnd.amazon.eventstream``).

Operations whose output has a member marked ``eventstream`` (Lambda's
InvokeWithResponseStream, S3's SelectObjectContent, Bedrock, Transcribe ...) answer with a
sequence of messages instead of one document. Each message is::

    prelude   total length (4 bytes) | headers length (4 bytes) | CRC32 of those 8 bytes
    headers   name length (1) | name | value type (1) | value (length-prefixed for strings)
    payload   the event's body
    trailer   CRC32 of everything before it

all integers big-endian. botocore's ``EventStream`` checks both CRCs, so a framing mistake
is an error in the client, not silent garbage. See "Event stream encoding" in the Amazon
Transcribe developer guide, the one AWS page that documents the format byte for byte.

This module frames messages and turns one event (``{member: value}`` of the eventstream
union) into one; how a structure's members become a body document is the protocol's
business, so the caller passes ``document`` (JSON for rest-json, XML for rest-xml).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable
from typing import Any

from botocore.model import Shape, StructureShape

__all__ = ["CONTENT_TYPE", "encode_event", "encode_events", "encode_message"]

CONTENT_TYPE = "application/vnd.amazon.eventstream"

# Header value types, as botocore.eventstream.DecodeUtils names them.
_TRUE, _FALSE, _BYTE, _SHORT, _INTEGER, _LONG, _BYTES, _STRING, _TIMESTAMP = range(9)

HeaderValue = str | bytes | bool | int
Document = Callable[[StructureShape, dict[str, Any], dict[str, Shape]], bytes]


def _header(name: str, value: HeaderValue) -> bytes:
    raw_name = name.encode("utf-8")
    head = struct.pack("!B", len(raw_name)) + raw_name
    if isinstance(value, bool):
        return head + struct.pack("!B", _TRUE if value else _FALSE)
    if isinstance(value, int):
        return head + struct.pack("!Bq", _LONG, value)
    if isinstance(value, bytes):
        return head + struct.pack("!BH", _BYTES, len(value)) + value
    raw = value.encode("utf-8")
    return head + struct.pack("!BH", _STRING, len(raw)) + raw


def encode_message(headers: Iterable[tuple[str, HeaderValue]], payload: bytes) -> bytes:
    """One framed message: prelude, prelude CRC, headers, payload, message CRC."""
    raw_headers = b"".join(_header(name, value) for name, value in headers)
    total = 12 + len(raw_headers) + len(payload) + 4
    prelude = struct.pack("!II", total, len(raw_headers))
    message = prelude + struct.pack("!I", zlib.crc32(prelude)) + raw_headers + payload
    return message + struct.pack("!I", zlib.crc32(message))


def encode_event(
    union: StructureShape,
    event: dict[str, Any],
    document: Document,
    document_type: str = "application/json",
) -> bytes:
    """Frame one event of the eventstream ``union``: ``{"PayloadChunk": {...}}``.

    A member that is an exception (CloudWatch Logs' ``SessionTimeoutException``) is an
    ``exception`` message, its members the body document: botocore raises it as an
    ``EventStreamError`` while the client iterates, and the stream ends there.

    The member name is ``:event-type``; members marked ``eventheader`` become headers, the
    one marked ``eventpayload`` is the body as is (blob or string) or as a document
    (structure); without one, the remaining members are the body document, whose
    ``:content-type`` is ``document_type`` (the protocol's: JSON, or XML for rest-xml).
    """
    ((event_type, value),) = event.items()
    shape = union.members[event_type]
    assert isinstance(shape, StructureShape)
    if shape.metadata.get("exception"):
        return encode_message(
            [
                (":exception-type", event_type),
                (":message-type", "exception"),
                (":content-type", document_type),
            ],
            document(shape, value, dict(shape.members)),
        )
    headers: list[tuple[str, HeaderValue]] = [
        (":event-type", event_type),
        (":message-type", "event"),
    ]
    body_members: dict[str, Shape] = {}
    payload: bytes | None = None
    content_type = document_type
    for name, member in shape.members.items():
        item = value.get(name)
        if member.serialization.get("eventheader"):
            if item is not None:
                headers.append((name, item))
        elif member.serialization.get("eventpayload"):
            if member.type_name == "blob":
                payload, content_type = bytes(item or b""), "application/octet-stream"
            elif member.type_name == "string":
                payload, content_type = (item or "").encode("utf-8"), "text/plain"
            else:
                assert isinstance(member, StructureShape)
                payload = document(member, item or {}, dict(member.members))
        else:
            body_members[name] = member
    if payload is None:
        payload = document(shape, value, body_members)
    headers.append((":content-type", content_type))
    return encode_message(headers, payload)


def encode_events(
    union: StructureShape,
    events: Iterable[dict[str, Any]],
    document: Document,
    document_type: str = "application/json",
) -> bytes:
    """The whole stream of ``events``, one message each, in order."""
    return b"".join(encode_event(union, event, document, document_type) for event in events)


async def encode_event_stream(
    union: StructureShape,
    events: AsyncIterable[dict[str, Any]],
    document: Document,
    document_type: str = "application/json",
) -> AsyncIterator[bytes]:
    """``events`` framed one message each, as they come (a stream answered while the
    operation still produces it: InvokeWithResponseStream)."""
    async for event in events:
        yield encode_event(union, event, document, document_type)
