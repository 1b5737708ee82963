"""Gateway responses of REST APIs: what API Gateway answers for the errors it raises itself
(no method, refused key, authorizer deny, integration timeout ...), one per response type.

AWS's rules ("Gateway response types for API Gateway", "Set up gateway responses"):

- Every type has a default: its status code (``DEFAULT_4XX``/``DEFAULT_5XX`` have none: the
  error keeps its own), no parameters, and the template
  ``{"message":$context.error.messageString}`` for ``application/json``.
- A type nobody put inherits ``DEFAULT_4XX`` or ``DEFAULT_5XX`` (by its status class): their
  parameters and templates, and their status code when they set one.
- ``responseParameters`` map ``gatewayresponse.header.X`` (or ``.querystring``/``.path``,
  which AWS accepts and ignores on the wire) from ``'static'``, ``method.request.{header|
  querystring|path|multivalueheader|multivaluequerystring}.Y``, ``stageVariables.Y`` or
  ``context.Y``.
- A deployment takes the API's gateway responses with it: a stage serves its deployment's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from botocore import xform_name

from stratus.services.apis.errors import BadRequest, NotFound

__all__ = [
    "DEFAULT_TEMPLATE",
    "RESPONSE_TYPES",
    "GatewayResponse",
    "apply_gateway_response_patch",
    "check_gateway_response",
    "effective_response",
    "gateway_response_listing",
]

#: Every response type with its default status code (AWS's table; None: the error's own).
RESPONSE_TYPES: dict[str, str | None] = {
    "DEFAULT_4XX": None,
    "DEFAULT_5XX": None,
    "ACCESS_DENIED": "403",
    "API_CONFIGURATION_ERROR": "500",
    "AUTHORIZER_CONFIGURATION_ERROR": "500",
    "AUTHORIZER_FAILURE": "500",
    "BAD_REQUEST_PARAMETERS": "400",
    "BAD_REQUEST_BODY": "400",
    "EXPIRED_TOKEN": "403",
    "INTEGRATION_FAILURE": "504",
    "INTEGRATION_TIMEOUT": "504",
    "INVALID_API_KEY": "403",
    "INVALID_SIGNATURE": "403",
    "MISSING_AUTHENTICATION_TOKEN": "403",
    "QUOTA_EXCEEDED": "429",
    "REQUEST_TOO_LARGE": "413",
    "RESOURCE_NOT_FOUND": "404",
    "THROTTLED": "429",
    "UNAUTHORIZED": "401",
    "UNSUPPORTED_MEDIA_TYPE": "415",
    "WAF_FILTERED": "403",
}
#: API Gateway's quota on the size of a mapping template.
MAX_TEMPLATE_BYTES = 300 * 1024
DEFAULT_TEMPLATE = '{"message":$context.error.messageString}'
_STATUS = re.compile(r"^[1-5]\d\d$")
_TARGET = re.compile(r"^gatewayresponse\.(header|querystring|path)\.[^\s.][^\s]*$")
_SOURCE = re.compile(
    r"^(method\.request\.(header|querystring|path|multivalueheader|multivaluequerystring)"
    r"\.[^\s]+|stageVariables\.[A-Za-z0-9_]+|context\.[A-Za-z0-9_.]+|'[^']*')$"
)


@dataclass(slots=True)
class GatewayResponse:
    """One response type's customisation (what PutGatewayResponse stores)."""

    response_type: str
    status_code: str | None = None
    response_parameters: dict[str, str] = field(default_factory=dict)
    response_templates: dict[str, str] = field(default_factory=dict)
    default_response: bool = False


def _mapping_error(text: str) -> BadRequest:
    return BadRequest(
        "Invalid mapping expression specified: Validation Result: warnings : [], "
        f"errors : [Invalid mapping expression specified: {text}]"
    )


def check_gateway_response(response: GatewayResponse) -> None:
    """Refuse what API Gateway refuses: an unknown type, a status code that is no HTTP
    status, a parameter that is no ``gatewayresponse.*`` target or no valid source."""
    if response.response_type not in RESPONSE_TYPES:
        raise NotFound(f"Invalid response type specified: {response.response_type}")
    if response.status_code is not None and not _STATUS.match(str(response.status_code)):
        raise BadRequest(f"Invalid status code specified: {response.status_code}")
    for target, source in response.response_parameters.items():
        if not _TARGET.match(str(target)):
            raise _mapping_error(str(target))
        if not isinstance(source, str) or not _SOURCE.match(source):
            raise _mapping_error(str(source))
    for content_type, template in response.response_templates.items():
        if not isinstance(template, str):
            raise BadRequest(f"Invalid response template specified for {content_type}")
        if len(template.encode()) > MAX_TEMPLATE_BYTES:
            raise BadRequest(
                f"Response template for {content_type} exceeds the maximum size of "
                f"{MAX_TEMPLATE_BYTES // 1024} KB"
            )


def _default(response_type: str) -> GatewayResponse:
    return GatewayResponse(
        response_type,
        RESPONSE_TYPES[response_type],
        {},
        {"application/json": DEFAULT_TEMPLATE},
        default_response=True,
    )


def _fallback_type(response_type: str) -> str | None:
    status = RESPONSE_TYPES.get(response_type)
    if status is None:
        return None
    return "DEFAULT_4XX" if status.startswith("4") else "DEFAULT_5XX"


def effective_response(
    responses: dict[str, GatewayResponse], response_type: str, status: int | None = None
) -> GatewayResponse:
    """What answers an error of ``response_type``: the type's own customisation, else what
    it inherits from ``DEFAULT_4XX``/``DEFAULT_5XX``, else AWS's default. ``status`` is
    the error's own status, for the two ``DEFAULT_*`` types that have none."""
    own = responses.get(response_type)
    if own is not None:
        return own
    fallback = _fallback_type(response_type)
    if fallback is None and response_type not in ("DEFAULT_4XX", "DEFAULT_5XX"):
        fallback = "DEFAULT_5XX" if status is not None and status >= 500 else "DEFAULT_4XX"
    parent = responses.get(fallback) if fallback else None
    result = _default(response_type) if response_type in RESPONSE_TYPES else None
    if result is None:
        result = GatewayResponse(response_type, None, {}, {"application/json": DEFAULT_TEMPLATE})
    if parent is not None:
        result.response_parameters = dict(parent.response_parameters)
        result.response_templates = dict(parent.response_templates)
        if parent.status_code is not None:
            result.status_code = parent.status_code
    return result


def gateway_response_listing(responses: dict[str, GatewayResponse]) -> list[GatewayResponse]:
    """GetGatewayResponses: every type, the ones put as put, the others as they are in
    force (inheriting ``DEFAULT_4XX``/``5XX``), marked ``defaultResponse``."""
    return [effective_response(responses, kind) for kind in RESPONSE_TYPES]


def apply_gateway_response_patch(
    response: GatewayResponse, operations: list[dict[str, Any]]
) -> None:
    """UpdateGatewayResponse's patch operations: ``/statusCode``, and entries of
    ``/responseParameters/{name}`` and ``/responseTemplates/{type}`` (``~1`` for ``/``)."""
    for operation in operations:
        op = operation.get("op")
        value = operation.get("value")
        parts = [p for p in str(operation.get("path", "")).split("/") if p]
        name = xform_name(parts[0]) if parts else ""
        if op not in ("add", "replace", "remove"):
            raise BadRequest(
                "Invalid patch operation specified. Must be one of: [replace, add, remove]"
            )
        if name == "status_code" and len(parts) == 1:
            response.status_code = None if op == "remove" else value
        elif name in ("response_parameters", "response_templates") and len(parts) >= 2:
            key = "/".join(parts[1:]).replace("~1", "/").replace("~0", "~")
            entries: dict[str, str] = getattr(response, name)
            if op == "remove":
                if key not in entries:
                    raise BadRequest(f"Invalid patch path {operation.get('path')}")
                entries.pop(key)
            else:
                entries[key] = value if value is not None else ""
        else:
            raise BadRequest(
                f"Invalid patch path '{operation.get('path')}' specified for op '{op}'. "
                "Must be one of: [/statusCode, /responseParameters/{name}, "
                "/responseTemplates/{type}]"
            )
    response.default_response = False
