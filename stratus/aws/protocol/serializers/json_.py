"""The ``json`` protocol's responses: a JSON body, errors as ``__type`` + ``message``."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterable
from typing import Any

import orjson
from botocore.model import OperationModel, Shape, StructureShape

from stratus.aws.protocol import eventstream
from stratus.aws.protocol.errors import ServiceError
from stratus.aws.protocol.http import HttpResponse
from stratus.aws.protocol.models import iter_shape_tree
from stratus.aws.protocol.serializers.base import (
    ResponseSerializer,
    encode_blob,
    format_timestamp,
)

__all__ = ["JsonResponseSerializer", "JsonValueWriter"]

#: The namespace AWS puts before ``#`` in ``__type``; botocore strips it, other SDKs too.
_TYPE_NAMESPACES = {
    "dynamodb": "com.amazonaws.dynamodb.v20120810",
    "dynamodbstreams": "com.amazonaws.dynamodb.v20120810",
    "sqs": "com.amazonaws.sqs",
    "stepfunctions": "com.amazonaws.swf.service.model",
    "kinesis": "com.amazonaws.kinesis.v20131202",
}
_CORAL = "com.amazon.coral.service"
_CORAL_CODES = frozenset(
    {
        "UnknownOperationException",
        "SerializationException",
        "InternalFailure",
        "ValidationException",
        "AccessDeniedException",
    }
)


#: SQS's legacy query error codes, which its JSON model no longer carries but which
#: AWS still sends in ``x-amzn-query-error`` (and botocore reports as ``Error.Code``).
#: See https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html
SQS_QUERY_ERROR_CODES = {
    "QueueDoesNotExist": "AWS.SimpleQueueService.NonExistentQueue",
    "QueueDeletedRecently": "AWS.SimpleQueueService.QueueDeletedRecently",
    "QueueNameExists": "QueueAlreadyExists",
    "BatchEntryIdsNotDistinct": "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
    "BatchRequestTooLong": "AWS.SimpleQueueService.BatchRequestTooLong",
    "EmptyBatchRequest": "AWS.SimpleQueueService.EmptyBatchRequest",
    "InvalidBatchEntryId": "AWS.SimpleQueueService.InvalidBatchEntryId",
    "TooManyEntriesInBatchRequest": "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
    "UnsupportedOperation": "AWS.SimpleQueueService.UnsupportedOperation",
    "PurgeQueueInProgress": "AWS.SimpleQueueService.PurgeQueueInProgress",
    "MessageNotInflight": "AWS.SimpleQueueService.MessageNotInflight",
}


def query_error_code(service: str, shape: Shape | None, code: str) -> str:
    """The query-protocol code of an error: the shape's ``error.code``, SQS's table, or
    the code itself."""
    if shape is None:
        return code
    modeled = shape.metadata.get("error", {}).get("code")
    if modeled:
        return str(modeled)
    if service == "sqs":
        return str(SQS_QUERY_ERROR_CODES.get(shape.name, shape.name))
    return str(shape.name)


@functools.lru_cache(maxsize=8192)
def needs_conversion(shape: Shape) -> bool:
    """Whether a value of ``shape`` differs from its JSON form (timestamps, blobs, renames).

    Outputs whose shapes need nothing go straight to orjson: the common case.
    """
    for node in iter_shape_tree(shape):
        if node.type_name in ("timestamp", "blob"):
            return True
        if node.type_name == "structure":
            for member in node.members.values():
                if "name" in member.serialization:
                    return True
    return False


_PLANS: dict[int, tuple[Shape, dict[str, tuple[str, Shape | None]]]] = {}


def _structure_plan(shape: Shape) -> dict[str, tuple[str, Shape | None]]:
    """Member name -> (JSON key, the member's shape if its value needs converting, else
    None): worked out once per structure instead of for every field of every answer (a
    ReceiveMessage of 10 messages converts 10 Message structures). Cached by the shape's
    identity, as botocore keeps its shapes alive."""
    cached = _PLANS.get(id(shape))
    if cached is not None and cached[0] is shape:
        return cached[1]
    plan = {
        name: (member.serialization.get("name", name), member if needs_conversion(member) else None)
        for name, member in shape.members.items()
    }
    _PLANS[id(shape)] = (shape, plan)
    return plan


class JsonValueWriter(ResponseSerializer):
    """Convert values to their JSON form by shape."""

    def to_json(self, shape: Shape, value: Any) -> Any:
        """``value`` with timestamps as epoch seconds, blobs as base64, members renamed."""
        type_name = shape.type_name
        if type_name == "structure":
            if shape.is_document_type:
                return value
            plan = _structure_plan(shape)
            out = {}
            for name, item in value.items():
                step = plan.get(name)
                if step is None or item is None:
                    continue
                wire, convert = step
                out[wire] = item if convert is None else self.to_json(convert, item)
            return out
        if type_name == "list":
            member = shape.member
            if not needs_conversion(member):
                return value
            return [self.to_json(member, item) for item in value]
        if type_name == "map":
            member = shape.value
            if not needs_conversion(member):
                return value
            return {k: self.to_json(member, v) for k, v in value.items() if v is not None}
        if type_name == "timestamp":
            return format_timestamp(
                value, shape.serialization.get("timestampFormat", "unixTimestamp")
            )
        if type_name == "blob":
            return encode_blob(value)
        return value

    def dump_members(self, shape: Shape, value: dict[str, Any], members: dict[str, Shape]) -> bytes:
        """The JSON document of ``members`` of ``value`` (the body of a response)."""
        out: dict[str, Any] = {}
        for name, member in members.items():
            item = value.get(name)
            if item is None:
                continue
            out[member.serialization.get("name", name)] = (
                self.to_json(member, item) if needs_conversion(member) else item
            )
        return orjson.dumps(out)

    def error_document(self, error: ServiceError, shape: Any) -> dict[str, Any]:
        """The error's message plus its extra fields, named as the error shape names them."""
        document: dict[str, Any] = {}
        if error.message:
            document[self.message_member(shape)] = error.message
        if error.fields:
            if shape is not None:
                document.update(self.to_json(shape, error.fields))
            else:
                document.update(error.fields)
        return document


class JsonResponseSerializer(JsonValueWriter):
    """``application/x-amz-json-1.0`` / ``1.1`` responses."""

    protocol = "json"

    def __init__(self, service: Any) -> None:
        super().__init__(service)
        version = service.model.metadata.get("jsonVersion", "1.0")
        self.content_type = f"application/x-amz-json-{version}"
        self.query_compatible = "awsQueryCompatible" in service.model.metadata
        self.type_namespace = _TYPE_NAMESPACES.get(service.name)

    def serialize_response(
        self, operation: OperationModel, output: dict[str, Any] | None, request_id: str
    ) -> HttpResponse:
        """The whole output shape is the JSON body."""
        shape = operation.output_shape
        streamed = self._event_stream(shape, output, request_id)
        if streamed is not None:
            return streamed
        if shape is None or not output:
            body = b"{}"
        elif needs_conversion(shape):
            body = orjson.dumps(self.to_json(shape, output))
        else:
            body = orjson.dumps(output)
        return HttpResponse(200, self._headers(request_id, body), body)

    def _event_stream(
        self, shape: Shape | None, output: dict[str, Any] | None, request_id: str
    ) -> HttpResponse | None:
        """An output whose eventstream member is an async iterable (StartLiveTail): the
        other members go in an ``initial-response`` message, which botocore's JSON parser
        reads first, then one message per event as the operation produces them."""
        if shape is None or not output or not isinstance(shape, StructureShape):
            return None
        name = shape.event_stream_name
        events = output.get(name) if name else None
        if name is None or not isinstance(events, AsyncIterable):
            return None
        union = shape.members[name]
        assert isinstance(union, StructureShape)
        rest = {k: m for k, m in shape.members.items() if k != name}
        initial = eventstream.encode_message(
            [
                (":event-type", "initial-response"),
                (":message-type", "event"),
                (":content-type", self.content_type),
            ],
            self.dump_members(shape, output, rest),
        )
        stream = eventstream.encode_event_stream(
            union, events, self.dump_members, self.content_type
        )
        headers = [
            ("x-amzn-RequestId", request_id),
            ("Content-Type", eventstream.CONTENT_TYPE),
        ]
        return HttpResponse(200, headers, initial, stream)

    def serialize_error(
        self, error: ServiceError, operation: OperationModel | None, request_id: str
    ) -> HttpResponse:
        """``{"__type": "namespace#Code", "message": ...}``, as botocore reads it."""
        shape = self.error_shape(error)
        code = shape.name if shape is not None else error.code
        namespace = _CORAL if code in _CORAL_CODES and shape is None else self.type_namespace
        document = {"__type": f"{namespace}#{code}" if namespace else code}
        document.update(self.error_document(error, shape))
        body = orjson.dumps(document)
        headers = self._headers(request_id, body)
        if self.query_compatible:
            query_code = query_error_code(self.service.name, shape, error.code)
            fault = "Sender" if self.sender_fault(error, shape) else "Receiver"
            headers.append(("x-amzn-query-error", f"{query_code};{fault}"))
        return HttpResponse(self.error_status(error, shape), headers, body)

    def _headers(self, request_id: str, body: bytes) -> list[tuple[str, str]]:
        return [
            ("x-amzn-RequestId", request_id),
            ("Content-Type", self.content_type),
            ("Content-Length", str(len(body))),
        ]
