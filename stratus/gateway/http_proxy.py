"""HTTP_PROXY integrations: the request forwarded to a URL, the answer passed back.

The integration URI may hold ``{proxy}``-style path variables and ``${stageVariables.x}``;
hop-by-hop headers are dropped both ways, as a proxy must (RFC 9110 section 7.6.1).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from stratus.gateway.asgi import JSON
from stratus.gateway.request import GatewayRequest
from stratus.gateway.responses import HttpResult

_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)
_VARIABLE = re.compile(r"\{([A-Za-z0-9._-]+)\+?\}|\$\{stageVariables\.([A-Za-z0-9_]+)\}")
UNAVAILABLE = b'{"message":"Service Unavailable"}'
INTERNAL = b'{"message":"Internal Server Error"}'


class HttpProxy:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    @property
    def client(self) -> httpx.AsyncClient:
        return self._client

    async def forward(
        self,
        integration: Any,
        request: GatewayRequest,
        path_parameters: dict[str, str] | None,
        stage_variables: dict[str, str] | None,
        timeout_s: float,
        path: str | None = None,
    ) -> HttpResult:
        """``path``: what an ``overwrite:path`` mapping made the URI's path (the request
        itself comes already mapped: ``gateway.mapping.RequestMapping``)."""
        params = path_parameters or {}
        variables = stage_variables or {}

        def substitute(match: re.Match[str]) -> str:
            if match.group(1) is not None:
                return params.get(match.group(1), "")
            return variables.get(match.group(2), "")

        url = _VARIABLE.sub(substitute, integration.integration_uri or "")
        query = parse_qsl(request.raw_query, keep_blank_values=True)
        method = integration.integration_method or "ANY"
        if method == "ANY":
            method = request.method
        headers = [(n, v) for n, v in request.headers if n not in _HOP]
        headers.append(("x-forwarded-for", request.source_ip))
        if path is not None:
            parts = urlsplit(url)
            url = urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))
        if query:
            url += ("&" if "?" in url else "?") + urlencode(query)
        try:
            response = await self._client.request(
                method, url, headers=headers, content=request.body, timeout=timeout_s
            )
        except httpx.TimeoutException:
            return HttpResult(503, [JSON], UNAVAILABLE)
        except httpx.HTTPError:
            return HttpResult(500, [JSON], INTERNAL)
        out = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in response.headers.multi_items()
            if name.lower() not in _HOP and name.lower() != "content-encoding"
        ]
        return HttpResult(response.status_code, out, response.content)
