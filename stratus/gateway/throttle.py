"""Token buckets: API Gateway's throttling (a steady rate and a burst), per stage and route.

A bucket holds up to ``burst`` tokens and refills at ``rate`` per second; a request takes
one or is refused (429). Refilling is computed from the clock when a request arrives, so
an idle bucket costs nothing (no timers).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass(slots=True)
class TokenBucket:
    rate: float
    burst: int
    tokens: float = -1.0
    stamp: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        if self.tokens < 0:
            self.tokens = float(self.burst)

    def take(self) -> bool:
        now = time.monotonic()
        tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if tokens >= 1.0:
            self.tokens = tokens - 1.0
            return True
        self.tokens = tokens
        return False


def bucket_for(settings: dict[str, object] | None) -> TokenBucket | None:
    """A bucket for AWS's ``ThrottlingRateLimit``/``ThrottlingBurstLimit`` (None: unlimited)."""
    if not settings:
        return None
    rate = settings.get("ThrottlingRateLimit")
    burst = settings.get("ThrottlingBurstLimit")
    if rate is None and burst is None:
        return None
    rate_value = float(rate) if isinstance(rate, (int, float)) else 10000.0
    burst_value = int(burst) if isinstance(burst, (int, float)) else 5000
    return TokenBucket(rate_value, burst_value)
