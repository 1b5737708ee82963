"""JWT authorizers: a token checked against its issuer's published keys (JWKS).

As API Gateway does (docs: "Controlling access to HTTP APIs with JWT authorizers"): the
token comes from the identity source (``Bearer `` stripped), its ``kid`` picks a key from
the JWKS the issuer's ``/.well-known/openid-configuration`` names (fetched once, cached
for two hours, refetched early when a token names an unknown ``kid``), and ``iss``,
``exp``, ``nbf``, and ``aud`` (or ``client_id``) are checked; route scopes need one of the
token's ``scope``/``scp`` values. A verified token is remembered until it expires, so a
client reusing its token costs a dict lookup, not a signature check.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from jwt import PyJWK

_JWKS_TTL_S = 7200.0
_VERIFIED_MAX = 10000


@dataclass(frozen=True, slots=True)
class JwtResult:
    ok: bool
    status: int  # 401 bad token, 403 missing scope
    claims: dict[str, str]
    scopes: list[str] | None


class JwksCache:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client
        self._keys: dict[str, tuple[float, dict[str, PyJWK]]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def key(self, issuer: str, kid: str | None) -> PyJWK | None:
        entry = self._keys.get(issuer)
        now = time.monotonic()
        if entry is None or now > entry[0] or (kid is not None and kid not in entry[1]):
            lock = self._locks.setdefault(issuer, asyncio.Lock())
            async with lock:
                entry = self._keys.get(issuer)
                if entry is None or now > entry[0] or (kid is not None and kid not in entry[1]):
                    entry = (time.monotonic() + _JWKS_TTL_S, await self._fetch(issuer))
                    self._keys[issuer] = entry
        keys = entry[1]
        if kid is None:
            return next(iter(keys.values()), None)
        return keys.get(kid)

    async def _fetch(self, issuer: str) -> dict[str, PyJWK]:
        try:
            base = issuer.rstrip("/")
            config = await self._client.get(f"{base}/.well-known/openid-configuration")
            config.raise_for_status()
            jwks_uri = config.json()["jwks_uri"]
            response = await self._client.get(jwks_uri)
            response.raise_for_status()
            keys: dict[str, PyJWK] = {}
            for data in response.json().get("keys", []):
                try:
                    keys[data.get("kid", "")] = PyJWK(data)
                except jwt.PyJWTError:
                    continue
            return keys
        except (httpx.HTTPError, KeyError, ValueError):
            return {}


class JwtVerifier:
    def __init__(self, jwks: JwksCache) -> None:
        self._jwks = jwks
        self._verified: dict[tuple[str, tuple[str, ...], str], tuple[float, dict[str, Any]]] = {}

    async def check(
        self, token: str | None, config: dict[str, Any], scopes: list[str] | None
    ) -> JwtResult:
        if not token:
            return JwtResult(False, 401, {}, None)
        if token[:7].lower() == "bearer ":
            token = token[7:].strip()
        issuer = str(config.get("Issuer", ""))
        claims = await self._claims(token, issuer, config.get("Audience") or [])
        if claims is None:
            return JwtResult(False, 401, {}, None)
        token_scopes = _scopes(claims)
        if scopes and not set(scopes) & set(token_scopes):
            return JwtResult(False, 403, {}, None)
        return JwtResult(True, 200, _stringify(claims), token_scopes or None)

    async def _claims(self, token: str, issuer: str, audience: list[str]) -> dict[str, Any] | None:
        key = (issuer, tuple(audience), token)  # a verdict holds for one configuration
        cached = self._verified.get(key)
        now = time.time()
        if cached is not None:
            if cached[0] > now:
                return cached[1]
            del self._verified[key]
        try:
            header = jwt.get_unverified_header(token)
            signing_key = await self._jwks.key(issuer, header.get("kid"))
            if signing_key is None:
                return None
            claims: dict[str, Any] = jwt.decode(
                token,
                signing_key.key,
                algorithms=[header.get("alg", "RS256")],
                issuer=issuer,
                options={"verify_aud": False, "require": ["exp", "iss"]},
            )
        except jwt.PyJWTError:
            return None
        if audience:
            aud = claims.get("aud")
            given = aud if isinstance(aud, list) else [aud] if aud else []
            if claims.get("client_id"):
                given.append(claims["client_id"])
            if not set(given) & set(audience):
                return None
        if len(self._verified) >= _VERIFIED_MAX:
            self._verified.clear()
        self._verified[key] = (float(claims["exp"]), claims)
        return claims


def _scopes(claims: dict[str, Any]) -> list[str]:
    value = claims.get("scope", claims.get("scp"))
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


def _stringify(claims: dict[str, Any]) -> dict[str, str]:
    """Claims as API Gateway passes them: every value a string, lists as ``[a b]``."""
    out: dict[str, str] = {}
    for name, value in claims.items():
        if isinstance(value, str):
            out[name] = value
        elif isinstance(value, bool):
            out[name] = "true" if value else "false"
        elif isinstance(value, list):
            out[name] = "[" + " ".join(str(v) for v in value) + "]"
        else:
            out[name] = str(value)
    return out
