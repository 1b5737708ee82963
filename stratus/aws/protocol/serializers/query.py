"""The ``query`` protocol's responses: ``<OpResponse><OpResult>...`` XML.

See https://smithy.io/2.0/aws/protocols/aws-query-protocol.html#response-serialization
"""

from __future__ import annotations

from typing import Any

from botocore.model import OperationModel, Shape

from stratus.aws.protocol.errors import ServiceError
from stratus.aws.protocol.http import HttpResponse
from stratus.aws.protocol.parsers.query import SQS_QUERY_NAMES
from stratus.aws.protocol.serializers.json_ import query_error_code
from stratus.aws.protocol.serializers.xml_writer import XmlValueWriter, escape

__all__ = ["QueryResponseSerializer", "SqsQueryResponseSerializer", "error_response_xml"]


def error_response_xml(
    code: str, message: str, sender: bool, request_id: str, extra: str = "", namespace: str = ""
) -> bytes:
    """``<ErrorResponse>`` as query services (and generic rest-xml ones) write errors."""
    xmlns = f' xmlns="{escape(namespace)}"' if namespace else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse{xmlns}><Error>'
        f"<Type>{'Sender' if sender else 'Receiver'}</Type><Code>{escape(code)}</Code>"
        f"<Message>{escape(message)}</Message>{extra}</Error>"
        f"<RequestId>{escape(request_id)}</RequestId></ErrorResponse>"
    ).encode()


class QueryResponseSerializer(XmlValueWriter):
    """XML responses wrapped in ``{Operation}Response`` / ``{Operation}Result``."""

    protocol = "query"
    content_type = "text/xml"

    def __init__(self, service: Any) -> None:
        super().__init__(service)
        meta = service.model.metadata
        self.namespace = meta.get("xmlNamespace") or (
            f"https://{meta.get('endpointPrefix')}.amazonaws.com/doc/{meta.get('apiVersion')}/"
        )

    def serialize_response(
        self, operation: OperationModel, output: dict[str, Any] | None, request_id: str
    ) -> HttpResponse:
        """The result members inside the wrapper, then ``ResponseMetadata``."""
        name = operation.name
        parts = [
            f'<?xml version="1.0" encoding="UTF-8"?>\n<{name}Response xmlns="{self.namespace}">'
        ]
        shape = operation.output_shape
        if shape is not None:
            wrapper = shape.serialization.get("resultWrapper", f"{name}Result")
            parts.append(f"<{wrapper}>")
            self.write_members(parts, shape, output or {})
            parts.append(f"</{wrapper}>")
        parts.append(
            f"<ResponseMetadata><RequestId>{escape(request_id)}</RequestId></ResponseMetadata>"
            f"</{name}Response>"
        )
        return self._response(200, request_id, "".join(parts).encode())

    def serialize_error(
        self, error: ServiceError, operation: OperationModel | None, request_id: str
    ) -> HttpResponse:
        """``ErrorResponse`` with the query error code of the shape (``error.code``)."""
        shape = self.error_shape(error)
        code = error.code
        extra = ""
        if shape is not None:
            code = query_error_code(self.service.name, shape, error.code)
            if error.fields:
                parts: list[str] = []
                self.write_members(parts, shape, error.fields)
                extra = "".join(parts)
        body = error_response_xml(
            code,
            error.message,
            self.sender_fault(error, shape),
            request_id,
            extra,
            self.namespace,
        )
        return self._response(self.error_status(error, shape), request_id, body)

    def _response(self, status: int, request_id: str, body: bytes) -> HttpResponse:
        return HttpResponse(
            status,
            [
                ("x-amzn-RequestId", request_id),
                ("Content-Type", self.content_type),
                ("Content-Length", str(len(body))),
            ],
            body,
        )


class SqsQueryResponseSerializer(QueryResponseSerializer):
    """SQS's query form, written through its JSON model plus the lost names."""

    def __init__(self, service: Any) -> None:
        super().__init__(service)
        self.namespace = "http://queue.amazonaws.com/doc/2012-11-05/"

    def member_key(self, parent: Shape, name: str, member: Shape) -> str:
        """Flattened members take their singular query names."""
        if name in SQS_QUERY_NAMES:
            renamed = SQS_QUERY_NAMES[name]
            if renamed is None and member.type_name == "list":
                return str(member.member.name)
            if renamed is not None:
                return renamed
        return super().member_key(parent, name, member)

    def map_names(self, shape: Shape) -> tuple[str, str]:
        """SQS maps are ``<Name>``/``<Value>`` pairs."""
        return ("Name", "Value")
