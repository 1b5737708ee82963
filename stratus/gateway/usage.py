"""API keys and usage plans of REST APIs: which key may call which stage, and how much
(a token bucket per key and plan, and a quota per day, week or month)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from stratus.gateway.throttle import TokenBucket
from stratus.services.apis.rest_apis import RestApis

_PERIOD_S = {"DAY": 86400, "WEEK": 7 * 86400, "MONTH": 30 * 86400}


@dataclass(slots=True)
class _Quota:
    limit: int
    period_s: int
    window_start: float
    used: int = 0

    def take(self) -> bool:
        now = time.time()
        if now - self.window_start >= self.period_s:
            self.window_start = now
            self.used = 0
        if self.used >= self.limit:
            return False
        self.used += 1
        return True


class UsagePlans:
    """``check`` answers None (go on) or the (status, message) API Gateway refuses with."""

    def __init__(self, apis: RestApis) -> None:
        self._apis = apis
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._quotas: dict[tuple[str, str], _Quota] = {}

    def check(self, api_id: str, stage: str, key_value: str | None) -> tuple[int, str] | None:
        if not key_value:
            return 403, "Forbidden"
        key = self._apis.key_by_value(key_value)
        if key is None or not key.enabled:
            return 403, "Forbidden"
        plans = [
            p
            for p in self._apis.plans_of_key(key.id)
            if any(s.get("apiId") == api_id and s.get("stage") == stage for s in p.api_stages)
        ]
        if not plans:
            return 403, "Forbidden"
        plan = plans[0]
        slot = (plan.id, key.id)
        if plan.throttle:
            bucket = self._buckets.get(slot)
            if bucket is None:
                bucket = self._buckets[slot] = TokenBucket(
                    float(plan.throttle.get("rateLimit", 10000.0)),
                    int(plan.throttle.get("burstLimit", 5000)),
                )
            if not bucket.take():
                return 429, "Too Many Requests"
        if plan.quota and plan.quota.get("limit"):
            quota = self._quotas.get(slot)
            if quota is None:
                quota = self._quotas[slot] = _Quota(
                    int(plan.quota["limit"]),
                    _PERIOD_S.get(str(plan.quota.get("period", "DAY")), 86400),
                    time.time(),
                )
            if not quota.take():
                return 429, "Limit Exceeded"
        return None
