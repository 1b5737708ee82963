"""OAuth client credentials for connections: the token EventBridge fetches and keeps.

https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-target-connection-auth.html

The token request goes to ``AuthorizationEndpoint`` with the connection's
``HttpMethod``, the client id and secret as HTTP Basic credentials (RFC 6749 section
2.3.1), ``OAuthHttpParameters`` as headers, query string and form-encoded body
parameters (``grant_type=client_credentials`` is the caller's to give, as on AWS). The
answer must be JSON with an ``access_token``; ``expires_in`` (seconds) bounds how long
it is kept, otherwise until the endpoint refuses it (401/407), when it is fetched again.

The endpoint is someone else's server: the exchange is bounded in time (5 seconds, as
API destination calls are), its answer in size (1 MiB, read without decompression), and
any misbehaviour is an :class:`OAuthError`, never an error of ours.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import orjson

from stratus.services.events.connections import Connection

__all__ = ["OAuthError", "Tokens", "read_capped"]

TIMEOUT_S = 5.0
MAX_ANSWER_BYTES = 1024 * 1024
#: A token is refreshed this long before the expiry its endpoint announced.
EXPIRY_MARGIN_S = 30.0


class OAuthError(Exception):
    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Token:
    value: str
    expires: float | None


def _pairs(parameters: list[dict[str, Any]] | None) -> list[tuple[str, str]]:
    return [(str(p.get("Key", "")), str(p.get("Value", ""))) for p in parameters or []]


async def read_capped(response: httpx.Response, cap: int) -> bytes:
    """The raw body, refused past ``cap`` bytes (a huge answer is never held)."""
    body = bytearray()
    async for chunk in response.aiter_raw():
        body += chunk
        if len(body) > cap:
            raise OAuthError(f"the authorization endpoint answered more than {cap} bytes")
    return bytes(body)


class Tokens:
    def __init__(
        self, client: Callable[[], httpx.AsyncClient], clock: Callable[[], float] = time.time
    ) -> None:
        self._client = client
        self._clock = clock
        self._tokens: dict[str, Token] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def forget(self, connection_arn: str) -> None:
        self._tokens.pop(connection_arn, None)

    async def token(self, connection: Connection) -> str:
        """A valid token for ``connection``, fetched once for concurrent callers."""
        lock = self._locks.setdefault(connection.arn, asyncio.Lock())
        async with lock:
            held = self._tokens.get(connection.arn)
            if held is not None and (held.expires is None or held.expires > self._clock()):
                return held.value
            token = await self._fetch(connection)
            self._tokens[connection.arn] = token
            return token.value

    async def _fetch(self, connection: Connection) -> Token:
        oauth = connection.parameters.get("OAuthParameters") or {}
        client = oauth.get("ClientParameters") or {}
        secret = client.get("ClientSecret")
        if not secret:
            raise OAuthError("the connection is deauthorized: it has no client secret")
        extra = oauth.get("OAuthHttpParameters") or {}
        credentials = f"{client.get('ClientID', '')}:{secret}".encode()
        headers = dict(_pairs(extra.get("HeaderParameters")))
        headers["Authorization"] = "Basic " + base64.b64encode(credentials).decode()
        headers["Accept-Encoding"] = "identity"
        method = str(oauth.get("HttpMethod") or "POST")
        body = _pairs(extra.get("BodyParameters"))
        content: bytes | None = None
        if body and method != "GET":
            content = urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            async with asyncio.timeout(TIMEOUT_S):
                request = self._client().build_request(
                    method,
                    str(oauth.get("AuthorizationEndpoint")),
                    params=dict(_pairs(extra.get("QueryStringParameters"))),
                    headers=headers,
                    content=content,
                )
                response = await self._client().send(request, stream=True)
                try:
                    if not 200 <= response.status_code < 300:
                        raise OAuthError(
                            f"the authorization endpoint answered HTTP {response.status_code}"
                        )
                    if response.headers.get("content-encoding", "identity") != "identity":
                        raise OAuthError("the authorization endpoint answered an encoded body")
                    answer = await read_capped(response, MAX_ANSWER_BYTES)
                finally:
                    await response.aclose()
        except TimeoutError:
            raise OAuthError(
                f"the authorization endpoint did not answer within {TIMEOUT_S:g} s"
            ) from None
        except httpx.HTTPError as error:
            raise OAuthError(
                f"the authorization endpoint failed: {type(error).__name__}: {error}"
            ) from None
        try:
            document = orjson.loads(answer)
        except orjson.JSONDecodeError:
            raise OAuthError("the authorization endpoint's answer is not JSON") from None
        token = document.get("access_token") if isinstance(document, dict) else None
        if not isinstance(token, str) or not token:
            raise OAuthError("the authorization endpoint's answer has no access_token")
        lifetime = document.get("expires_in")
        expires = None
        if isinstance(lifetime, (int, float)) and lifetime > 0:
            expires = self._clock() + max(float(lifetime) - EXPIRY_MARGIN_S, 1.0)
        return Token(token, expires)
