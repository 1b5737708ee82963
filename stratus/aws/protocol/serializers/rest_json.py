"""The ``rest-json`` protocol's responses; errors as ``x-amzn-ErrorType`` + JSON body."""

from __future__ import annotations

from typing import Any

import orjson
from botocore.model import OperationModel, Shape, StructureShape

from stratus.aws.protocol.bindings import Binding, RestBindings
from stratus.aws.protocol.errors import ServiceError
from stratus.aws.protocol.http import HttpResponse
from stratus.aws.protocol.serializers.json_ import JsonValueWriter, needs_conversion
from stratus.aws.protocol.serializers.rest import RestResponseSerializer

__all__ = ["LambdaResponseSerializer", "RestJsonResponseSerializer"]


class RestJsonResponseSerializer(RestResponseSerializer, JsonValueWriter):
    """JSON bodies; the error code travels in ``x-amzn-ErrorType``."""

    protocol = "rest-json"
    content_type = "application/json"

    def payload_document(self, operation: OperationModel, payload: Binding, value: Any) -> bytes:
        """A structure payload is the whole JSON body."""
        if needs_conversion(payload.shape):
            value = self.to_json(payload.shape, value)
        return orjson.dumps(value)

    def body_document(
        self,
        operation: OperationModel,
        shape: Shape,
        bindings: RestBindings,
        output: dict[str, Any],
    ) -> bytes:
        """The unbound members as one JSON object."""
        return self.dump_members(shape, output, bindings.body_members)

    def event_document(
        self, shape: StructureShape, value: dict[str, Any], members: dict[str, Shape]
    ) -> bytes:
        """An event's members as one JSON object, as in a body."""
        return self.dump_members(shape, value, members)

    def serialize_error(
        self, error: ServiceError, operation: OperationModel | None, request_id: str
    ) -> HttpResponse:
        """``x-amzn-ErrorType: Code`` and ``{"message": ...}`` plus the shape's fields."""
        shape = self.error_shape(error)
        code = shape.name if shape is not None else error.code
        body = orjson.dumps(self.error_document(error, shape))
        headers = [
            (self.request_id_header, request_id),
            ("x-amzn-ErrorType", code),
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
        ]
        return HttpResponse(self.error_status(error, shape), headers, body)


class LambdaResponseSerializer(RestJsonResponseSerializer):
    """Lambda's errors say who is at fault in ``Type`` (``User`` or ``Service``).

    See https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors
    """

    def error_document(self, error: ServiceError, shape: Any) -> dict[str, Any]:
        """Fill ``Type`` when the error shape has it and the provider left it out."""
        document = super().error_document(error, shape)
        if shape is not None and "Type" in shape.members and "Type" not in document:
            document = {
                "Type": "User" if self.sender_fault(error, shape) else "Service",
                **document,
            }
        return document
