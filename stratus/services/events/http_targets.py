"""Rule targets that are API destinations: one real HTTP request per delivery.

https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-api-destinations.html

The request: the destination's method and ``InvocationEndpoint``, each ``*`` of its path
replaced in order by the target's ``HttpParameters.PathParameterValues``; headers and
query string from the connection's ``InvocationHttpParameters`` and the target's
``HttpParameters`` (the connection's win where both name a key, as AWS documents for
HttpParameters), the connection's authorization (API key header, Basic credentials, or
an OAuth bearer token) and AWS's fixed headers (``User-Agent:
Amazon/EventBridge/ApiDestinations``, ``Content-Type: application/json; charset=utf-8``,
``Range: bytes=0-1048575``, ``Accept-Encoding: gzip,deflate``, ``Connection: close``);
the body is the target's input (the event, or as Input/InputPath/InputTransformer
make it), with the connection's body parameters added when it is a JSON object. A
parameter value written as a JSON path (``$.detail.id``) takes that value of the event.

Outcomes, as AWS documents them: 2xx delivered; 401, 407, 409, 429 and 5xx retried by
the target's retry policy, waiting at least what ``Retry-After`` asks (a negative one
stops the retries); other statuses are not retried; no answer within 5 seconds is
retried. (An older version of the page listed 429 and 5xx only.) Headers AWS removes
from requests (Host, Date, Via ...) are dropped from the parameters, and User-Agent and
Range cannot be overridden. The
answer's body is never read, so an endpoint answering gigabytes costs nothing.
``InvocationRateLimitPerSecond`` spaces requests per API destination: a delivery over
the rate waits for its turn without spending an attempt.
"""

from __future__ import annotations

import asyncio
import base64
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx
import orjson

from stratus.services.events.api_destinations import ApiDestination, ApiDestinations
from stratus.services.events.oauth import OAuthError, Tokens
from stratus.services.events.outbox import Delivery
from stratus.services.events.paths import MISSING, parse_path, select
from stratus.services.events.sender import Attempt, Outcome

__all__ = ["HttpTargets", "RateLimits", "resolve_http_parameters"]

TIMEOUT_S = 5.0
FIXED_HEADERS = {
    "User-Agent": "Amazon/EventBridge/ApiDestinations",
    "Range": "bytes=0-1048575",
    "Accept-Encoding": "gzip,deflate",
    "Connection": "close",
}
CONTENT_TYPE = "application/json; charset=utf-8"
#: Headers EventBridge removes from what parameters give (its documented list), and
#: those it fixes (User-Agent, Range): the transport's and AWS's own.
_OWNED = frozenset(
    h.lower()
    for h in (
        *FIXED_HEADERS,
        "A-IM",
        "Accept-Charset",
        "Accept-Datetime",
        "Cache-Control",
        "Content-Encoding",
        "Content-Length",
        "Content-MD5",
        "Date",
        "Expect",
        "Forwarded",
        "From",
        "Host",
        "HTTP2-Settings",
        "If-Match",
        "If-Modified-Since",
        "If-None-Match",
        "If-Range",
        "If-Unmodified-Since",
        "Max-Forwards",
        "Origin",
        "Pragma",
        "Proxy-Authorization",
        "Referer",
        "TE",
        "Trailer",
        "Transfer-Encoding",
        "Upgrade",
        "Via",
        "Warning",
    )
)
#: The ERROR_CODE a dead-lettered event carries, in AWS's vocabulary (eb-rule-dlq).
ERROR_FROM_TARGET = "ERROR_FROM_TARGET"
TIMEOUT = "TIMEOUT"
CONNECTION_FAILURE = "CONNECTION_FAILURE"
INVALID_PARAMETER = "INVALID_PARAMETER"
NO_RESOURCE = "NO_RESOURCE"
NO_PERMISSIONS = "NO_PERMISSIONS"
#: Statuses EventBridge retries (besides 5xx); others are not retried.
_RETRIED = frozenset({401, 407, 409, 429})
_BODYLESS = frozenset({"GET", "HEAD", "OPTIONS"})
_JSON_PATH = re.compile(r"^\$(\.|\[)")
_HEADER_NAME = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_UNSAFE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def _dynamic(value: str, event: dict[str, Any]) -> str:
    """A parameter value: a JSON path into the event, else itself."""
    if not _JSON_PATH.match(value):
        return value
    try:
        found = select(event, parse_path(value))
    except Exception:
        return value
    if found is MISSING or found is None:
        return ""
    return found if isinstance(found, str) else orjson.dumps(found).decode()


def resolve_http_parameters(
    document: dict[str, Any] | None, event: dict[str, Any]
) -> dict[str, Any]:
    """A target's HttpParameters with the event's values in place, stored with the
    delivery (the event itself is not kept beside its payload)."""
    document = document or {}
    return {
        "path": [_dynamic(str(v), event) for v in document.get("PathParameterValues") or []],
        "headers": {
            str(k): _dynamic(str(v), event)
            for k, v in (document.get("HeaderParameters") or {}).items()
        },
        "query": {
            str(k): _dynamic(str(v), event)
            for k, v in (document.get("QueryStringParameters") or {}).items()
        },
    }


def fill_path(endpoint: str, values: list[str]) -> str:
    """Each ``*`` of the endpoint, in order, replaced by the next value (escaped)."""
    pieces = endpoint.split("*")
    out = [pieces[0]]
    for index, piece in enumerate(pieces[1:]):
        out.append(quote(values[index], safe="") if index < len(values) else "*")
        out.append(piece)
    return "".join(out)


class RateLimits:
    """One schedule of turns per API destination: ``rate`` requests in any second, a
    caller over it gets the time of its own turn (reserved, so waiting deliveries do
    not all wake at once)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._next: dict[str, float] = {}

    def reserve(self, key: str, rate: int) -> float:
        """Seconds to wait before sending (0: now). The turn is taken either way."""
        now = self._clock()
        interval = 1.0 / max(rate, 1)
        burst = max(rate, 1) * interval  # a second's worth may go at once
        start = max(self._next.get(key, now), now - burst + interval)
        self._next[key] = start + interval
        return max(start - now, 0.0)


class HttpTargets:
    def __init__(
        self,
        destinations: ApiDestinations,
        tokens: Tokens,
        client: Callable[[], httpx.AsyncClient],
        rates: RateLimits | None = None,
    ) -> None:
        self._destinations = destinations
        self._tokens = tokens
        self._client = client
        self._rates = rates or RateLimits()
        self._turns: set[str] = set()  # deliveries whose turn is reserved

    async def send(self, delivery: Delivery) -> Attempt:
        destination = self._destinations.by_arn(delivery.target_arn)
        if destination is None:
            return Attempt(
                Outcome.PERMANENT,
                NO_RESOURCE,
                f"API destination {delivery.target_arn} does not exist.",
            )
        if delivery.delivery_id in self._turns:
            self._turns.discard(delivery.delivery_id)
        else:
            wait = self._rates.reserve(destination.arn, destination.rate)
            if wait > 0:
                self._turns.add(delivery.delivery_id)
                return Attempt(Outcome.LATER, "THROTTLING", "rate limit", retry_after=wait)
        try:
            request = await self._request(destination, delivery)
        except OAuthError as error:
            return Attempt(Outcome.RETRY, NO_PERMISSIONS, f"OAuth: {error.message}")
        except _Unusable as error:
            return Attempt(Outcome.PERMANENT, error.code, error.message)
        return await self._call(request, destination)

    async def _request(self, destination: ApiDestination, delivery: Delivery) -> httpx.Request:
        connection = self._destinations.connection_of(destination)
        if connection is None:
            raise _Unusable(NO_RESOURCE, "The connection does not exist.")
        if connection.state == "DEAUTHORIZED":
            raise _Unusable(NO_PERMISSIONS, "The connection is deauthorized.")
        http = delivery.params.get("http") or {}
        parameters = connection.parameters
        invocation = parameters.get("InvocationHttpParameters") or {}
        headers: dict[str, str] = {"Content-Type": CONTENT_TYPE}
        for key, value in (http.get("headers") or {}).items():
            headers[key] = value
        for item in invocation.get("HeaderParameters") or []:
            headers[str(item.get("Key", ""))] = str(item.get("Value", ""))
        query: dict[str, str] = dict(http.get("query") or {})
        for item in invocation.get("QueryStringParameters") or []:
            query[str(item.get("Key", ""))] = str(item.get("Value", ""))
        if connection.authorization_type == "API_KEY":
            key = parameters.get("ApiKeyAuthParameters") or {}
            headers[str(key.get("ApiKeyName", ""))] = str(key.get("ApiKeyValue", ""))
        elif connection.authorization_type == "BASIC":
            basic = parameters.get("BasicAuthParameters") or {}
            pair = f"{basic.get('Username', '')}:{basic.get('Password', '')}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        else:
            headers["Authorization"] = "Bearer " + await self._tokens.token(connection)
        headers = {k: v for k, v in headers.items() if k and k.lower() not in _OWNED}
        for key, value in headers.items():
            if not _HEADER_NAME.match(key) or _UNSAFE.search(value):
                # an event's value may hold anything: never a header split in two
                raise _Unusable(INVALID_PARAMETER, f"Header {key} has a value that cannot be sent.")
        headers |= FIXED_HEADERS
        body = self._body(delivery.payload, invocation.get("BodyParameters"))
        url = fill_path(destination.endpoint, list(http.get("path") or []))
        content = None if destination.method in _BODYLESS else body
        try:
            return self._client().build_request(
                destination.method, url, params=query or None, headers=headers, content=content
            )
        except (httpx.HTTPError, ValueError, TypeError) as error:
            raise _Unusable(INVALID_PARAMETER, f"The request cannot be made: {error}") from None

    @staticmethod
    def _body(payload: str, extra: list[dict[str, Any]] | None) -> bytes:
        if not extra:
            return payload.encode()
        try:
            document = orjson.loads(payload)
        except orjson.JSONDecodeError:
            return payload.encode()
        if not isinstance(document, dict):
            return payload.encode()
        for item in extra:
            document[str(item.get("Key", ""))] = item.get("Value", "")
        return orjson.dumps(document)

    async def _call(self, request: httpx.Request, destination: ApiDestination) -> Attempt:
        try:
            async with asyncio.timeout(TIMEOUT_S):
                response = await self._client().send(request, stream=True)
                await response.aclose()  # the body is never read
        except TimeoutError:
            return Attempt(
                Outcome.RETRY, TIMEOUT, f"The endpoint did not answer within {TIMEOUT_S:g} s."
            )
        except httpx.HTTPError as error:
            # refused, reset, not HTTP, a head too large: a failed attempt, never ours
            detail = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            return Attempt(Outcome.RETRY, CONNECTION_FAILURE, detail)
        status = response.status_code
        if 200 <= status < 300:
            return Attempt(Outcome.DELIVERED)
        message = f"The endpoint answered HTTP {status}."
        code = ERROR_FROM_TARGET
        if status in (401, 407):
            connection = self._destinations.connection_of(destination)
            if connection is not None and connection.oauth:
                self._tokens.forget(connection.arn)  # the next attempt fetches a new one
                return Attempt(Outcome.RETRY, code, message)
        if status in _RETRIED or status >= 500:
            after = _retry_after(response.headers.get("retry-after"))
            if after is not None and after < 0:
                return Attempt(Outcome.PERMANENT, code, message + " Retry-After is negative.")
            return Attempt(Outcome.RETRY, code, message, retry_after=after)
        return Attempt(Outcome.PERMANENT, code, message)


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value.strip())
    except ValueError:
        return None  # an HTTP date: the retry policy's own delay is used


class _Unusable(Exception):
    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(message)
