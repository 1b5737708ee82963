"""CORS for HTTP APIs: API Gateway answers preflights itself and adds the CORS headers
to every response when the API has a ``CorsConfiguration`` (docs: "Configuring CORS for
an HTTP API"). With CORS configured, an OPTIONS preflight never reaches a route.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Cors:
    origins: tuple[str, ...]
    methods: tuple[str, ...]
    headers: tuple[str, ...]
    expose: tuple[str, ...]
    max_age: int | None
    credentials: bool

    @classmethod
    def from_config(cls, config: dict[str, Any] | None) -> Cors | None:
        if not config:
            return None
        return cls(
            tuple(config.get("AllowOrigins") or ()),
            tuple(m.upper() for m in config.get("AllowMethods") or ()),
            tuple(h.lower() for h in config.get("AllowHeaders") or ()),
            tuple(config.get("ExposeHeaders") or ()),
            config.get("MaxAge"),
            bool(config.get("AllowCredentials")),
        )

    def allowed_origin(self, origin: str) -> str | None:
        if "*" in self.origins:
            return origin if self.credentials else "*"
        return origin if origin in self.origins else None

    def preflight(self, origin: str, method: str, headers: str | None) -> list[tuple[bytes, bytes]]:
        """Headers of the 204 answer to a preflight (none for a disallowed origin/method)."""
        allowed = self.allowed_origin(origin)
        if allowed is None:
            return []
        if "*" not in self.methods and method.upper() not in self.methods:
            return []
        out = [(b"access-control-allow-origin", allowed.encode("latin-1"))]
        out.append(
            (b"access-control-allow-methods", ",".join(self.methods or ("*",)).encode("latin-1"))
        )
        if headers:
            requested = [h.strip().lower() for h in headers.split(",") if h.strip()]
            if "*" in self.headers:
                granted = requested
            else:
                granted = [h for h in requested if h in self.headers]
            if granted:
                out.append((b"access-control-allow-headers", ",".join(granted).encode("latin-1")))
        if self.max_age is not None:
            out.append((b"access-control-max-age", str(self.max_age).encode()))
        if self.credentials:
            out.append((b"access-control-allow-credentials", b"true"))
        return out

    def response_headers(self, origin: str) -> list[tuple[bytes, bytes]]:
        allowed = self.allowed_origin(origin)
        if allowed is None:
            return []
        out = [(b"access-control-allow-origin", allowed.encode("latin-1"))]
        if self.expose:
            out.append((b"access-control-expose-headers", ",".join(self.expose).encode("latin-1")))
        if self.credentials:
            out.append((b"access-control-allow-credentials", b"true"))
        return out
