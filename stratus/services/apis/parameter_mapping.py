"""HTTP APIs' parameter mapping: the keys and values API Gateway accepts, checked when an
integration is created or updated, so a bad mapping is refused there and never served.

AWS's page "Transform API requests and responses for HTTP APIs in API Gateway":

- request keys ``append|overwrite|remove:header.{name}``,
  ``append|overwrite|remove:querystring.{name}`` and ``overwrite:path``;
- response parameters by status code (``"200"`` to ``"599"``), each a map of
  ``append|overwrite|remove:header.{name}`` and ``overwrite:statuscode``;
- values: ``$request.header.x``, ``$request.querystring.x``, ``$request.body`` (or a JSON
  path after it: no recursive descent, no filter), ``$request.path`` (or ``.x``, a path
  parameter), for responses ``$response.header.x`` and ``$response.body(.path)``, and
  everywhere ``$context.x``, ``$stageVariables.x`` or static text; ``${...}`` embeds one
  in text (``/users/${request.path.id}``);
- reserved headers (``access-control-*``, ``apigw-*``, ``x-amz-*``, ``x-amzn-*``,
  ``Authorization``, ``Connection`` ...) cannot be mapped either way.

The gateway compiles the same grammar (``parse_key``, ``parse_source``) once per deployment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from stratus.services.apis.errors import BadRequest

RESERVED_HEADERS = frozenset(
    {
        "authorization",
        "connection",
        "content-encoding",
        "content-length",
        "content-location",
        "forwarded",
        "keep-alive",
        "origin",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "x-forwarded-for",
        "x-forwarded-host",
        "x-forwarded-proto",
        "via",
    }
)
RESERVED_PREFIXES = ("access-control-", "apigw-", "x-amz-", "x-amzn-")
ACTIONS = ("append", "overwrite", "remove")
REQUEST = "request"
RESPONSE = "response"

# RFC 9110 token: what a header name may be made of.
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$")
_QUERY_NAME = re.compile(r"^[^\x00-\x1f\x7f&=#]{1,256}$")
_NAME = re.compile(r"^[A-Za-z0-9._-]+$")
_CONTEXT_NAME = re.compile(r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_-]+)*$")
_STAGE_VARIABLE = re.compile(r"^[A-Za-z0-9_]+$")
_JSON_PATH = re.compile(r"^[^.\[\]?()]+(\[\d+\])*(\.[^.\[\]?()]+(\[\d+\])*)*$")
_STATUS_KEY = re.compile(r"^[2-5]\d\d$")
# ``${...}`` anywhere, or a bare ``$request...`` / ``$context...`` running to a character
# that cannot be in an expression (``/users/$request.path.id/orders``).
EXPRESSION = re.compile(
    r"\$\{([^}]*)\}"
    r"|\$((?:request|response|context|stageVariables)(?:\.[A-Za-z0-9_\-\[\]]+)*)"
)

_CUT = frozenset(".?[(")
_PREFIX = "Invalid mapping expression specified: Validation Result: warnings : [], errors : ["


def _refuse(detail: str) -> BadRequest:
    """API Gateway's envelope for a parameter mapping it refuses."""
    return BadRequest(f"{_PREFIX}{detail}]")


@dataclass(frozen=True, slots=True)
class MappingKey:
    """One parsed key: what to do, where, to which name (lowercase for headers)."""

    action: str  # append | overwrite | remove
    location: str  # header | querystring | path | statuscode
    name: str = ""


@dataclass(frozen=True, slots=True)
class Source:
    """One parsed value expression: ``$request.header.x`` is ("request.header", "x")."""

    kind: str  # request.header, request.querystring, request.body, request.path,
    # request.pathparam, response.header, response.body, context, stageVariables
    name: str = ""  # header name (lowercase), JSON path, variable name ...


def parse_key(key: str, direction: str) -> MappingKey:
    """A request or response mapping key, or BadRequest with the reason."""
    action, colon, target = key.partition(":")
    if not colon or action not in ACTIONS:
        raise _refuse(f"Invalid {direction.capitalize()} Actioned Parameter: {key}")
    location, dot, name = target.partition(".")
    if location == "path" and not dot and direction == REQUEST:
        if action != "overwrite":
            raise _refuse(f"Only overwrite is supported for path: {key}")
        return MappingKey(action, "path")
    if location == "statuscode" and not dot and direction == RESPONSE:
        if action != "overwrite":
            raise _refuse(f"Only overwrite is supported for statuscode: {key}")
        return MappingKey(action, "statuscode")
    if location == "header" and dot:
        if not _HEADER_NAME.match(name):
            raise _refuse(f"Invalid header name specified: {name}")
        lower = name.lower()
        if lower in RESERVED_HEADERS or lower.startswith(RESERVED_PREFIXES):
            raise _refuse(f"Operations on header {lower} are restricted")
        return MappingKey(action, "header", lower)
    if location == "querystring" and dot and direction == REQUEST:
        if not _QUERY_NAME.match(name):
            raise _refuse(f"Invalid querystring name specified: {name}")
        return MappingKey(action, "querystring", name)
    raise _refuse(f"Invalid {direction.capitalize()} Actioned Parameter: {key}")


def parse_source(text: str, direction: str) -> Source | None:
    """An expression's inside (``request.header.x``, no ``$``): its Source, or None when
    it names nothing API Gateway maps (the caller refuses it)."""
    root, _, rest = text.partition(".")
    if root == "context":
        return Source("context", rest) if _CONTEXT_NAME.match(rest) else None
    if root == "stageVariables":
        return Source("stageVariables", rest) if _STAGE_VARIABLE.match(rest) else None
    if root != direction:
        return None
    part, _, name = rest.partition(".")
    if part == "header":
        return Source(f"{root}.header", name.lower()) if _HEADER_NAME.match(name) else None
    if part == "body":
        if not name:
            return Source(f"{root}.body")
        return Source(f"{root}.body", name) if _JSON_PATH.match(name) else None
    if root == REQUEST and part == "querystring":
        return Source("request.querystring", name) if name else None
    if root == REQUEST and part == "path":
        if not name:
            return Source("request.path")
        return Source("request.pathparam", name) if _NAME.match(name) else None
    return None


def parse_value(value: str, direction: str) -> list[str | Source]:
    """A mapping value as static text and sources, in order; BadRequest for an
    expression that names nothing (``$request.bogus``, ``${request.body..x}``)."""
    parts: list[str | Source] = []
    position = 0
    for match in EXPRESSION.finditer(value):
        if match.start() > position:
            parts.append(value[position : match.start()])
        inner = match.group(1) if match.group(1) is not None else match.group(2)
        source = parse_source(inner, direction)
        # A bare expression runs to the first character it cannot hold: one that would
        # continue it (``..name`` recursive descent, ``?(`` a filter) is no expression.
        bare_cut = match.group(2) is not None and value[match.end() : match.end() + 1] in _CUT
        if source is None or bare_cut:
            raise _refuse(f"Invalid mapping expression specified: {match.group(0)}")
        parts.append(source)
        position = match.end()
    if position < len(value):
        parts.append(value[position:])
    if "${" in value and not any(isinstance(p, Source) for p in parts):
        raise _refuse(f"Invalid mapping expression specified: {value}")
    return parts


def _check_value(key: MappingKey, value: Any, direction: str) -> None:
    if not isinstance(value, str):
        raise _refuse(f"Invalid mapping expression specified: {value}")
    if key.action == "remove":
        return
    parts = parse_value(value, direction)
    if key.location == "statuscode" and len(parts) == 1 and isinstance(parts[0], str):
        code = parts[0].strip()
        if not (code.isdigit() and 100 <= int(code) <= 599):
            raise _refuse(f"Invalid status code specified: {value}")


def check_request_parameters(parameters: dict[str, Any]) -> None:
    """An HTTP API integration's ``RequestParameters`` (Lambda and HTTP integrations)."""
    for key, value in parameters.items():
        _check_value(parse_key(key, REQUEST), value, REQUEST)


def check_service_parameters(parameters: dict[str, Any]) -> None:
    """A service integration's ``RequestParameters``: each value is an expression or
    text over the request (the keys are the service's own parameters, checked by it)."""
    for value in parameters.values():
        if not isinstance(value, str):
            raise _refuse(f"Invalid mapping expression specified: {value}")
        parse_value(value, REQUEST)


def check_response_parameters(parameters: dict[str, Any]) -> None:
    """``ResponseParameters``: status code keys 200 to 599, each a map of response keys."""
    for status, mapping in parameters.items():
        if not _STATUS_KEY.match(status):
            raise BadRequest(
                f"Invalid status code {status} specified; "
                "response parameter keys must be status codes between 200 and 599."
            )
        if not isinstance(mapping, dict):
            raise _refuse(f"Invalid mapping expression specified: {mapping}")
        for key, value in mapping.items():
            _check_value(parse_key(key, RESPONSE), value, RESPONSE)


def merge_parameters(current: dict[str, Any] | None, change: dict[str, Any]) -> dict[str, Any]:
    """UpdateIntegration's way with mappings: the keys given replace theirs, a key given
    an empty value (``""``, or ``{}`` for a status code) is removed, the rest stay (AWS's
    "Remove configured parameter mappings" example)."""
    merged = dict(current or {})
    for key, value in change.items():
        if value == "" or value == {}:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged
