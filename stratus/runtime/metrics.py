"""Per-function counters: invocations, errors, throttles, cold starts, durations, GB-seconds."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field


@dataclass(slots=True)
class _Reservoir:
    """A bounded uniform sample of durations, enough for stable percentiles."""

    size: int = 2048
    seen: int = 0
    values: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        self.seen += 1
        if len(self.values) < self.size:
            self.values.append(value)
        else:
            slot = random.randrange(self.seen)
            if slot < self.size:
                self.values[slot] = value

    def percentile(self, q: float) -> float | None:
        if not self.values:
            return None
        ordered = sorted(self.values)
        index = min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))
        return ordered[index]


@dataclass(slots=True)
class FunctionMetrics:
    invocations: int = 0
    errors: int = 0
    throttles: int = 0
    cold_starts: int = 0
    concurrent: int = 0
    peak_concurrent: int = 0
    gb_seconds: float = 0.0
    durations: _Reservoir = field(default_factory=_Reservoir)

    def snapshot(self) -> dict[str, float | int | None]:
        return {
            "Invocations": self.invocations,
            "Errors": self.errors,
            "Throttles": self.throttles,
            "ColdStarts": self.cold_starts,
            "ConcurrentExecutions": self.concurrent,
            "PeakConcurrentExecutions": self.peak_concurrent,
            "DurationP50": self.durations.percentile(0.50),
            "DurationP90": self.durations.percentile(0.90),
            "DurationP99": self.durations.percentile(0.99),
            "GBSeconds": round(self.gb_seconds, 6),
        }


class MetricsRegistry:
    def __init__(self) -> None:
        self._functions: dict[str, FunctionMetrics] = {}

    def of(self, function_name: str) -> FunctionMetrics:
        metrics = self._functions.get(function_name)
        if metrics is None:
            metrics = self._functions[function_name] = FunctionMetrics()
        return metrics

    def snapshot(self) -> dict[str, dict[str, float | int | None]]:
        return {name: m.snapshot() for name, m in self._functions.items()}
