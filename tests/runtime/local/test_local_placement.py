"""Where a worker wakes up (``local/placement.py``): off the event loop's CPU while
invocations come one at a time, anywhere once they overlap; and whatever the server
did, the function itself always sees every CPU.

The handler reports the CPUs it may run on, as the kernel sees them from inside; the
test reads the worker's mask between invocations from outside.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from stratus.runtime.local import environment as environments
from stratus.runtime.local.factory import LocalEnvironmentFactory
from stratus.runtime.local.placement import Placement
from tests.runtime.local.conftest import launch_for, request, write_code

pytestmark = pytest.mark.skipif(
    len(os.sched_getaffinity(0)) < 2, reason="one CPU: there is no other core to keep off"
)

HANDLER = """\
import os, subprocess, sys, time

def handler(event, context):
    time.sleep(event.get("sleep", 0))
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(len(os.sched_getaffinity(0)))"],
        capture_output=True, text=True,
    )
    return {"cpus": sorted(os.sched_getaffinity(0)), "child": int(child.stdout)}
"""

ALL = sorted(os.sched_getaffinity(0))


@pytest.fixture
def two_environments(
    factory: LocalEnvironmentFactory, run: Callable[[Awaitable[Any]], Any], tmp_path: Path
) -> Iterator[list[Any]]:
    code = write_code(tmp_path / "code", {"app.py": HANDLER})
    launch = launch_for(code, tmp_dir=str(tmp_path / "tmp"))
    envs = [run(factory.create(launch)), run(factory.create(launch))]
    yield envs
    for env in envs:
        env.kill()
        run(env.wait_closed())


async def _seen(env: Any, sleep: float = 0.0) -> dict[str, Any]:
    outcome = await env.invoke(request(json.dumps({"sleep": sleep}).encode()))
    assert outcome.error_type is None, outcome.payload
    seen: dict[str, Any] = json.loads(outcome.payload)
    return seen


def _mask_between_invocations(env: Any, expected: int) -> list[int]:
    """The worker's mask once it sleeps again (it narrows itself after answering)."""
    deadline = time.monotonic() + 5
    while True:
        mask = sorted(os.sched_getaffinity(env.pid))
        if len(mask) == expected or time.monotonic() > deadline:
            return mask
        time.sleep(0.005)


def _after_overlap_has_passed() -> None:
    """Invocations in the session's other tests may have overlapped just now."""
    time.sleep(environments._SEQUENTIAL_AFTER_S * 1.5)


def test_a_lone_invocations_worker_sleeps_off_the_loops_cpu(two_environments, run) -> None:
    env = two_environments[0]
    for _ in range(3):
        _after_overlap_has_passed()
        seen = run(_seen(env))
        # The function and what it starts see every CPU, always.
        assert seen == {"cpus": ALL, "child": len(ALL)}
        mask = _mask_between_invocations(env, len(ALL) - 1)
        assert len(mask) == len(ALL) - 1 and set(mask) < set(ALL), mask


def test_overlapping_invocations_leave_the_worker_wide(two_environments, run) -> None:
    first, second = two_environments
    _after_overlap_has_passed()
    run(_seen(first))
    assert len(_mask_between_invocations(first, len(ALL) - 1)) == len(ALL) - 1

    async def overlapping() -> tuple[dict[str, Any], dict[str, Any]]:
        return await asyncio.gather(_seen(second, sleep=0.05), _seen(first, sleep=0.05))

    _, behind = run(overlapping())
    # Sent while the other one ran: not a relay. The worker narrowed before is wide
    # again for it and stays so.
    assert behind == {"cpus": ALL, "child": len(ALL)}
    time.sleep(0.05)
    assert sorted(os.sched_getaffinity(first.pid)) == ALL


def test_a_worker_that_is_gone_is_left_alone() -> None:
    child = subprocess.Popen(["true"])
    child.wait()
    placement = Placement(child.pid, placeable=True)
    assert placement.steer() == (None, False)  # ESRCH: no error, and no more tries
    assert placement.steer() == (None, False)
