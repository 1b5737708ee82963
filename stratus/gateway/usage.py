"""API keys and usage plans of REST APIs: which key may call which stage, and how much
(a token bucket per key and plan, and a quota per day, week or month, counted by the
plans' :class:`~stratus.services.apis.usage.UsageLedger`, which persists the counts)."""

from __future__ import annotations

from stratus.gateway.throttle import TokenBucket
from stratus.services.apis.rest_apis import RestApis


class UsagePlans:
    """``check`` answers None (go on) or the (status, message) API Gateway refuses with."""

    def __init__(self, apis: RestApis) -> None:
        self._apis = apis
        self._buckets: dict[tuple[str, str], TokenBucket] = {}

    async def check(self, api_id: str, stage: str, key_value: str | None) -> tuple[int, str] | None:
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
        if not await self._apis.usage.take(plan, key.id):
            return 429, "Limit Exceeded"
        return None
