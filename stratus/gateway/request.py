"""One request as the gateway sees it: read once from the ASGI scope, shared by routing,
authorizers, events and logs."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(slots=True)
class GatewayRequest:
    method: str
    path: str  # decoded, without the stage
    raw_path: str  # as sent (percent-encoded), without the stage
    raw_query: str
    headers: list[tuple[str, str]]  # names lowercased (ASGI), in order, repeated as sent
    body: bytes
    source_ip: str
    protocol: str
    host: str
    request_id: str
    time_epoch_ms: int
    stage: str = "$default"
    # The path exactly as the client sent it (before the gateway took a prefix or stage
    # off): what a SigV4 signature covers.
    full_raw_path: str = ""
    # Served through a custom domain name: that name, and the path as the client sent
    # it (mapping key included), decoded; events show these instead of the stage.
    custom_domain: str = ""
    domain_path: str = ""
    _header_map: dict[str, str] | None = field(default=None)

    def header_map(self) -> dict[str, str]:
        """Headers by lowercase name, repeated ones joined by commas (as API Gateway does)."""
        if self._header_map is None:
            joined: dict[str, str] = {}
            for name, value in self.headers:
                previous = joined.get(name)
                joined[name] = value if previous is None else f"{previous},{value}"
            self._header_map = joined
        return self._header_map

    def header(self, name: str) -> str | None:
        return self.header_map().get(name)

    def query_lists(self) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        if not self.raw_query:
            return result
        for pair in self.raw_query.split("&"):
            if not pair:
                continue
            key, _, value = pair.partition("=")
            result.setdefault(unquote_plus(key), []).append(unquote_plus(value))
        return result

    def cookies(self) -> list[str]:
        cookie = self.header("cookie")
        if not cookie:
            return []
        return [c.strip() for c in cookie.replace(",", ";").split(";") if c.strip()]


_last_time: tuple[int, str] = (-1, "")  # (epoch second, its requestTime): one per second


def request_time(epoch_ms: int) -> str:
    """API Gateway's ``requestTime``: ``12/Mar/2020:19:03:58 +0000`` (made once per
    second: a busy API asks for the same one thousands of times)."""
    global _last_time
    second = epoch_ms // 1000
    if _last_time[0] == second:
        return _last_time[1]
    t = time.gmtime(second)
    text = (
        f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year}:"
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"
    )
    _last_time = (second, text)
    return text


def from_scope(
    scope: dict[str, Any], body: bytes, request_id: str, path: str, raw_path: str
) -> GatewayRequest:
    headers: list[tuple[str, str]] = []
    host = ""
    for raw_name, raw_value in scope["headers"]:
        lower = raw_name.decode("latin-1")  # ASGI servers lowercase header names
        value = raw_value.decode("latin-1")
        headers.append((lower, value))
        if lower == "host":
            host = value
    client = scope.get("client")
    version = scope.get("http_version", "1.1")
    request = GatewayRequest(
        method=scope["method"],
        path=path,
        raw_path=raw_path,
        raw_query=scope.get("query_string", b"").decode("latin-1"),
        headers=headers,
        body=body,
        source_ip=client[0] if client else "127.0.0.1",
        protocol=f"HTTP/{version}",
        host=host,
        request_id=request_id,
        time_epoch_ms=int(time.time() * 1000),
        full_raw_path=scope.get("root_path", "")
        + (scope["raw_path"].decode("latin-1") if scope.get("raw_path") else scope["path"]),
    )
    mapped = scope.get("stratus.mapped")
    if mapped is not None:
        request.custom_domain, request.domain_path, request.full_raw_path = mapped
    return request
