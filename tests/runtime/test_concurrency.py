"""Concurrency accounting: reserved slots, the account's unreserved share, release."""

from __future__ import annotations

import pytest

from stratus.runtime.concurrency import (
    ACCOUNT_EXCEEDED,
    RESERVED_EXCEEDED,
    ConcurrencyLimiter,
)
from stratus.runtime.errors import Throttled


def test_reserved_function_gets_exactly_its_reservation() -> None:
    limiter = ConcurrencyLimiter(10)
    limiter.set_reserved("a", 2)
    slots = [limiter.acquire("a"), limiter.acquire("a")]
    assert slots == [True, True]
    with pytest.raises(Throttled) as info:
        limiter.acquire("a")
    assert info.value.reason == RESERVED_EXCEEDED
    limiter.release("a", True)
    assert limiter.acquire("a") is True


def test_unreserved_functions_share_what_reservations_leave() -> None:
    limiter = ConcurrencyLimiter(5)
    limiter.set_reserved("a", 3)
    assert limiter.unreserved_capacity == 2
    limiter.acquire("b")
    limiter.acquire("c")
    with pytest.raises(Throttled) as info:
        limiter.acquire("d")
    assert info.value.reason == ACCOUNT_EXCEEDED
    limiter.acquire("a")  # reserved capacity is untouched by the others
    limiter.release("b", False)
    limiter.acquire("d")


def test_zero_reserved_throttles_everything() -> None:
    limiter = ConcurrencyLimiter(10)
    limiter.set_reserved("off", 0)
    with pytest.raises(Throttled):
        limiter.acquire("off")


def test_reservation_set_while_running_releases_the_right_pool() -> None:
    limiter = ConcurrencyLimiter(3)
    unreserved_slot = limiter.acquire("a")  # taken from the shared pool
    limiter.set_reserved("a", 1)
    limiter.release("a", unreserved_slot)  # goes back to the shared pool, not the reservation
    assert limiter.in_flight("a") == 0
    limiter.acquire("b")
    limiter.acquire("b")  # shared capacity is 3 - 1 = 2 and both slots are free again
