"""The ``rest-xml`` protocol's responses (S3 as a subclass with its own error body)."""

from __future__ import annotations

from typing import Any

from botocore.model import OperationModel, Shape, StructureShape

from stratus.aws.protocol.bindings import Binding, RestBindings
from stratus.aws.protocol.errors import ServiceError
from stratus.aws.protocol.http import HttpResponse
from stratus.aws.protocol.serializers.query import error_response_xml
from stratus.aws.protocol.serializers.rest import RestResponseSerializer
from stratus.aws.protocol.serializers.xml_writer import XmlValueWriter, escape

__all__ = ["RestXmlResponseSerializer", "S3ResponseSerializer"]

_PROLOG = '<?xml version="1.0" encoding="UTF-8"?>\n'


class RestXmlResponseSerializer(RestResponseSerializer, XmlValueWriter):
    """XML bodies; errors as ``<ErrorResponse>``."""

    protocol = "rest-xml"
    content_type = "application/xml"
    event_content_type = "text/xml"

    def namespace(self, payload: Binding | None) -> str | None:
        """The ``xmlns`` of the root element."""
        if payload is not None:
            ns = payload.shape.serialization.get("xmlNamespace")
            if isinstance(ns, dict):
                return str(ns["uri"]) if "uri" in ns else None
        namespace = self.service.model.metadata.get("xmlNamespace")
        return str(namespace) if namespace else None

    def root_name(self, operation: OperationModel, shape: Shape) -> str:
        """The root element when the body is the output's unbound members."""
        return str(shape.serialization.get("name") or f"{operation.name}Response")

    def payload_document(self, operation: OperationModel, payload: Binding, value: Any) -> bytes:
        """A structure payload is the root element, named as the member is."""
        parts = [_PROLOG]
        name = payload.shape.serialization.get("name", payload.wire_case)
        self.write(parts, payload.shape, value, name, self.namespace(payload))
        return "".join(parts).encode()

    def body_document(
        self,
        operation: OperationModel,
        shape: Shape,
        bindings: RestBindings,
        output: dict[str, Any],
    ) -> bytes:
        """The unbound members inside the output's root element."""
        name = self.root_name(operation, shape)
        ns = self.namespace(None)
        parts = [_PROLOG, f'<{name} xmlns="{escape(ns)}">' if ns else f"<{name}>"]
        self.write_members(
            parts, shape, {k: v for k, v in output.items() if k in bindings.body_members}
        )
        parts.append(f"</{name}>")
        return "".join(parts).encode()

    def event_document(
        self, shape: StructureShape, value: dict[str, Any], members: dict[str, Shape]
    ) -> bytes:
        """An event's members in one element named after the shape (S3's ``<Stats>``)."""
        name = shape.serialization.get("name", shape.name)
        parts = [f"<{name}>"]
        self.write_members(parts, shape, {k: v for k, v in value.items() if k in members})
        parts.append(f"</{name}>")
        return "".join(parts).encode()

    def serialize_error(
        self, error: ServiceError, operation: OperationModel | None, request_id: str
    ) -> HttpResponse:
        """``<ErrorResponse><Error><Type/><Code/><Message/></Error>``."""
        shape = self.error_shape(error)
        code = shape.name if shape is not None else error.code
        extra = self._error_fields(shape, error)
        body = error_response_xml(
            code, error.message, self.sender_fault(error, shape), request_id, extra
        )
        return self._finish(
            self.error_status(error, shape), self.base_headers(request_id), body, self.content_type
        )

    def _error_fields(self, shape: Any, error: ServiceError) -> str:
        if not error.fields:
            return ""
        parts: list[str] = []
        modeled = shape.members if shape is not None else {}
        if shape is not None:
            self.write_members(parts, shape, error.fields)
        for key, value in error.fields.items():
            if key not in modeled and value is not None:  # e.g. S3's <Key>, <BucketName>
                parts.append(f"<{key}>{escape(str(value))}</{key}>")
        return "".join(parts)


#: Root elements of S3 outputs the model leaves unnamed, as S3 writes them.
#: See e.g. https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
S3_ROOT_NAMES = {
    "ListObjects": "ListBucketResult",
    "ListObjectsV2": "ListBucketResult",
    "ListBuckets": "ListAllMyBucketsResult",
    "ListDirectoryBuckets": "ListAllMyDirectoryBucketsResult",
    "ListObjectVersions": "ListVersionsResult",
    "ListMultipartUploads": "ListMultipartUploadsResult",
    "ListParts": "ListPartsResult",
    "CreateMultipartUpload": "InitiateMultipartUploadResult",
    "CompleteMultipartUpload": "CompleteMultipartUploadResult",
    "DeleteObjects": "DeleteResult",
    "GetBucketTagging": "Tagging",
    "GetObjectTagging": "Tagging",
    "GetBucketVersioning": "VersioningConfiguration",
    "GetBucketAcl": "AccessControlPolicy",
    "GetObjectAcl": "AccessControlPolicy",
    "GetBucketCors": "CORSConfiguration",
    "GetBucketLifecycleConfiguration": "LifecycleConfiguration",
    "GetBucketNotificationConfiguration": "NotificationConfiguration",
    "GetBucketWebsite": "WebsiteConfiguration",
    "GetBucketLogging": "BucketLoggingStatus",
    "GetBucketLocation": "LocationConstraint",
    "GetBucketAccelerateConfiguration": "AccelerateConfiguration",
    "GetBucketRequestPayment": "RequestPaymentConfiguration",
    "GetObjectAttributes": "GetObjectAttributesResponse",
}

S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"

_PARTIAL = frozenset({"GetObject", "HeadObject"})


class S3ResponseSerializer(RestXmlResponseSerializer):
    """S3: its own namespace and root names, ``<Error>`` bodies, ``x-amz-request-id``.

    See https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
    """

    request_id_header = "x-amz-request-id"

    def serialize_response(
        self, operation: OperationModel, output: dict[str, Any] | None, request_id: str
    ) -> HttpResponse:
        """A GetObject body given as an async iterator streams (its ``ContentLength``
        header says how long it is); everything else is serialized as usual."""
        body = output.get("Body") if output else None
        if output is None or body is None or isinstance(body, bytes | bytearray | str):
            response = super().serialize_response(operation, output, request_id)
        else:
            response = super().serialize_response(
                operation, {k: v for k, v in output.items() if k != "Body"}, request_id
            )
            response.stream = aiter(body)
        if output and output.get("ContentRange") and operation.name in _PARTIAL:
            response.status = 206  # Partial Content: the model binds no status member
        return response

    def namespace(self, payload: Binding | None) -> str | None:
        """Every S3 document lives in the 2006-03-01 namespace."""
        return super().namespace(payload) or S3_NAMESPACE

    def root_name(self, operation: OperationModel, shape: Shape) -> str:
        """S3's root names (``ListBucketResult``...), else ``{Operation}Result``."""
        return S3_ROOT_NAMES.get(operation.name) or f"{operation.name}Result"

    def base_headers(self, request_id: str) -> list[tuple[str, str]]:
        """S3 pairs the request id with an extended id (``x-amz-id-2``)."""
        return [("x-amz-request-id", request_id), ("x-amz-id-2", request_id)]

    def body_document(
        self,
        operation: OperationModel,
        shape: Shape,
        bindings: RestBindings,
        output: dict[str, Any],
    ) -> bytes:
        """``GetBucketLocation`` answers a bare ``<LocationConstraint>region</...>``."""
        if operation.name == "GetBucketLocation":
            region = output.get("LocationConstraint") or ""
            return (
                f'{_PROLOG}<LocationConstraint xmlns="{S3_NAMESPACE}">{escape(region)}'
                "</LocationConstraint>"
            ).encode()
        return super().body_document(operation, shape, bindings, output)

    def serialize_error(
        self, error: ServiceError, operation: OperationModel | None, request_id: str
    ) -> HttpResponse:
        """``<Error><Code/><Message/>...fields...<RequestId/></Error>`` (no body for HEAD)."""
        shape = self.error_shape(error)
        code = shape.name if shape is not None else error.code
        body = (
            f"{_PROLOG}<Error><Code>{escape(code)}</Code><Message>{escape(error.message)}"
            f"</Message>{self._error_fields(shape, error)}<RequestId>{escape(request_id)}"
            f"</RequestId><HostId>{escape(request_id)}</HostId></Error>"
        ).encode()
        headers = [*self.base_headers(request_id), *error.headers]
        status = self.error_status(error, shape)
        if status == 304:  # Not Modified: no body, as HTTP requires
            return self._finish(304, headers, b"", None)
        if operation is not None and operation.http.get("method") == "HEAD":
            # No body may follow a HEAD: the code travels in a header, as AWS's front ends do.
            body = b""
            headers = [*headers, ("x-amzn-ErrorType", code)]
        return self._finish(
            self.error_status(error, shape),
            headers,
            body,
            self.content_type if body else None,
        )
