"""The errors a REST API's stage answers itself, shaped by its deployment's gateway
responses (``stratus.services.apis.gateway_responses`` holds AWS's rules).

The one entry point is :meth:`StageErrors.answer`: the gateway names the response type
(``gateway_error("BAD_REQUEST_BODY", message)``) and gets the HTTP answer. With nothing
customised for the type (nor ``DEFAULT_4XX``/``DEFAULT_5XX``), the answer is AWS's own,
byte for byte (``{"message":"Missing Authentication Token"}``, the 502's
``{"message": "Internal server error"}`` ...). Otherwise, as API Gateway does:

- the status is the type's customised ``statusCode``, else ``DEFAULT_4XX``/``5XX``'s,
  else the error's own;
- ``gatewayresponse.header.X`` parameters become headers, their values from
  ``'static'``, ``method.request.header|querystring|path|multivalue*.Y``,
  ``stageVariables.Y`` or ``context.Y``;
- the template (by ``Accept``, else ``application/json``, else the first) renders with
  ``$context.error.message``, ``$context.error.messageString`` (the message as a JSON
  string, ``null`` when none), ``$context.error.responseType``,
  ``$context.error.validationErrorString``, the rest of ``$context`` and
  ``$stageVariables``; its content type is the answer's. A template that fails answers
  the type's default body.

Every error carries ``x-amzn-ErrorType`` (``MissingAuthenticationTokenException``,
``UnauthorizedException`` ...), as AWS sends it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

import orjson

from stratus.gateway.asgi import JSON
from stratus.gateway.request import GatewayRequest
from stratus.gateway.responses import HttpResult
from stratus.gateway.vtl import TemplateFailed, TemplateVars, render
from stratus.services.apis.gateway_responses import GatewayResponse, effective_response

__all__ = ["GatewayError", "StageErrors", "access_denied", "gateway_error"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class GatewayError:
    """One error the gateway answers itself: its response type, its own status and
    message, the ``x-amzn-ErrorType`` AWS names it with, and AWS's own body for it."""

    response_type: str
    status: int
    message: str | None
    error_type: str
    body: bytes
    validation_error: str | None = None


def _body(message: str | None) -> bytes:
    return orjson.dumps({"message": message})


# response type -> (status, message, x-amzn-ErrorType, AWS's body when it is not the plain
# {"message":...}: the Lambda proxy's 502 has a space, an explicit deny a capital M).
_CATALOGUE: dict[str, tuple[int, str | None, str, bytes | None]] = {
    "MISSING_AUTHENTICATION_TOKEN": (
        403,
        "Missing Authentication Token",
        "MissingAuthenticationTokenException",
        None,
    ),
    "RESOURCE_NOT_FOUND": (404, "Resource not found", "NotFoundException", None),
    "UNAUTHORIZED": (401, "Unauthorized", "UnauthorizedException", None),
    "ACCESS_DENIED": (
        403,
        "User is not authorized to access this resource with an explicit deny",
        "AccessDeniedException",
        b'{"Message":"User is not authorized to access this resource with an explicit deny"}',
    ),
    "INVALID_API_KEY": (403, "Forbidden", "ForbiddenException", None),
    "THROTTLED": (429, "Too Many Requests", "TooManyRequestsException", None),
    "QUOTA_EXCEEDED": (429, "Limit Exceeded", "LimitExceededException", None),
    "AUTHORIZER_FAILURE": (500, None, "AuthorizerConfigurationException", None),
    "AUTHORIZER_CONFIGURATION_ERROR": (500, None, "AuthorizerConfigurationException", None),
    "INTEGRATION_FAILURE": (
        502,
        "Internal server error",
        "InternalServerErrorException",
        b'{"message": "Internal server error"}',
    ),
    "INTEGRATION_TIMEOUT": (
        504,
        "Endpoint request timed out",
        "InternalServerErrorException",
        b'{"message": "Endpoint request timed out"}',
    ),
    "API_CONFIGURATION_ERROR": (
        500,
        "Internal server error",
        "InternalServerErrorException",
        b'{"message": "Internal server error"}',
    ),
    "UNSUPPORTED_MEDIA_TYPE": (
        415,
        "Unsupported Media Type",
        "UnsupportedMediaTypeException",
        b'{"message": "Unsupported Media Type"}',
    ),
    "REQUEST_TOO_LARGE": (413, "Request Entity Too Large", "RequestTooLargeException", None),
    "BAD_REQUEST_BODY": (400, "Invalid request body", "BadRequestException", None),
    "BAD_REQUEST_PARAMETERS": (400, "Invalid request parameters", "BadRequestException", None),
    "INVALID_SIGNATURE": (403, None, "InvalidSignatureException", None),
    "EXPIRED_TOKEN": (403, None, "ExpiredTokenException", None),
    "WAF_FILTERED": (403, "Forbidden", "WAFFilteredException", None),
    "DEFAULT_4XX": (400, None, "BadRequestException", None),
    "DEFAULT_5XX": (500, "Internal server error", "InternalServerErrorException", None),
}


def gateway_error(
    response_type: str,
    message: str | None = None,
    *,
    status: int | None = None,
    validation_error: str | None = None,
) -> GatewayError:
    """The error of ``response_type``, with AWS's message unless ``message`` replaces it
    (``status``: an error whose status is not its type's, as a function's 429 that
    answers as THROTTLED)."""
    own_status, own_message, error_type, own_body = _CATALOGUE[response_type]
    text = own_message if message is None else message
    body = own_body if message is None and own_body is not None else _body(text)
    return GatewayError(
        response_type, status or own_status, text, error_type, body, validation_error
    )


def access_denied(message: str) -> GatewayError:
    """An ``ACCESS_DENIED`` of another wording than the explicit deny's, its body keyed
    ``Message`` as AWS keys every authorization refusal of ``execute-api``."""
    error = gateway_error("ACCESS_DENIED", message)
    return replace(error, body=orjson.dumps({"Message": message}))


def _media_type(value: str | None) -> str:
    return (value or "").split(";", 1)[0].strip().lower()


class StageErrors:
    """The gateway responses of one deployment, ready to answer errors with."""

    def __init__(self, responses: dict[str, GatewayResponse]) -> None:
        self._responses = responses

    def _customised(self, error: GatewayError) -> GatewayResponse | None:
        if not self._responses:
            return None
        fallback = "DEFAULT_5XX" if error.status >= 500 else "DEFAULT_4XX"
        if error.response_type not in self._responses and fallback not in self._responses:
            return None
        return effective_response(self._responses, error.response_type, error.status)

    def answer(
        self,
        error: GatewayError,
        request: GatewayRequest,
        context: dict[str, Any] | None = None,
        stage_variables: dict[str, str] | None = None,
        path_parameters: dict[str, str] | None = None,
    ) -> HttpResult:
        """The HTTP answer to ``error`` for ``request`` (``context``: the request's
        ``$context`` as far as the gateway got; the error's part is added here)."""
        error_header = (b"x-amzn-errortype", error.error_type.encode())
        response = self._customised(error)
        if response is None:
            return HttpResult(error.status, [JSON, error_header], error.body)
        status = self._status(error)
        env_context = dict(context or {})
        env_context["error"] = {
            "message": error.message,
            "messageString": orjson.dumps(error.message).decode(),
            "responseType": error.response_type,
            "validationErrorString": error.validation_error or "",
        }
        env = TemplateVars(env_context, dict(stage_variables or {}))
        params = {
            "path": dict(path_parameters or {}),
            "querystring": {k: v[-1] for k, v in request.query_lists().items()},
            "header": dict(request.header_map()),
        }
        headers: list[tuple[bytes, bytes]] = []
        for target, source in response.response_parameters.items():
            place, _, name = str(target).removeprefix("gatewayresponse.").partition(".")
            if place != "header" or not name:
                continue
            value = _mapped_value(str(source), request, params, env)
            if value is not None:
                headers.append((name.lower().encode("latin-1"), value.encode("latin-1", "replace")))
        content_type, body = self._body(response, error, request, params, env)
        headers.append((b"content-type", content_type.encode("latin-1", "replace")))
        headers.append(error_header)
        return HttpResult(status, headers, body)

    def _status(self, error: GatewayError) -> int:
        """The type's own customised status, else ``DEFAULT_4XX``/``5XX``'s, else the
        error's (a Lambda proxy's 502 stays 502 under a DEFAULT_5XX without a status)."""
        fallback = "DEFAULT_5XX" if error.status >= 500 else "DEFAULT_4XX"
        for kind in (error.response_type, fallback):
            response = self._responses.get(kind)
            if response is not None and response.status_code:
                return int(response.status_code)
            if response is not None and kind == error.response_type:
                break
        return error.status

    @staticmethod
    def _body(
        response: GatewayResponse,
        error: GatewayError,
        request: GatewayRequest,
        params: dict[str, dict[str, str]],
        env: TemplateVars,
    ) -> tuple[str, bytes]:
        templates = {_media_type(k): (k, v) for k, v in response.response_templates.items()}
        chosen = templates.get(_media_type(request.header("accept"))) or templates.get(
            "application/json"
        )
        if chosen is None and templates:
            chosen = next(iter(templates.values()))
        if chosen is None:  # put without templates: AWS's default body
            return "application/json", error.body
        try:
            return chosen[0], render(str(chosen[1]), "", params, env).encode()
        except TemplateFailed as exc:
            log.info("gateway response %s: %s", error.response_type, exc)
            return "application/json", error.body


def _mapped_value(
    source: str,
    request: GatewayRequest,
    params: dict[str, dict[str, str]],
    env: TemplateVars,
) -> str | None:
    """A response parameter's value: ``'static'``, a method request parameter, a stage
    variable or a ``$context`` variable (None: nothing to send)."""
    if len(source) >= 2 and source.startswith("'") and source.endswith("'"):
        return source[1:-1]
    if source.startswith("stageVariables."):
        return env.stage_variables.get(source.removeprefix("stageVariables."))
    if source.startswith("context."):
        value: Any = env.context
        for part in source.removeprefix("context.").split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return None if value is None or isinstance(value, dict) else str(value)
    kind, _, name = source.removeprefix("method.request.").partition(".")
    if kind in ("header", "multivalueheader"):
        return request.header(name.lower())
    if kind == "multivaluequerystring":
        values = request.query_lists().get(name)
        return ",".join(values) if values else None
    return params.get(kind, {}).get(name)
