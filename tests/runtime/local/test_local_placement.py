"""Where a worker runs (``local/placement.py``): off the event loop's CPU while
invocations come one at a time, anywhere once they overlap.

The handler reports the CPUs it may run on, as the kernel sees them from inside.
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
import os, time

def handler(event, context):
    time.sleep(event.get("sleep", 0))
    return sorted(os.sched_getaffinity(0))
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


async def _cpus(env: Any, sleep: float = 0.0) -> list[int]:
    outcome = await env.invoke(request(json.dumps({"sleep": sleep}).encode()))
    assert outcome.error_type is None, outcome.payload
    return list(json.loads(outcome.payload))


def _after_overlap_has_passed() -> None:
    """Invocations in the session's other tests may have overlapped just now."""
    time.sleep(environments._SEQUENTIAL_AFTER_S * 1.5)


def test_a_lone_invocation_runs_off_the_loops_cpu(two_environments, run) -> None:
    env = two_environments[0]
    _after_overlap_has_passed()
    cpus = run(_cpus(env))
    assert len(cpus) == len(ALL) - 1 and set(cpus) < set(ALL), cpus


def test_overlapping_invocations_get_every_cpu_back(two_environments, run) -> None:
    first, second = two_environments
    _after_overlap_has_passed()
    assert len(run(_cpus(first))) == len(ALL) - 1  # kept off the loop's CPU

    async def overlapping() -> tuple[list[int], list[int]]:
        return await asyncio.gather(_cpus(second, sleep=0.05), _cpus(first, sleep=0.05))

    _, behind = run(overlapping())
    # Sent while the other one ran: not a relay, and the worker kept off the loop's
    # CPU before gets its whole mask back.
    assert behind == ALL


def test_a_worker_that_is_gone_is_left_alone() -> None:
    child = subprocess.Popen(["true"])
    child.wait()
    placement = Placement(child.pid)
    placement.away_from_loop()  # ESRCH: no error, and no more tries
    placement.anywhere()
