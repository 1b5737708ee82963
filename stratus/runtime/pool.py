"""A pool of execution environments for one function version (one ``FunctionSpec.key``).

The pool scales out on demand (a cold start whenever no idle environment is free) and
back to zero: environments idle longer than the keep-warm period are reaped. The most
recently used idle environment is reused first, so a light load keeps few of them warm.
A pool whose function changed is retired: idle environments die at once, busy ones when
their invocation ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from stratus.runtime.environment import (
    EnvironmentFactory,
    ExecutionEnvironment,
    FunctionSpec,
    LaunchConfig,
)


@dataclass(frozen=True, slots=True)
class PoolStatistics:
    idle: int
    busy: int
    created: int
    reaped: int


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

    def take_idle(self) -> ExecutionEnvironment | None:
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
            async with asyncio.timeout(init_timeout_s):
                env = await self._factory.create(launch)
        finally:
            self._starting -= 1
        self._created += 1
        self._busy.add(env)
        return env

    def release(self, env: ExecutionEnvironment) -> None:
        self._busy.discard(env)
        if self.retired or not env.alive:
            self._kill(env)
            return
        self._idle.append((env, time.monotonic()))

    def discard(self, env: ExecutionEnvironment) -> None:
        self._busy.discard(env)
        self._kill(env)

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
        return reaped

    def retire(self) -> None:
        self.retired = True
        for env, _ in self._idle:
            self._kill(env)
        self._idle.clear()

    def busy(self) -> list[ExecutionEnvironment]:
        return list(self._busy)

    @property
    def empty(self) -> bool:
        return not self._idle and not self._busy and not self._starting

    def statistics(self) -> PoolStatistics:
        return PoolStatistics(len(self._idle), len(self._busy), self._created, self._reaped)

    @staticmethod
    def _kill(env: ExecutionEnvironment) -> None:
        with contextlib.suppress(Exception):
            env.kill()
