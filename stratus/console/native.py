"""Stratus's own HTTP API under ``/_stratus/``: health, function metrics, logs, code.

Served on the control port beside the AWS APIs (requests that are not AWS calls fall
through to this app). The CLI uses it for what AWS's APIs do not cover.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

import orjson

from stratus.runtime.metrics import MetricsRegistry
from stratus.services.functions.names import function_arn
from stratus.services.functions.registry import FunctionRegistry
from stratus.services.logs.repository import LogStore
from stratus.store.blobs import BlobStore
from stratus.store.errors import BlobNotFound

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_LOGS = re.compile(r"^/_stratus/functions/(?P<name>[A-Za-z0-9_:.-]+)/logs$")
_CODE = re.compile(r"^/_stratus/code/(?P<digest>[0-9a-f]{64})$")


class NativeApi:
    def __init__(
        self,
        *,
        ready: Callable[[], bool],
        registry: FunctionRegistry,
        region: str = "us-east-1",
        metrics: MetricsRegistry,
        logs: LogStore,
        blobs: BlobStore,
        apis: Callable[[], list[dict[str, Any]]] | None = None,
    ) -> None:
        self._ready = ready
        self._registry = registry
        self._region = region
        self._metrics = metrics
        self._log_store = logs
        self._blobs = blobs
        self._apis = apis  # the gateway's APIs with their figures (``stratus apis``)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        method: str = scope["method"]
        query = {k: v[-1] for k, v in parse_qs(scope.get("query_string", b"").decode()).items()}
        if method != "GET":
            await _json(send, 405, {"message": "Method Not Allowed"})
            return
        if path == "/_stratus/health":
            ready = self._ready()
            await _json(send, 200 if ready else 503, {"status": "ready" if ready else "starting"})
            return
        if path == "/_stratus/functions":
            await _json(send, 200, {"Functions": self._functions()})
            return
        if path == "/_stratus/apis" and self._apis is not None:
            await _json(send, 200, {"Apis": self._apis()})
            return
        match = _LOGS.match(path)
        if match:
            await self._logs(send, match.group("name"), query)
            return
        match = _CODE.match(path)
        if match:
            try:
                data = await self._blobs.get(match.group("digest"))
            except BlobNotFound:
                await _json(send, 404, {"message": "Not Found"})
                return
            await _send(send, 200, data, b"application/zip")
            return
        await _json(send, 404, {"message": f"No such Stratus API: {path}"})

    def _functions(self) -> list[dict[str, Any]]:
        registry = self._registry
        metrics = self._metrics
        result = []
        for name in registry.names():
            latest = registry.latest(name)
            result.append(
                {
                    "FunctionName": latest.name,
                    "FunctionArn": name,
                    "Runtime": latest.runtime,
                    "MemorySize": latest.memory_size,
                    "Timeout": latest.timeout,
                    "Versions": len(registry.versions(name)) - 1,
                    "ReservedConcurrency": registry.record(name).reserved_concurrency,
                    "Metrics": metrics.of(name).snapshot(),
                }
            )
        return result

    async def _logs(self, send: Send, name: str, query: dict[str, str]) -> None:
        try:
            after = int(query.get("after", "0"))
            limit = min(int(query.get("limit", "1000")), 10000)
            start = int(query["start"]) if "start" in query else None
        except ValueError:
            await _json(send, 400, {"message": "after, limit and start must be integers"})
            return
        # A plain name is a function of the default account in the server's region.
        function_id = name if name.startswith("arn:") else function_arn(self._region, name)
        events = await self._log_store.query(
            function_id, after_id=after, start_ms=start, limit=limit
        )
        await _json(
            send,
            200,
            {
                "events": [
                    {
                        "id": e.id,
                        "timestamp": e.timestamp_ms,
                        "stream": e.stream,
                        "message": e.message,
                    }
                    for e in events
                ],
                "next": events[-1].id if events else after,
            },
        )


async def _json(send: Send, status: int, body: Any) -> None:
    await _send(send, status, orjson.dumps(body), b"application/json")


async def _send(send: Send, status: int, body: bytes, content_type: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


__all__ = ["NativeApi"]
