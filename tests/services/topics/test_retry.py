"""Delivery retry policies: AWS's four phases, its managed policy, and refusals."""

from __future__ import annotations

import pytest

from stratus.services.topics.errors import InvalidParameter
from stratus.services.topics.retry import (
    DEFAULT_HTTP_POLICY,
    MANAGED_POLICY,
    RetryPolicy,
    parse_retry_policy,
)


def test_managed_policy_is_awss_23_days() -> None:
    # 3 immediate retries, 2 at 1 s, 10 backing off to 20 s, then 20 s apart: 100,015
    # attempts in all (https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html).
    delays = [MANAGED_POLICY.delay_before(n) for n in range(1, 16)]
    assert delays[:3] == [0.0, 0.0, 0.0]
    assert delays[3:5] == [1, 1]
    backoff = delays[5:15]
    assert backoff == sorted(backoff) and backoff[0] >= 1 and backoff[-1] == 20
    assert MANAGED_POLICY.delay_before(100_014) == 20
    assert MANAGED_POLICY.delay_before(100_015) is None  # 1 attempt + 100,014 retries
    days = sum(MANAGED_POLICY.delay_before(n) or 0 for n in range(1, 100_015)) / 86400
    assert 23 <= days < 24


def test_default_http_policy() -> None:
    assert [DEFAULT_HTTP_POLICY.delay_before(n) for n in range(1, 5)] == [20, 20, 20, None]


@pytest.mark.parametrize("backoff", ["linear", "arithmetic", "geometric", "exponential"])
def test_backoff_phase_grows_from_min_to_max(backoff: str) -> None:
    policy = RetryPolicy(
        1, 60, retries=12, no_delay=1, min_delay_retries=1, max_delay_retries=2, backoff=backoff
    )
    delays = [policy.delay_before(n) for n in range(1, 13)]
    assert delays[0] == 0 and delays[1] == 1
    middle = [d for d in delays[2:10] if d is not None]
    assert middle == sorted(middle) and middle[0] >= 1 and middle[-1] == 60
    assert delays[10:] == [60, 60]
    assert policy.delay_before(13) is None


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"numRetries": 3}, "Invalid parameter: P.minDelayTarget must be specified"),
        ({"minDelayTarget": 5}, "Invalid parameter: P.maxDelayTarget must be specified"),
        (
            {"minDelayTarget": 0, "maxDelayTarget": 5},
            "Invalid parameter: P.minDelayTarget must be at least 1",
        ),
        (
            {"minDelayTarget": 9, "maxDelayTarget": 5},
            "Invalid parameter: P.minDelayTarget must be less than or equal to maxDelayTarget",
        ),
        (
            {"minDelayTarget": 1, "maxDelayTarget": 3601},
            "Invalid parameter: P.maxDelayTarget must be less than or equal to 3600",
        ),
        (
            {"minDelayTarget": 1, "maxDelayTarget": 5, "numRetries": 101},
            "Invalid parameter: P.numRetries must be less than or equal to 100",
        ),
        (
            {"minDelayTarget": 1, "maxDelayTarget": 5, "numRetries": 2, "numNoDelayRetries": 3},
            "Invalid parameter: P.numRetries must be greater than or equal to the sum of "
            "numNoDelayRetries, numMinDelayRetries and numMaxDelayRetries",
        ),
        (
            {"minDelayTarget": 1, "maxDelayTarget": 5, "backoffFunction": "cubic"},
            "Invalid parameter: P.backoffFunction must be one of arithmetic, exponential, geometric, linear",
        ),
        (
            {"minDelayTarget": "1", "maxDelayTarget": 5},
            "Invalid parameter: P.minDelayTarget must be a non-negative integer",
        ),
    ],
)
def test_refusals(document: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidParameter) as refused:
        parse_retry_policy(document, "P")
    assert refused.value.message == message
