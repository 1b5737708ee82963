"""Delivery retry policies: when the next attempt of a failed delivery runs.

AWS's policy has four phases after the first attempt (https://docs.aws.amazon.com/sns/
latest/dg/sns-message-delivery-retries.html): immediate retries (no delay), pre-backoff
retries (``minDelayTarget`` apart), backoff retries (from ``minDelayTarget`` up to
``maxDelayTarget`` along ``backoffFunction``) and post-backoff retries
(``maxDelayTarget`` apart). AWS-managed endpoints (SQS, Lambda) use a fixed policy of
100,015 attempts over 23 days; HTTP/S endpoints use the subscription's or topic's
``DeliveryPolicy`` (default: 3 retries 20 seconds apart).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stratus.services.topics.errors import InvalidParameter

BACKOFF_FUNCTIONS = ("arithmetic", "exponential", "geometric", "linear")
MAX_HTTP_RETRIES = 100
MAX_DELAY_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    min_delay: float
    max_delay: float
    retries: int
    no_delay: int
    min_delay_retries: int
    max_delay_retries: int
    backoff: str = "linear"

    def delay_before(self, retry: int) -> float | None:
        """Seconds to wait before retry number ``retry`` (1-based); None when the
        policy has no such retry (the delivery has failed for good)."""
        if retry < 1 or retry > self.retries:
            return None
        if retry <= self.no_delay:
            return 0.0
        retry -= self.no_delay
        if retry <= self.min_delay_retries:
            return self.min_delay
        retry -= self.min_delay_retries
        backoff = self.retries - self.no_delay - self.min_delay_retries - self.max_delay_retries
        if retry <= backoff:
            return _backoff(self, retry, backoff)
        return self.max_delay

    def as_document(self) -> dict[str, Any]:
        return {
            "minDelayTarget": _number(self.min_delay),
            "maxDelayTarget": _number(self.max_delay),
            "numRetries": self.retries,
            "numMaxDelayRetries": self.max_delay_retries,
            "numNoDelayRetries": self.no_delay,
            "numMinDelayRetries": self.min_delay_retries,
            "backoffFunction": self.backoff,
        }


def _number(value: float) -> int | float:
    return int(value) if value == int(value) else value


def _backoff(policy: RetryPolicy, step: int, steps: int) -> float:
    low, high = policy.min_delay, policy.max_delay
    if steps <= 0 or high <= low:
        return low
    share = step / steps
    if policy.backoff == "exponential":
        share = (2.0**step - 1) / (2.0**steps - 1)
    elif policy.backoff == "arithmetic":
        share = step * (step + 1) / (steps * (steps + 1))
    elif policy.backoff == "geometric" and low > 0:
        return float(low * (high / low) ** share)
    return low + (high - low) * share


#: SQS and Lambda endpoints: 3 immediate, 2 at 1 s, 10 backing off to 20 s, 100,000 at 20 s.
MANAGED_POLICY = RetryPolicy(
    min_delay=1,
    max_delay=20,
    retries=100_015 - 1,
    no_delay=3,
    min_delay_retries=2,
    max_delay_retries=100_000 - 1,
    backoff="exponential",
)

#: HTTP/S endpoints without a DeliveryPolicy of their own.
DEFAULT_HTTP_POLICY = RetryPolicy(
    min_delay=20, max_delay=20, retries=3, no_delay=0, min_delay_retries=0, max_delay_retries=0
)


def parse_retry_policy(document: Any, where: str) -> RetryPolicy:
    """A ``healthyRetryPolicy`` object; errors name it as ``where`` does
    ("DeliveryPolicy: healthyRetryPolicy")."""
    if not isinstance(document, dict):
        raise InvalidParameter(f"Invalid parameter: {where} must be an object")

    def integer(key: str, default: int | None) -> int:
        value = document.get(key, default)
        if value is None:
            raise InvalidParameter(f"Invalid parameter: {where}.{key} must be specified")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidParameter(
                f"Invalid parameter: {where}.{key} must be a non-negative integer"
            )
        return value

    low = integer("minDelayTarget", None)
    high = integer("maxDelayTarget", None)
    retries = integer("numRetries", 3)
    no_delay = integer("numNoDelayRetries", 0)
    min_retries = integer("numMinDelayRetries", 0)
    max_retries = integer("numMaxDelayRetries", 0)
    backoff = document.get("backoffFunction", "linear")
    if low < 1:
        raise InvalidParameter(f"Invalid parameter: {where}.minDelayTarget must be at least 1")
    if high > MAX_DELAY_SECONDS:
        raise InvalidParameter(
            f"Invalid parameter: {where}.maxDelayTarget must be less than or equal to "
            f"{MAX_DELAY_SECONDS}"
        )
    if low > high:
        raise InvalidParameter(
            f"Invalid parameter: {where}.minDelayTarget must be less than or equal to "
            "maxDelayTarget"
        )
    if retries > MAX_HTTP_RETRIES:
        raise InvalidParameter(
            f"Invalid parameter: {where}.numRetries must be less than or equal to "
            f"{MAX_HTTP_RETRIES}"
        )
    if no_delay + min_retries + max_retries > retries:
        raise InvalidParameter(
            f"Invalid parameter: {where}.numRetries must be greater than or equal to the sum "
            "of numNoDelayRetries, numMinDelayRetries and numMaxDelayRetries"
        )
    if backoff not in BACKOFF_FUNCTIONS:
        raise InvalidParameter(
            f"Invalid parameter: {where}.backoffFunction must be one of "
            f"{', '.join(BACKOFF_FUNCTIONS)}"
        )
    return RetryPolicy(low, high, retries, no_delay, min_retries, max_retries, backoff)
