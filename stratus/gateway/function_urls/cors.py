"""CORS as a function URL's ``Cors`` configures it: the URL answers preflight requests
itself (the function never sees them) and adds the headers to every other response,
in place of any the function set. Without a ``Cors`` configuration, OPTIONS requests go
to the function like any other.
See https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html#urls-cors
"""

from __future__ import annotations

from typing import Any

_CORS_HEADERS = (
    "access-control-allow-origin",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-expose-headers",
    "access-control-max-age",
    "access-control-allow-credentials",
)


def allowed_origin(cors: dict[str, Any], origin: str) -> str | None:
    """The ``Access-Control-Allow-Origin`` value for ``origin``, None when not allowed."""
    origins = cors.get("AllowOrigins") or []
    if "*" in origins:
        return "*" if not cors.get("AllowCredentials") else origin
    for allowed in origins:
        if allowed.rstrip("/").lower() == origin.rstrip("/").lower():
            return origin
    return None


def is_preflight(method: str, headers: dict[str, str]) -> bool:
    return (
        method == "OPTIONS" and "origin" in headers and "access-control-request-method" in headers
    )


def preflight(cors: dict[str, Any], headers: dict[str, str]) -> list[tuple[str, str]]:
    """The headers of the answer to a preflight request (status 200 either way)."""
    origin = allowed_origin(cors, headers["origin"])
    if origin is None:
        return []
    methods = [m.upper() for m in cors.get("AllowMethods") or []]
    requested = headers["access-control-request-method"].upper()
    if "*" not in methods and requested not in methods:
        return []
    answer = [("access-control-allow-origin", origin)]
    if methods:
        answer.append(("access-control-allow-methods", ",".join(methods)))
    allow_headers = cors.get("AllowHeaders") or []
    if allow_headers:
        answer.append(("access-control-allow-headers", ",".join(allow_headers)))
    if cors.get("MaxAge"):
        answer.append(("access-control-max-age", str(cors["MaxAge"])))
    if cors.get("AllowCredentials"):
        answer.append(("access-control-allow-credentials", "true"))
    answer.append(("vary", "Origin"))
    return answer


def decorate(
    cors: dict[str, Any], headers: dict[str, str], response: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """A response's headers with the URL's CORS headers in place of the function's."""
    kept = [(n, v) for n, v in response if n not in _CORS_HEADERS]
    origin_header = headers.get("origin")
    if origin_header is None:
        return kept
    origin = allowed_origin(cors, origin_header)
    if origin is None:
        return kept
    kept.append(("access-control-allow-origin", origin))
    expose = cors.get("ExposeHeaders") or []
    if expose:
        kept.append(("access-control-expose-headers", ",".join(expose)))
    if cors.get("AllowCredentials"):
        kept.append(("access-control-allow-credentials", "true"))
    kept.append(("vary", "Origin"))
    return kept
