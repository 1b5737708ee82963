"""The AWS API front door: a raw ASGI3 app (no framework: Lambda Invoke crosses it per call).

Per request: read the body, route (service, protocol, operation), parse, call the
provider's ``async def <snake_case_operation>(ctx, params)``, serialize. Every error
leaves here as AWS's error for the service's protocol; anything unexpected becomes
``InternalFailure`` (500), logged with its traceback and never shown to the client.
Requests that are no AWS call (``/_stratus/...``, unknown paths) go to ``fallback``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, MutableMapping
from typing import Any, Protocol, runtime_checkable

import orjson
from botocore import xform_name
from botocore.model import OperationModel

from stratus.aws.accounts import Accounts
from stratus.aws.context import RequestContext
from stratus.aws.protocol.error_table import EMPTY, ErrorTable
from stratus.aws.protocol.errors import (
    InternalFailure,
    NotAwsRequestError,
    RequestTooLargeError,
    RequestValidationError,
    ServiceError,
    UnknownOperationError,
)
from stratus.aws.protocol.http import BodyIncomplete, HttpRequest, HttpResponse
from stratus.aws.protocol.models import ServiceSpec, load_service
from stratus.aws.protocol.parsers import RequestParser, create_parser
from stratus.aws.protocol.routing import RouteMatch, ServiceRouter
from stratus.aws.protocol.s3_addressing import (
    STREAMED_OPERATIONS,
    is_browser_upload,
    is_object_upload,
    path_style,
)
from stratus.aws.protocol.serializers import ResponseSerializer, create_serializer
from stratus.aws.protocol.sigv4 import CredentialScope, parse_credential_scope
from stratus.aws.protocol.validation import check_input
from stratus.runtime.ids import new_request_id

__all__ = ["AwsApp", "generic_error", "send_response"]

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
AsgiApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Handler = Callable[[RequestContext, dict[str, Any]], Awaitable[dict[str, Any] | None]]

_NATIVE_PREFIX = "/_stratus/"
#: The services whose model violations are not Coral's ``ValidationException``: API
#: Gateway's models declare no such error (its clients get ``BadRequestException``, with
#: the same message), CloudWatch Logs answers ``InvalidParameterException``.
VALIDATION_CODES = {
    "apigateway": "BadRequestException",
    "apigatewayv2": "BadRequestException",
    "logs": "InvalidParameterException",
}
DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024

# Services clients may call although no provider serves them yet: routed so they get their
# own protocol's unknown-operation error rather than a generic 404.
KNOWN_SERVICES = (
    "lambda",
    "logs",
    "stepfunctions",
    "sqs",
    "sns",
    "s3",
    "dynamodb",
    "dynamodbstreams",
    "events",
    "scheduler",
    "apigateway",
    "apigatewayv2",
    "cloudformation",
)


@runtime_checkable
class CorsHooks(Protocol):
    """What S3's provider offers the app: CORS answered from a bucket's rules, and which
    unsigned requests are its own."""

    async def preflight(self, request: HttpRequest) -> HttpResponse | None:
        """The answer to an ``OPTIONS`` preflight, ``None`` if it is not the provider's."""
        ...

    def cors_headers(self, request: HttpRequest) -> list[tuple[str, str]]:
        """``Access-Control-*`` headers for the answer to a request with an ``Origin``."""
        ...

    def serves_anonymous(self, request: HttpRequest) -> bool:
        """Whether an unsigned request is the provider's (S3: it names a bucket)."""
        ...


@runtime_checkable
class BrowserUploads(Protocol):
    """What S3's provider offers for ``POST /bucket`` forms (no operation of its model)."""

    async def browser_upload(
        self,
        request: HttpRequest,
        request_id: str,
        region: str,
        account_for: Callable[[str | None], str],
    ) -> HttpResponse:
        """Store the form's file; raises the provider's exceptions for S3's errors."""
        ...


class AwsApp:
    """Serve AWS APIs for ``providers`` (botocore service name -> provider object)."""

    def __init__(
        self,
        providers: Mapping[str, object],
        *,
        fallback: AsgiApp | None = None,
        default_region: str = "us-east-1",
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        known_services: Iterable[str] = KNOWN_SERVICES,
        accounts: Accounts | None = None,
    ) -> None:
        self._providers = dict(providers)
        # Each provider's own table from its service's exceptions to AWS errors.
        self._errors: dict[str, ErrorTable] = {
            name: getattr(provider, "errors", EMPTY) for name, provider in self._providers.items()
        }
        self._accounts = accounts or Accounts()
        self._fallback = fallback
        self._default_region = default_region
        self._max_body_bytes = max_body_bytes
        self._serves_s3 = "s3" in self._providers
        # S3's CORS: OPTIONS is no operation of its model, and answers to requests with an
        # Origin carry the bucket's Access-Control-* headers (aws/s3/cors.py).
        s3 = self._providers.get("s3")
        self._s3_cors = s3 if isinstance(s3, CorsHooks) else None
        self._s3_forms = s3 if isinstance(s3, BrowserUploads) else None
        self._router = ServiceRouter(dict.fromkeys([*self._providers, *known_services]))
        self._parsers: dict[tuple[str, str], RequestParser] = {}
        self._serializers: dict[tuple[str, str], ResponseSerializer] = {}
        self._handlers: dict[tuple[str, str], Handler | None] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI3 entry point."""
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif self._fallback is not None:
            await self._fallback(scope, receive, send)
        elif kind == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
        path = raw_path.decode("latin-1").partition("?")[0]
        if path.startswith(_NATIVE_PREFIX) and self._fallback is not None:
            await self._fallback(scope, receive, send)
            return
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope["headers"]:
            name = raw_name.decode("latin-1").lower()
            value = raw_value.decode("latin-1")
            headers[name] = f"{headers[name]},{value}" if name in headers else value
        request_id = new_request_id()
        if self._serves_s3:
            path = path_style(headers.get("host", ""), path) or path
        peer = scope.get("client")
        request = HttpRequest(
            scope["method"],
            path,
            scope.get("query_string", b"").decode("latin-1"),
            headers,
            b"",
            client=str(peer[0]) if peer else "",
            scheme=str(scope.get("scheme", "http")),
        )
        cors = self._s3_cors
        if cors is not None and request.method == "OPTIONS":
            preflight = await cors.preflight(request)
            if preflight is not None:
                await send_response(send, preflight)
                return
        body_stream: _AsgiBody | None = None
        if self._streams(request):
            # An S3 object body (up to 5 GB): the provider reads it chunk by chunk.
            body_stream = _AsgiBody(receive)
            request.stream = aiter(body_stream)
        else:
            try:
                body = await self._read_body(receive)
            except RequestTooLargeError as error:
                await send_response(send, generic_error(error, request_id))
                return
            if body is None:
                return  # the client went away mid-body: never act on part of a request
            request.body = body
        try:
            response = await self.handle(request, request_id)
        except BodyIncomplete:
            return  # the client went away mid-body: nothing was stored
        if response is None:
            response = generic_error(
                NotAwsRequestError(f"No AWS API answers {request.method} {request.path}"),
                request_id,
            )
        if (
            body_stream is not None
            and not body_stream.started
            and "100-continue" in headers.get("expect", "").lower()
        ):
            # Answered before asking for the body: the client, waiting for "100 Continue",
            # never sends it, so the connection cannot carry another request.
            response.headers.append(("Connection", "close"))
        if cors is not None and "origin" in headers:
            response.headers.extend(cors.cors_headers(request))
        # A streamed answer that may run long (an event stream, a large object) stops
        # when its client goes away: the request is whole, so whatever ``receive`` says
        # next is the disconnect.
        watch = body_stream is None and response.stream is not None and _open_ended(response)
        await send_response(send, response, receive if watch else None)

    def _streams(self, request: HttpRequest) -> bool:
        if not self._serves_s3 or request.method != "PUT":
            return False  # (only a PUT uploads an object: no credential scope parsed twice)
        scope = parse_credential_scope(request)
        return is_object_upload(request.method, request.path, request.query_string, scope) and (
            scope is not None or self._anonymous_s3(request)
        )

    def _anonymous_s3(self, request: HttpRequest) -> bool:
        """Whether S3 takes an unsigned request: only one naming a bucket it has (any
        other unsigned request that nothing else claims stays a generic 404)."""
        s3 = self._s3_cors
        return s3 is not None and s3.serves_anonymous(request)

    def streams_body(self, scope: Scope) -> bool:
        """Whether this app streams the request's body rather than hold it (the server's
        body limits then leave it alone: S3 bounds its uploads itself, at 5 GB)."""
        if not self._serves_s3 or scope.get("type") != "http" or scope.get("method") != "PUT":
            return False
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope["headers"]:
            headers[raw_name.decode("latin-1").lower()] = raw_value.decode("latin-1")
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
        path = raw_path.decode("latin-1").partition("?")[0]
        path = path_style(headers.get("host", ""), path) or path
        query = scope.get("query_string", b"").decode("latin-1")
        return self._streams(HttpRequest("PUT", path, query, headers, b""))

    async def handle(
        self, request: HttpRequest, request_id: str | None = None
    ) -> HttpResponse | None:
        """Answer one request; ``None`` if it is not an AWS call of a service we serve."""
        request_id = request_id or new_request_id()
        scope = parse_credential_scope(request)
        if self._s3_forms is not None and self._is_s3_form(request, scope):
            return await self._browser_upload(self._s3_forms, request, request_id)
        match = self._router.route(request, scope)
        if match is None:
            return None
        spec = match.service
        if scope is None and match.protocol == "rest-xml" and not self._anonymous_s3(request):
            return None  # an unsigned request S3 would claim only as a last resort
        serializer = self._serializer(spec, match.protocol)
        operation = match.operation
        try:
            if operation is None:
                raise self._unknown_operation(match)
            handler = self._handler(spec.name, operation)
            if handler is None:
                raise self._unknown_operation(match)
            if request.stream is not None and (
                spec.name != "s3" or operation.name not in STREAMED_OPERATIONS
            ):
                request.body = await self._read_stream(request.stream)
                request.stream = None
            params = self._parser(spec, match.protocol).parse(request, match)
            check_input(spec, match.protocol, operation, params)
            ctx = RequestContext(
                request_id=request_id,
                service=spec.name,
                operation=operation.name,
                region=(scope.region if scope and scope.region else self._default_region),
                account_id=self._accounts.account_for(scope.access_key if scope else None),
                access_key=scope.access_key if scope else None,
                request=request,
            )
            output = await handler(ctx, params)
            response = serializer.serialize_response(operation, output, request_id)
            if ctx.status is not None:
                response.status = ctx.status
            return response
        except ServiceError as error:
            if isinstance(error, RequestValidationError) and spec.name in VALIDATION_CODES:
                error.code = VALIDATION_CODES[spec.name]
            return serializer.serialize_error(error, operation, request_id)
        except Exception as exc:
            translated = self._errors.get(spec.name, EMPTY).translate(exc)
            if translated is not None:
                return serializer.serialize_error(translated, operation, request_id)
            log.exception(
                "unexpected error in %s.%s (request %s)",
                spec.name,
                operation.name if operation else "?",
                request_id,
            )
            return serializer.serialize_error(InternalFailure(), operation, request_id)

    def _is_s3_form(self, request: HttpRequest, scope: CredentialScope | None) -> bool:
        if not is_browser_upload(request):
            return False
        if scope is not None:
            return scope.service == "s3"
        return request.headers.get("content-type", "").lower().startswith(
            "multipart/form-data"
        ) or self._anonymous_s3(request)

    async def _browser_upload(
        self, forms: BrowserUploads, request: HttpRequest, request_id: str
    ) -> HttpResponse:
        """S3's POST Object, answered with S3's XML errors like any S3 operation."""
        try:
            return await forms.browser_upload(
                request, request_id, self._default_region, self._accounts.account_for
            )
        except Exception as exc:
            error = self._errors.get("s3", EMPTY).translate(exc)
            if error is None:
                log.exception("unexpected error in a browser upload (request %s)", request_id)
                error = InternalFailure()
            return self._serializer(load_service("s3"), "rest-xml").serialize_error(
                error, None, request_id
            )

    def _unknown_operation(self, match: RouteMatch) -> ServiceError:
        name = match.operation_name or "(none)"
        if match.protocol == "query":
            return UnknownOperationError(
                f"The action {name} is not valid for this endpoint.", code="InvalidAction"
            )
        if match.service.name == "s3":
            return UnknownOperationError(
                "A header you provided implies functionality that is not implemented.",
                code="NotImplemented",
                status_code=501,
            )
        if match.protocol == "rest-json":
            return UnknownOperationError(f"Operation {name} is not supported.", status_code=404)
        return UnknownOperationError(f"Operation {name} is not supported.")

    def _handler(self, service: str, operation: OperationModel) -> Handler | None:
        key = (service, operation.name)
        try:
            return self._handlers[key]
        except KeyError:
            provider = self._providers.get(service)
            handler = getattr(provider, xform_name(operation.name), None)
            self._handlers[key] = handler
            return handler

    def _parser(self, spec: ServiceSpec, protocol: str) -> RequestParser:
        key = (spec.name, protocol)
        parser = self._parsers.get(key)
        if parser is None:
            parser = self._parsers[key] = create_parser(spec, protocol)
        return parser

    def _serializer(self, spec: ServiceSpec, protocol: str) -> ResponseSerializer:
        key = (spec.name, protocol)
        serializer = self._serializers.get(key)
        if serializer is None:
            serializer = self._serializers[key] = create_serializer(spec, protocol)
        return serializer

    async def _read_stream(self, stream: AsyncIterator[bytes]) -> bytes:
        """A streamed body that turned out to be no object's: read whole, under the limit."""
        chunks: list[bytes] = []
        size = 0
        async for chunk in stream:
            size += len(chunk)
            if size > self._max_body_bytes:
                raise RequestTooLargeError(
                    f"Request must be smaller than {self._max_body_bytes} bytes."
                )
            chunks.append(chunk)
        return b"".join(chunks)

    async def _read_body(self, receive: Receive) -> bytes | None:
        """The whole body; None if the client disconnected before sending all of it."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self._max_body_bytes:
                raise RequestTooLargeError(
                    f"Request must be smaller than {self._max_body_bytes} bytes."
                )
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def generic_error(error: ServiceError, request_id: str) -> HttpResponse:
    """AWS's generic JSON error, for requests no service model claims."""
    body = orjson.dumps({"__type": error.code, "message": error.message})
    return HttpResponse(
        error.status_code,
        [
            ("x-amzn-RequestId", request_id),
            ("x-amzn-ErrorType", error.code),
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
        ],
        body,
    )


class _AsgiBody:
    """The request body as it arrives; raises BodyIncomplete if the client goes away.
    ``started`` tells whether the app asked for it (and so sent "100 Continue")."""

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self.started = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        self.started = True
        while True:
            message = await self._receive()
            if message["type"] != "http.request":
                raise BodyIncomplete("the client disconnected before sending the whole body")
            chunk = message.get("body", b"")
            if chunk:
                yield chunk
            if not message.get("more_body", False):
                return


#: Above this, a streamed body is sent watching for its client's disconnect: below it,
#: the watch (two more tasks, ~13 us a response) costs more than the rest of the read.
_WATCHED_BODY_BYTES = 1 << 20


def _open_ended(response: HttpResponse) -> bool:
    """Whether a streamed body has no length (an event stream: it ends when the server
    says) or a large one."""
    for name, value in response.headers:
        if name.lower() == "content-length":
            return not value.isdigit() or int(value) > _WATCHED_BODY_BYTES
    return True


async def send_response(send: Send, response: HttpResponse, receive: Receive | None = None) -> None:
    """Send ``response``; a streamed body stops early when ``receive`` (given once the
    request's body is read) reports the client gone: uvicorn drops writes to a closed
    connection silently, and a Live Tail stream would otherwise run for hours unread."""
    await send(
        {
            "type": "http.response.start",
            "status": response.status,
            "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers],
        }
    )
    stream = response.stream
    if stream is None:
        await send({"type": "http.response.body", "body": response.body})
        return
    try:
        if response.body:
            await send({"type": "http.response.body", "body": response.body, "more_body": True})
        if receive is None:
            await _pump(send, stream)
        else:
            pump = asyncio.ensure_future(_pump(send, stream))
            gone = asyncio.ensure_future(_disconnect(receive))
            try:
                await asyncio.wait((pump, gone), return_when=asyncio.FIRST_COMPLETED)
            finally:
                gone.cancel()
                if not pump.done():
                    pump.cancel()  # the stream's generator is closed inside the task
                    await asyncio.wait((pump,))
            if not pump.cancelled():
                pump.result()
    finally:
        aclose = getattr(stream, "aclose", None)
        if aclose is not None:
            await aclose()  # the file behind it is closed even if the client went away


async def _pump(send: Send, stream: AsyncIterator[bytes]) -> None:
    async for chunk in stream:
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


async def _disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
