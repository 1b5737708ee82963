"""Provisioned concurrency: keep N pre-initialized environments of a target warm.

A *target* is an opaque name the functions service chooses (one per version or alias with
a provisioned concurrency config). For each, one task owned by :meth:`Provisioner.run`
keeps the target's pool holding exactly the requested number of provisioned environments:
it creates the missing ones (their init runs now, not on the first invoke), shrinks on a
lower request, follows the target to another version when ``resolve`` answers a new spec
(an alias repointed), replaces an environment that dies, and stops when unprovisioned.

The task sleeps on an event between changes, so a provisioned target costs nothing on the
invoke path: the pool hands its environments out first (``EnvironmentPool.take_idle``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from stratus.runtime.environment import EnvironmentExited, FunctionSpec, InitFailed
from stratus.runtime.pool import EnvironmentPool

log = logging.getLogger(__name__)

# What Lambda reports as a provisioned concurrency config's StatusReason when the
# function's init fails while environments are allocated.
INIT_FAILURE = "FUNCTION_ERROR_INIT_FAILURE"

SpecSource = Callable[[], Awaitable[FunctionSpec]]


@dataclass(frozen=True, slots=True)
class ProvisionStatistics:
    requested: int
    allocated: int  # live pre-initialized environments (idle or busy)
    failure: str | None  # set when allocation gave up (init failed)


@dataclass(slots=True)
class _Provision:
    target: str
    count: int
    resolve: SpecSource
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    spec: FunctionSpec | None = None
    failure: str | None = None
    stopped: bool = False
    task: asyncio.Task[None] | None = None


class Provisioner:
    """Owns one allocation task per provisioned target (see the module docstring)."""

    def __init__(
        self,
        pool_for: Callable[[FunctionSpec], EnvironmentPool],
        existing_pool: Callable[[FunctionSpec], EnvironmentPool | None],
        init_timeout_s: float,
    ) -> None:
        self._pool_for = pool_for
        self._existing_pool = existing_pool
        self._init_timeout_s = init_timeout_s
        self._provisions: dict[str, _Provision] = {}
        self._tasks: asyncio.TaskGroup | None = None

    def provision(self, target: str, count: int, resolve: SpecSource) -> None:
        """Keep ``count`` environments of the spec ``resolve`` returns for ``target``.

        Calling it again changes the count or the spec source and retries after a failure.
        """
        provision = self._provisions.get(target)
        if provision is None:
            provision = self._provisions[target] = _Provision(target, count, resolve)
            self._start(provision)
        provision.count = count
        provision.resolve = resolve
        provision.failure = None
        provision.wake.set()

    def unprovision(self, target: str) -> None:
        """Stop keeping ``target`` warm and release its environments."""
        provision = self._provisions.pop(target, None)
        if provision is None:
            return
        provision.stopped = True
        provision.wake.set()
        if provision.spec is not None:
            pool = self._existing_pool(provision.spec)
            if pool is not None:
                pool.release_provisioned(target)

    def refresh(self, target: str) -> None:
        """Re-resolve ``target``'s spec (its alias may point elsewhere now)."""
        provision = self._provisions.get(target)
        if provision is not None:
            provision.wake.set()

    def lost(self, target: str) -> None:
        """A provisioned environment of ``target`` died: replace it."""
        self.refresh(target)

    def statistics(self, target: str) -> ProvisionStatistics | None:
        provision = self._provisions.get(target)
        if provision is None:
            return None
        allocated = 0
        if provision.spec is not None:
            pool = self._existing_pool(provision.spec)
            if pool is not None:
                allocated = pool.provisioned_count(target)
        return ProvisionStatistics(
            provision.count, min(allocated, provision.count), provision.failure
        )

    def targets(self) -> list[str]:
        return list(self._provisions)

    async def run(self) -> None:
        """Own the allocation tasks until cancelled (the invoker's background duties)."""
        async with asyncio.TaskGroup() as tasks:
            self._tasks = tasks
            for provision in self._provisions.values():
                self._start(provision)
            try:
                await asyncio.Future()  # until cancelled
            finally:
                self._tasks = None

    def _start(self, provision: _Provision) -> None:
        if self._tasks is None or provision.task is not None:
            return  # started by ``run``
        provision.task = self._tasks.create_task(
            self._keep(provision), name=f"provision-{provision.target}"
        )

    async def _keep(self, provision: _Provision) -> None:
        """The allocation loop of one target. It must never raise: a task failing in the
        group would cancel the invoker's other background duties with it."""
        while not provision.stopped:
            provision.wake.clear()
            try:
                await self._step(provision)
            except Exception:
                log.exception("provisioning %s failed", provision.target)
                provision.failure = INIT_FAILURE
            else:
                if provision.wake.is_set() or provision.stopped:
                    continue  # more to do at once (after an allocation, or a new request)
            await provision.wake.wait()

    async def _step(self, provision: _Provision) -> None:
        """One reconciliation: follow the spec, then grow or shrink to the count."""
        try:
            spec = await provision.resolve()
        except Exception:  # the target is gone; its owner unprovisions it
            log.debug("provisioned target %s no longer resolves", provision.target)
            return
        if provision.stopped:
            return
        if provision.spec is not None and provision.spec.key != spec.key:
            old = self._existing_pool(provision.spec)
            if old is not None:
                old.release_provisioned(provision.target)
        provision.spec = spec
        pool = self._pool_for(spec)
        have = pool.provisioned_count(provision.target)
        if have > provision.count:
            pool.release_provisioned(provision.target, provision.count)
        elif have < provision.count and provision.failure is None:
            await self._allocate(provision, pool, provision.count - have)
            provision.wake.set()  # look again: an environment may have died meanwhile

    async def _allocate(self, provision: _Provision, pool: EnvironmentPool, missing: int) -> None:
        """Create ``missing`` environments at once; the first init failure fails the config."""
        results = await asyncio.gather(
            *(
                pool.create_provisioned(provision.target, self._init_timeout_s)
                for _ in range(missing)
            ),
            return_exceptions=True,
        )
        for result in results:
            if isinstance(result, InitFailed | EnvironmentExited | TimeoutError):
                provision.failure = INIT_FAILURE
            elif isinstance(result, BaseException):
                log.error("provisioning %s failed", provision.target, exc_info=result)
                provision.failure = INIT_FAILURE
        if provision.stopped and provision.target not in self._provisions:
            pool.release_provisioned(provision.target)
