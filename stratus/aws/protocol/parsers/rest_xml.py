"""The ``rest-xml`` protocol: HTTP bindings plus an XML body (S3, CloudFront, Route 53)."""

from __future__ import annotations

from collections.abc import AsyncIterable
from typing import Any

from botocore.model import Shape

from stratus.aws.protocol.aws_chunked import AwsChunkedDecoder
from stratus.aws.protocol.bindings import Binding
from stratus.aws.protocol.errors import CommonServiceError, ServiceError
from stratus.aws.protocol.http import HttpRequest
from stratus.aws.protocol.parsers.rest import RestRequestParser
from stratus.aws.protocol.parsers.xml_reader import XmlValueReader
from stratus.aws.protocol.routing import RouteMatch

__all__ = ["RestXmlRequestParser", "S3RequestParser"]


class RestXmlRequestParser(RestRequestParser, XmlValueReader):
    """Bodies are one XML element: the structure payload, or the input shape's members."""

    protocol = "rest-xml"

    def read_body(self, body: bytes, members: dict[str, Shape], shape: Shape) -> dict[str, Any]:
        """The root element holds the unbound members."""
        return self.read_structure(shape, self.load_xml(body), "", members)

    def read_payload_document(self, body: bytes, shape: Shape) -> Any:
        """The root element is the payload structure itself."""
        return self.read_element(shape, self.load_xml(body), shape.name)


class S3RequestParser(RestXmlRequestParser):
    """S3 words its errors its own way and may send ``aws-chunked`` bodies.

    See https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html and
    https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
    """

    def parse(self, request: HttpRequest, match: RouteMatch) -> dict[str, Any]:
        """Decode an ``aws-chunked`` body before the generic REST parsing.

        A streamed object body (PutObject, UploadPart) is handed on as an async iterator
        in ``Body``, decoded as it arrives; an ``AwsChunkedDecoder`` keeps the trailers."""
        encoding = request.headers.get("content-encoding", "")
        chunked = "aws-chunked" in encoding or request.headers.get(
            "x-amz-content-sha256", ""
        ).startswith("STREAMING-")
        stream: AsyncIterable[bytes] | None = request.stream
        if chunked:
            if request.stream is not None:
                stream = AwsChunkedDecoder(request.stream)
            else:
                request.body = decode_aws_chunked(request.body)
            remaining = [e for e in encoding.split(",") if e.strip() and e.strip() != "aws-chunked"]
            if remaining:
                request.headers["content-encoding"] = ",".join(remaining)
            else:
                request.headers.pop("content-encoding", None)
        params = super().parse(request, match)
        if stream is not None:
            params["Body"] = stream
        return params

    def serialization_error(self, detail: str) -> ServiceError:
        """S3 calls every unreadable body ``MalformedXML``."""
        return CommonServiceError("MalformedXML", detail)

    def query_value(self, shape: Shape, text: str, binding: Binding) -> Any:
        """S3 reads its numeric query parameters (``max-keys``, ``max-uploads``,
        ``part-number-marker`` ...) itself and refuses one that is no int32 as an
        ``InvalidArgument`` naming the parameter, not as a body it cannot read."""
        if shape.type_name in ("integer", "long"):
            try:
                value = int(text)
            except ValueError:
                value = None
            if value is None or not -(2**31) <= value < 2**31:
                raise CommonServiceError(
                    "InvalidArgument",
                    f"Provided {binding.wire} not an integer or within integer range",
                    fields={"ArgumentName": binding.wire, "ArgumentValue": text},
                )
            return value
        return super().query_value(shape, text, binding)

    def validation_error(self, path: str) -> ServiceError:
        """S3 has no Coral validator; a missing member is ``InvalidRequest``."""
        return CommonServiceError("InvalidRequest", f"Missing required parameter: {path}")


def decode_aws_chunked(body: bytes) -> bytes:
    """Strip the chunk framing (``size;chunk-signature=...\\r\\n data \\r\\n``) and trailers."""
    out = bytearray()
    pos = 0
    while pos < len(body):
        line_end = body.find(b"\r\n", pos)
        if line_end == -1:
            break
        size_text = body[pos:line_end].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            break
        if size == 0:
            break
        start = line_end + 2
        out += body[start : start + size]
        pos = start + size + 2
    return bytes(out)
