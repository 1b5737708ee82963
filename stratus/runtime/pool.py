"""A pool of execution environments for one function version (one ``FunctionSpec.key``).

The pool scales out on demand (a cold start whenever no idle environment is free) and
back to zero: environments idle longer than the keep-warm period are reaped. The most
recently used idle environment is reused first, so a light load keeps few of them warm.

A function whose invocations are short (``QUEUE_BELOW_MS`` on average) is not spread over
more environments than the machine has cores to run them beside the server's event loop
(``HOT_ENVIRONMENTS``): past that, an invocation is queued behind one already running
(``take_queued``), as long as the wait that adds stays within ``QUEUE_WAIT_MS``, no
recent invocation took longer than ``QUEUE_SLOWEST_MS`` (see ``observe``), and the
request may wait (``InvokeRequest.queueable``: a call made from inside an invocation,
which that invocation waits for, never waits behind it). Each
environment still runs one invocation at a time; what it saves is a sleeping process woken
on another core per invocation, which on a busy machine costs more than the invocation.

A pool whose function changed is retired: idle environments die at once, busy ones when
their invocation ends.

Provisioned concurrency lives here too: environments created ahead of demand for a target
(a version or alias with a provisioned concurrency config), whose init already ran. They
are handed out before any on-demand environment (spill-over goes to those), go back to
their own idle list, are never reaped, and when one dies the pool reports the loss so the
provisioner (``runtime/provisioning.py``) replaces it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from stratus.runtime.environment import (
    EnvironmentFactory,
    ExecutionEnvironment,
    FunctionSpec,
    InvokeRequest,
    LaunchConfig,
)

# Queueing behind a running invocation (see the module's docstring).
# one core runs the server's loop, which hands out the events: the rest run them
HOT_ENVIRONMENTS = max(1, (os.cpu_count() or 2) - 1)
QUEUE_BELOW_MS = 1.0  # the function's average duration, for it to be queued at all
QUEUE_WAIT_MS = 2.0  # the longest wait in a queue this expects to add
# ... and the longest any recent invocation may have taken: above a loaded machine's
# preemption (a quick call descheduled midway), well below a call that waits on I/O
QUEUE_SLOWEST_MS = 10.0
# STRATUS_QUEUE_INVOCATIONS=0 turns queueing off (see the module's docstring).
QUEUEING = os.environ.get("STRATUS_QUEUE_INVOCATIONS", "1") != "0"
QUEUE_DEPTH_MAX = 16
_SAMPLES_BEFORE_QUEUEING = 8
_AVERAGE_WEIGHT = 0.1  # of each new duration in the moving average
_SLOWEST_DECAY = 0.99


PROVISIONED_INIT = "provisioned-concurrency"  # AWS_LAMBDA_INITIALIZATION_TYPE, as Lambda sets it


@dataclass(frozen=True, slots=True)
class PoolStatistics:
    idle: int
    busy: int
    created: int
    reaped: int
    provisioned: int = 0


class EnvironmentPool:
    def __init__(
        self,
        spec: FunctionSpec,
        factory: EnvironmentFactory,
        launch_for: Callable[[FunctionSpec], LaunchConfig],
    ) -> None:
        self.spec = spec
        self._factory = factory
        self._launch_for = launch_for
        self._idle: list[tuple[ExecutionEnvironment, float]] = []
        self._busy: set[ExecutionEnvironment] = set()
        self._created = 0
        self._reaped = 0
        self._starting = 0
        self.retired = False
        self._provisioned: dict[ExecutionEnvironment, str] = {}  # environment -> its target
        self._provisioned_idle: list[ExecutionEnvironment] = []
        self.on_provisioned_lost: Callable[[str], None] | None = None
        self._average_ms = 0.0  # moving average of invocation durations
        self._slowest_ms = 0.0  # the slowest recent one (a maximum that decays)
        self._samples = 0

    def observe(self, duration_ms: float) -> None:
        """Note one invocation's duration. The queueing policy follows the average and
        the slowest recent one: a function that is quick on average but now and then
        slow (a cache miss, a call out) is not queued on, since whatever waits behind a
        slow invocation waits all of it. The slowest decays by 1 % a call, so one
        outlier (a first call's imports, a garbage collection) turns queueing off only
        for a few hundred calls."""
        self._slowest_ms = max(duration_ms, self._slowest_ms * _SLOWEST_DECAY)
        duration_ms = min(duration_ms, 2 * QUEUE_BELOW_MS)
        if self._samples < _SAMPLES_BEFORE_QUEUEING:
            self._samples += 1
            self._average_ms += (duration_ms - self._average_ms) / self._samples
        else:
            self._average_ms += (duration_ms - self._average_ms) * _AVERAGE_WEIGHT

    def take_queued(self, request: InvokeRequest) -> ExecutionEnvironment | None:
        """A running environment to queue ``request`` behind, when this function's
        invocations are short and enough environments already run them; else None."""
        if (
            not QUEUEING
            or not request.queueable
            or len(self._busy) + self._starting < HOT_ENVIRONMENTS  # (a burst: count starts)
            or self._samples < _SAMPLES_BEFORE_QUEUEING
            or self._average_ms >= QUEUE_BELOW_MS
            or self._slowest_ms > QUEUE_SLOWEST_MS
        ):
            return None
        depth = min(QUEUE_DEPTH_MAX, max(1, int(QUEUE_WAIT_MS / max(self._average_ms, 0.01))))
        best: ExecutionEnvironment | None = None
        for env in self._busy:
            waiting = env.in_flight
            if (
                waiting < depth
                and (best is None or waiting < best.in_flight)
                and env.queue_room(request)
            ):
                best = env
        return best

    def next_idle(self) -> ExecutionEnvironment | None:
        """The environment ``take_idle`` would take now, left where it is."""
        if self._provisioned_idle:
            return self._provisioned_idle[-1]
        if self._idle:
            return self._idle[-1][0]
        return None

    def take_idle(self) -> ExecutionEnvironment | None:
        """A warm environment: a provisioned one first, else the most recent on-demand one."""
        while self._provisioned_idle:
            env = self._provisioned_idle.pop()
            if env.alive:
                self._busy.add(env)
                return env
            self._lose(env)
        while self._idle:
            env, _ = self._idle.pop()
            if env.alive:
                self._busy.add(env)
                return env
            self._reaped += 1
        return None

    async def create(self, init_timeout_s: float) -> ExecutionEnvironment:
        """Start a new environment (a cold start), bounded by the init timeout.

        On timeout or cancellation the half-started environment is killed by the factory's
        cancellation handling; TimeoutError propagates to the invoker.
        """
        launch = self._launch_for(self.spec)
        self._starting += 1  # the pool is not empty while an environment is starting
        try:
            await self._factory.runtime_ready(self.spec)
            async with asyncio.timeout(init_timeout_s):
                env = await self._factory.create(launch)
        finally:
            self._starting -= 1
        self._created += 1
        self._busy.add(env)
        return env

    def release(self, env: ExecutionEnvironment) -> None:
        """Back to idle once its last invocation is answered (idempotent)."""
        if env not in self._busy:
            return
        self._busy.discard(env)
        if self.retired or not env.alive:
            self.discard(env)
            return
        if self._provisioned and env in self._provisioned:
            self._provisioned_idle.append(env)
            return
        self._idle.append((env, time.monotonic()))

    def discard(self, env: ExecutionEnvironment) -> None:
        self._busy.discard(env)
        self._kill(env)
        if env in self._provisioned:
            self._lose(env)

    # -- provisioned concurrency -----------------------------------------------------
    async def create_provisioned(self, target: str, init_timeout_s: float) -> None:
        """Start one pre-initialized environment for ``target`` and keep it idle.

        Raises what ``create`` raises (InitFailed, EnvironmentExited, TimeoutError).
        """
        launch = self._launch_for(self.spec)
        env_vars = {**launch.env, "AWS_LAMBDA_INITIALIZATION_TYPE": PROVISIONED_INIT}
        launch = dataclasses.replace(launch, env=env_vars)
        self._starting += 1
        try:
            await self._factory.runtime_ready(self.spec)
            async with asyncio.timeout(init_timeout_s):
                env = await self._factory.create(launch)
        finally:
            self._starting -= 1
        self._created += 1
        if self.retired:
            self._kill(env)
            return
        self._provisioned[env] = target
        self._provisioned_idle.append(env)

    def provisioned_count(self, target: str) -> int:
        """Live provisioned environments of ``target``, idle or busy."""
        return sum(1 for env, t in self._provisioned.items() if t == target and env.alive)

    def release_provisioned(self, target: str, keep: int = 0) -> None:
        """Shrink ``target`` to ``keep`` environments: idle ones die, busy ones become
        on-demand environments (reaped when idle long enough)."""
        surplus = self.provisioned_count(target) - keep
        if surplus <= 0:
            return
        for env in [e for e in self._provisioned_idle if self._provisioned[e] == target]:
            if surplus == 0:
                return
            self._provisioned_idle.remove(env)
            del self._provisioned[env]
            self._kill(env)
            surplus -= 1
        for env in [e for e, t in self._provisioned.items() if t == target]:
            if surplus == 0:
                return
            del self._provisioned[env]
            surplus -= 1

    def _lose(self, env: ExecutionEnvironment) -> None:
        """A provisioned environment died: forget it and tell the provisioner."""
        target = self._provisioned.pop(env, None)
        if target is not None and self.on_provisioned_lost is not None:
            self.on_provisioned_lost(target)

    def reap(self, keep_warm_s: float, now: float | None = None) -> int:
        """Kill environments idle longer than ``keep_warm_s``; returns how many."""
        now = time.monotonic() if now is None else now
        keep: list[tuple[ExecutionEnvironment, float]] = []
        reaped = 0
        for env, since in self._idle:
            if now - since >= keep_warm_s or not env.alive:
                self._kill(env)
                reaped += 1
            else:
                keep.append((env, since))
        self._idle = keep
        self._reaped += reaped
        for env in [e for e in self._provisioned_idle if not e.alive]:
            self._provisioned_idle.remove(env)
            self._lose(env)
        return reaped

    def retire(self) -> None:
        self.retired = True
        for env, _ in self._idle:
            self._kill(env)
        self._idle.clear()
        for env in self._provisioned_idle:
            self._kill(env)
        self._provisioned_idle.clear()
        for env in list(self._provisioned):
            self._lose(env)

    def busy(self) -> list[ExecutionEnvironment]:
        return list(self._busy)

    @property
    def empty(self) -> bool:
        return (
            not self._idle and not self._busy and not self._starting and not self._provisioned_idle
        )

    def statistics(self) -> PoolStatistics:
        return PoolStatistics(
            len(self._idle), len(self._busy), self._created, self._reaped, len(self._provisioned)
        )

    @staticmethod
    def _kill(env: ExecutionEnvironment) -> None:
        """Retire an idle environment (its extensions may hear SHUTDOWN first)."""
        with contextlib.suppress(Exception):
            env.retire()
