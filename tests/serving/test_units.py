"""The pure parts of ``stratus.serving``: the limits record, the body budget, the guard."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from stratus.runtime.limits import with_overrides
from stratus.serving import BodyBudget, ConnectionGuard, HttpLimits, connection_cap
from tests.conftest import REPO_ROOT


def test_limits_are_overridden_by_name_and_typed_like_the_field() -> None:
    limits = with_overrides(HttpLimits(), ["header_timeout_s=2.5", "max_connections=10"])
    assert (limits.header_timeout_s, limits.max_connections) == (2.5, 10)
    with pytest.raises(ValueError, match="unknown limit"):
        with_overrides(HttpLimits(), ["max_sockets=3"])


@pytest.mark.parametrize(
    "changes",
    [
        {"body_budget_bytes": 1024, "max_body_bytes": 2048},
        {"body_wait_s": 60.0, "body_timeout_s": 60.0},
        {"max_head_bytes": 100},
        {"max_connections": 0},
    ],
    ids=["budget-under-one-body", "wait-not-under-timeout", "head-under-line", "no-connections"],
)
def test_inconsistent_limits_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        HttpLimits(**changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(("fds", "cap"), [(1024, 512), (20000, 4096), (3, 1)])
def test_connections_never_take_more_than_half_the_descriptors(fds: int, cap: int) -> None:
    assert connection_cap(HttpLimits(), fds) == cap


def test_the_budget_grants_what_fits_first_and_refuses_after_the_wait() -> None:
    async def scenario() -> None:
        budget = BodyBudget(100)
        assert budget.reserve_nowait(80)
        big = asyncio.create_task(budget.reserve(50, timeout_s=0.5))
        small = asyncio.create_task(budget.reserve(20, timeout_s=5))
        assert await small  # fits at once, although the big one waits before it
        assert budget.statistics().in_use == 100
        assert not await big  # nothing was released within its wait
        budget.release(80)
        assert await budget.reserve(50, timeout_s=0.1)
        assert budget.statistics().refused == 1

    asyncio.run(scenario())


def test_a_waiter_granted_on_release_and_one_cancelled_keep_the_books_straight() -> None:
    async def scenario() -> None:
        budget = BodyBudget(100)
        assert budget.reserve_nowait(100)
        granted = asyncio.create_task(budget.reserve(60, timeout_s=5))
        cancelled = asyncio.create_task(budget.reserve(60, timeout_s=5))
        await asyncio.sleep(0)
        cancelled.cancel()
        budget.release(100)
        assert await granted
        with pytest.raises(asyncio.CancelledError):
            await cancelled
        budget.release(60)
        assert budget.statistics().in_use == 0
        assert budget.statistics().waiting == 0

    asyncio.run(scenario())


@dataclass(eq=False)
class Conn:
    deadline: float = 0.0
    evicted: bool = False
    expired: bool = False

    def evict(self) -> None:
        self.evicted = True

    def expire(self) -> None:
        self.expired = True


def test_the_guard_evicts_the_longest_idle_and_refuses_only_when_all_are_busy() -> None:
    async def scenario() -> None:
        guard = ConnectionGuard(2)
        first, second, third, fourth = Conn(), Conn(), Conn(), Conn()
        assert guard.admit(first) and guard.admit(second)
        guard.busy(first)
        assert guard.admit(third)  # second was the only idle one
        assert second.evicted and not first.evicted
        guard.busy(third)
        assert not guard.admit(fourth)  # both busy
        guard.idle(first)
        assert guard.admit(fourth) and first.evicted
        stats = guard.statistics()
        assert (stats.open, stats.evicted, stats.refused) == (2, 2, 1)
        guard.close()

    asyncio.run(scenario())


def test_the_guard_expires_idle_connections_past_their_deadline() -> None:
    async def scenario() -> None:
        guard = ConnectionGuard(10)
        loop = asyncio.get_running_loop()
        late, on_time, busy = Conn(), Conn(), Conn()
        for conn in (late, on_time, busy):
            assert guard.admit(conn)
        late.deadline = busy.deadline = loop.time() + 0.01
        on_time.deadline = loop.time() + 60
        guard.busy(busy)
        await asyncio.sleep(1.2)
        assert late.expired and not on_time.expired and not busy.expired
        guard.close()

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("max_sockets=3", "error: unknown limit 'max_sockets=3'"),
        ("header_timeout_s=soon", "error: limit header_timeout_s needs a float, not 'soon'"),
        ("body_budget_bytes=10", "error: body_budget_bytes (10) must hold at least one body"),
    ],
    ids=["unknown", "mistyped", "inconsistent"],
)
def test_stratus_up_refuses_a_bad_http_limit_in_one_line(
    override: str, message: str, tmp_path: Path
) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "stratus",
            "up",
            "--data-dir",
            str(tmp_path),
            "--port",
            "1",
            "--http-limit",
            override,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO_ROOT,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(message), result.stderr
