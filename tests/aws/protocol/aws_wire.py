"""Build requests and read responses with botocore itself: the other end of every test."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from botocore import parsers as botocore_parsers
from botocore import serialize as botocore_serialize
from botocore.awsrequest import create_request_object, prepare_request_dict
from urllib3 import HTTPHeaderDict

from stratus.aws.protocol.http import HttpRequest, HttpResponse
from stratus.aws.protocol.models import load_service

SIGNED = (
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/eu-west-1/{service}/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=abc123"
)


def botocore_request(
    service: str,
    operation: str,
    params: dict[str, Any],
    *,
    protocol: str | None = None,
    signing_name: str | None = None,
    validate: bool = True,
) -> HttpRequest:
    """The request botocore's own serializer writes for ``params``, as our HttpRequest.

    ``validate=False`` skips botocore's client-side checks (``parameter_validation=False``
    in a client's config), so a request that breaks the model reaches the server.
    """
    spec = load_service(service)
    op = spec.model.operation_model(operation)
    serializer = botocore_serialize.create_serializer(protocol or spec.protocol, validate)
    request_dict = serializer.serialize_to_request(params, op)
    prepare_request_dict(request_dict, endpoint_url="http://127.0.0.1:4566")
    prepared = create_request_object(request_dict).prepare()
    url = urlsplit(prepared.url)
    headers = {
        k.lower(): (v.decode() if isinstance(v, bytes) else v) for k, v in prepared.headers.items()
    }
    if signing_name is not False:
        headers["authorization"] = SIGNED.format(service=signing_name or spec.signing_name)
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode()
    elif not isinstance(body, bytes):
        body = body.read()
    return HttpRequest(prepared.method, url.path or "/", url.query, headers, body)


def botocore_parse(
    service: str, operation: str, response: HttpResponse, *, protocol: str | None = None
) -> dict[str, Any]:
    """What a boto3 client would return for ``response``."""
    spec = load_service(service)
    op = spec.model.operation_model(operation)
    parser = botocore_parsers.create_parser(protocol or spec.protocol)
    headers = HTTPHeaderDict()
    for name, value in response.headers:
        headers.add(name, value)
    parsed = parser.parse(
        {"status_code": response.status, "headers": headers, "body": response.body},
        op.output_shape,
    )
    parsed.pop("ResponseMetadata", None)
    return parsed


def botocore_parse_error(
    service: str, operation: str, response: HttpResponse, *, protocol: str | None = None
) -> dict[str, Any]:
    """The ``Error`` dict botocore reads from an error response, plus modeled fields."""
    spec = load_service(service)
    op = spec.model.operation_model(operation)
    parser = botocore_parsers.create_parser(protocol or spec.protocol)
    headers = HTTPHeaderDict()
    for name, value in response.headers:
        headers.add(name, value)
    parsed = parser.parse(
        {"status_code": response.status, "headers": headers, "body": response.body},
        op.output_shape,
    )
    if (
        spec.model.metadata.get("awsQueryCompatible") is not None
        and "x-amzn-query-error" in headers
    ):
        code, _, _ = headers["x-amzn-query-error"].partition(";")
        parsed["Error"]["QueryErrorCode"] = code
    return parsed
