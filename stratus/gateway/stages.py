"""A deployed stage as the servers hold it, HTTP and REST APIs alike: its route table,
stage variables, access-log settings and figures, and what every answered request leaves
in the last two."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from stratus.gateway.access_log import AccessLogs
from stratus.gateway.metrics import StageFigures
from stratus.gateway.request import GatewayRequest
from stratus.gateway.routing import RouteTable

T = TypeVar("T")


@dataclass(slots=True)
class CompiledStage(Generic[T]):
    name: str
    table: RouteTable[T]
    variables: dict[str, str] | None
    access_log: dict[str, Any] | None
    figures: StageFigures

    def record(
        self,
        access_logs: AccessLogs,
        api: Any,
        request: GatewayRequest,
        route_key: str,
        status: int,
        length: int,
        started: float,
        integration_ms: float,
    ) -> None:
        """Count an answered request (``started``: its ``perf_counter``) and write its
        access log line where the stage has access logging."""
        latency_ms = (time.perf_counter() - started) * 1000
        self.figures.record(status, latency_ms, integration_ms)
        if self.access_log is not None:
            access_logs.write(
                api,
                self.name,
                self.access_log,
                request,
                route_key,
                status,
                length,
                latency_ms,
                integration_ms,
            )
