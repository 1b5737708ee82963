"""What ``rest-json`` and ``rest-xml`` responses share: status code, headers, payload.

Subclasses write the body document (:meth:`RestResponseSerializer.body_document`).
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterable
from typing import Any

import orjson
from botocore.model import OperationModel, Shape, StructureShape

from stratus.aws.protocol import eventstream
from stratus.aws.protocol.bindings import Binding, RestBindings, rest_bindings
from stratus.aws.protocol.http import HttpResponse
from stratus.aws.protocol.serializers.base import ResponseSerializer, scalar_text

__all__ = ["RestResponseSerializer"]


class RestResponseSerializer(ResponseSerializer):
    """Bindings common to the REST protocols."""

    content_type = "application/json"
    event_content_type = "application/json"  # of an event-stream message's document

    def serialize_response(
        self, operation: OperationModel, output: dict[str, Any] | None, request_id: str
    ) -> HttpResponse:
        """Status code and header members first, then the payload or body document."""
        shape = operation.output_shape
        status = self.status_for(operation)
        headers = self.base_headers(request_id)
        if shape is None:
            return self._finish(status, headers, b"", None)
        output = output or {}
        bindings = rest_bindings(shape)
        if bindings.status_code is not None and output.get(bindings.status_code) is not None:
            status = int(output[bindings.status_code])
        for binding in bindings.headers:
            value = output.get(binding.member)
            if value is not None:
                headers.append((binding.wire_case, self.header_text(binding, value)))
        for binding in bindings.header_maps:
            for key, value in (output.get(binding.member) or {}).items():
                headers.append((binding.wire_case + key, str(value)))
        stream = self._event_stream(bindings, output)
        if stream is not None:
            headers.append(("Content-Type", eventstream.CONTENT_TYPE))
            return HttpResponse(status, headers, b"", stream)
        body, content_type = self._body(operation, shape, bindings, output)
        return self._finish(status, headers, body, content_type)

    def _event_stream(self, bindings: RestBindings, output: dict[str, Any]) -> Any:
        """The encoded event stream when the payload is one given as an async iterable."""
        payload = bindings.payload
        if payload is None or not payload.shape.serialization.get("eventstream"):
            return None
        value = output.get(payload.member)
        if not isinstance(value, AsyncIterable):
            return None
        assert isinstance(payload.shape, StructureShape)
        return eventstream.encode_event_stream(
            payload.shape, value, self.event_document, self.event_content_type
        )

    def _body(
        self,
        operation: OperationModel,
        shape: Shape,
        bindings: RestBindings,
        output: dict[str, Any],
    ) -> tuple[bytes, str | None]:
        payload = bindings.payload
        if payload is not None:
            value = output.get(payload.member)
            if value is None:
                return b"", None
            if payload.shape.type_name == "blob":
                return (value if isinstance(value, bytes) else bytes(value, "utf-8")), None
            if payload.shape.type_name == "string":
                return value.encode("utf-8"), None
            if payload.shape.serialization.get("eventstream"):
                assert isinstance(payload.shape, StructureShape)
                stream = eventstream.encode_events(
                    payload.shape, value, self.event_document, self.event_content_type
                )
                return stream, eventstream.CONTENT_TYPE
            return self.payload_document(operation, payload, value), self.content_type
        if not bindings.body_members:
            return b"", None
        return self.body_document(operation, shape, bindings, output), self.content_type

    def payload_document(self, operation: OperationModel, payload: Binding, value: Any) -> bytes:
        """The body when it is one structure member."""
        raise NotImplementedError

    def event_document(
        self, shape: StructureShape, value: dict[str, Any], members: dict[str, Shape]
    ) -> bytes:
        """The body of one event-stream message holding ``members`` of a structure."""
        raise NotImplementedError

    def body_document(
        self,
        operation: OperationModel,
        shape: Shape,
        bindings: RestBindings,
        output: dict[str, Any],
    ) -> bytes:
        """The body holding the members not bound to the status code or headers."""
        raise NotImplementedError

    def base_headers(self, request_id: str) -> list[tuple[str, str]]:
        """Headers every response carries (the request id)."""
        return [(self.request_id_header, request_id)]

    def header_text(self, binding: Binding, value: Any) -> str:
        """A header member's value as text (lists comma-joined, JSON values base64)."""
        shape = binding.shape
        if shape.type_name == "list":
            return ",".join(scalar_text(shape.member, v, "rfc822") for v in value)
        if shape.type_name == "string" and shape.serialization.get("jsonvalue"):
            return base64.b64encode(orjson.dumps(value)).decode("ascii")
        return scalar_text(shape, value, "rfc822")

    def _finish(
        self, status: int, headers: list[tuple[str, str]], body: bytes, content_type: str | None
    ) -> HttpResponse:
        names = {name.lower() for name, _ in headers}
        if content_type is not None and "content-type" not in names:
            headers.append(("Content-Type", content_type))
        if "content-length" not in names:
            headers.append(("Content-Length", str(len(body))))
        return HttpResponse(status, headers, body)
