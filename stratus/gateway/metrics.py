"""Figures per API and stage: counts, errors, throttles and latencies, as CloudWatch's
API Gateway metrics name them (Count, 4xx, 5xx, Latency, IntegrationLatency)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class StageFigures:
    count: int = 0
    client_errors: int = 0  # 4xx
    server_errors: int = 0  # 5xx
    throttles: int = 0
    latency_ms_total: float = 0.0
    integration_latency_ms_total: float = 0.0

    def record(self, status: int, latency_ms: float, integration_ms: float) -> None:
        self.count += 1
        if status >= 500:
            self.server_errors += 1
        elif status >= 400:
            self.client_errors += 1
            if status == 429:
                self.throttles += 1
        self.latency_ms_total += latency_ms
        self.integration_latency_ms_total += integration_ms

    def as_dict(self) -> dict[str, float]:
        count = self.count or 1
        return {
            "Count": self.count,
            "4XXError": self.client_errors,
            "5XXError": self.server_errors,
            "Throttles": self.throttles,
            "LatencyAvgMs": round(self.latency_ms_total / count, 3),
            "IntegrationLatencyAvgMs": round(self.integration_latency_ms_total / count, 3),
        }


@dataclass(slots=True)
class GatewayMetrics:
    stages: dict[tuple[str, str], StageFigures] = field(default_factory=dict)

    def stage(self, api_id: str, stage: str) -> StageFigures:
        key = (api_id, stage)
        figures = self.stages.get(key)
        if figures is None:
            figures = self.stages[key] = StageFigures()
        return figures

    def for_api(self, api_id: str) -> dict[str, dict[str, float]]:
        return {s: f.as_dict() for (a, s), f in self.stages.items() if a == api_id}
