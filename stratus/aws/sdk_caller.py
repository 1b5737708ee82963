"""Calls of Stratus's own AWS APIs from inside the server, for ``aws-sdk:*`` tasks.

A call is made exactly as an SDK makes it, minus the socket: botocore's serializer for the
service's protocol writes the request, :meth:`AwsApp.handle` answers it in-process, and
botocore's parser reads the answer. So a workflow sees what a boto3 client would see,
errors included, and every service is reachable the day its provider is registered.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import time
from typing import Any
from urllib.parse import urlsplit

from botocore import parsers as botocore_parsers
from botocore import serialize as botocore_serialize
from botocore.awsrequest import create_request_object, prepare_request_dict
from botocore.exceptions import ParamValidationError
from botocore.model import Shape
from urllib3 import HTTPHeaderDict

from stratus.aws.app import AwsApp
from stratus.aws.protocol.http import HttpRequest, HttpResponse
from stratus.aws.protocol.models import ServiceSpec, load_service
from stratus.workflows.integrations.base import AwsCallFailed

__all__ = ["SdkCallFailed", "SdkCaller", "coerced"]

_ENDPOINT = "http://127.0.0.1:4566"


class SdkCallFailed(AwsCallFailed):
    """An AWS error answer, with the request id the service gave it."""

    def __init__(
        self, service: str, code: str, message: str, status: int, request_id: str | None
    ) -> None:
        super().__init__(service, code, message, status)
        self.request_id = request_id


class SdkCaller:
    """The :class:`~stratus.workflows.integrations.base.AwsCaller` of the platform."""

    def __init__(self, app: AwsApp, *, region: str = "us-east-1") -> None:
        self._app = app
        self._region = region

    async def call(
        self,
        service: str,
        operation: str,
        params: dict[str, Any],
        *,
        account_id: str | None = None,
        region: str | None = None,
        coerce: bool = False,
    ) -> dict[str, Any]:
        """Call ``operation`` of ``service`` (botocore names) as ``account_id`` in
        ``region`` (default: the default account, the platform's region); ``coerce``:
        convert scalars to the input shape's types first (``coerced``); raises
        AwsCallFailed."""
        try:
            spec = load_service(service)
        except Exception as exc:  # unknown to botocore, or a protocol we do not speak
            raise SdkCallFailed(
                service,
                "UnknownServiceException",
                f"Service {service} is not supported.",
                400,
                None,
            ) from exc
        if operation not in spec.model.operation_names:
            raise SdkCallFailed(
                service,
                "UnknownOperationException",
                f"Operation {operation} is not supported.",
                400,
                None,
            )
        if coerce:
            params = coerced(params, spec.model.operation_model(operation).input_shape)
        request = self._request(spec, operation, params, account_id, region)
        response = await self._app.handle(request)
        if response is None:
            # No provider serves this service yet: what AWS answers an unknown operation.
            raise SdkCallFailed(
                service,
                "UnknownOperationException",
                f"Operation {operation} is not supported.",
                400,
                None,
            )
        await response.read_body()  # a GetObject's body or an event stream
        return _parse(spec, operation, response)

    async def send(self, request: HttpRequest) -> HttpResponse | None:
        """A request already written (and credential-scoped) by the caller, answered as
        a client's would be: REST APIs' AWS integrations write theirs from templates."""
        return await self._app.handle(request)

    def _request(
        self,
        spec: ServiceSpec,
        operation: str,
        params: dict[str, Any],
        account_id: str | None,
        region: str | None,
    ) -> HttpRequest:
        model = spec.model.operation_model(operation)
        serializer = botocore_serialize.create_serializer(spec.protocol, True)
        try:
            request_dict = serializer.serialize_to_request(params, model)
        except ParamValidationError as exc:
            raise SdkCallFailed(
                spec.name, "ValidationException", str(exc.kwargs.get("report", exc)), 400, None
            ) from exc
        prepare_request_dict(request_dict, endpoint_url=_ENDPOINT)
        prepared = create_request_object(request_dict).prepare()
        url = urlsplit(prepared.url)
        headers = {
            name.lower(): value.decode() if isinstance(value, bytes) else value
            for name, value in prepared.headers.items()
        }
        day = time.strftime("%Y%m%d", time.gmtime())
        # Unsigned but scoped: the credential scope is how the router knows the region
        # and the service on the shared endpoint, and its key the account (a 12-digit
        # access key id is that account; "stratus" is none, hence the default account).
        key = account_id or "stratus"
        headers["authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={key}/{day}/{region or self._region}/"
            f"{spec.signing_name}/"
            "aws4_request, SignedHeaders=host;x-amz-date, Signature=0"
        )
        body = prepared.body or b""
        if isinstance(body, str):
            body = body.encode()
        elif not isinstance(body, bytes):
            body = body.read()
        if operation == "PutObject" and not any(
            h == "content-md5" or h.startswith("x-amz-checksum-") for h in headers
        ):
            # As the SDKs do (S3 refuses an Object Lock upload without a digest).
            headers["content-md5"] = base64.b64encode(hashlib.md5(body).digest()).decode()
        # The platform's own call, inside this process: it crosses no network, so it is
        # as secure as transport gets (a bucket denying requests without TLS lets it in).
        return HttpRequest(
            prepared.method, url.path or "/", url.query or "", headers, body, scheme="https"
        )


_INTEGERS = frozenset({"integer", "long"})
_FLOATS = frozenset({"float", "double"})


def coerced(value: Any, shape: Shape | None) -> Any:
    """``value`` with its scalars converted to what ``shape`` wants, as CloudFormation
    converts a template's values for a resource's API: a numeric string for a number,
    ``"true"``/``"false"`` for a boolean, a number or boolean for a string. What cannot be
    converted is left as it is, for the service's own validation to refuse."""
    if shape is None:
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        return {k: coerced(v, members.get(k)) for k, v in value.items()}
    if kind == "list" and isinstance(value, list):
        return [coerced(item, shape.member) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {k: coerced(v, shape.value) for k, v in value.items()}
    if kind in _INTEGERS:
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                return int(value.strip())
        elif isinstance(value, float) and value.is_integer():
            return int(value)
    elif kind in _FLOATS:
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                return float(value.strip())
    elif kind == "boolean":
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
    elif kind == "string" and not isinstance(value, str):
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return str(value)
    return value


def _parse(spec: ServiceSpec, operation: str, response: HttpResponse) -> dict[str, Any]:
    model = spec.model.operation_model(operation)
    parser = botocore_parsers.create_parser(spec.protocol)
    headers = HTTPHeaderDict()
    for name, value in response.headers:
        headers.add(name, value)
    shape = model.output_shape
    # A streaming payload (S3's GetObject body) stays bytes: botocore's parser would
    # decode it as UTF-8, expecting a stream object there.
    streamed = response.status < 300 and shape is not None and model.has_streaming_output
    parsed = parser.parse(
        {
            "status_code": response.status,
            "headers": headers,
            "body": b"" if streamed else response.body,
        },
        shape,
    )
    if streamed and shape is not None:
        parsed[shape.serialization["payload"]] = response.body
    metadata = parsed.pop("ResponseMetadata", {})
    if response.status >= 300 or "Error" in parsed:
        error = parsed.get("Error", {})
        raise SdkCallFailed(
            spec.name,
            str(error.get("Code") or "Unknown"),
            str(error.get("Message") or ""),
            response.status,
            metadata.get("RequestId"),
        )
    return dict(parsed)
