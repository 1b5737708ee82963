"""The durable delivery loop: pending deliveries wait in a heap by due time; each due one
is attempted as a task of the loop's own task group, and its courier's verdict says
whether it is finished or when it runs again.

- At most ``max_in_flight`` attempts run at once, so one endpoint that never answers
  holds one slot for its timeout and nothing else.
- With ``per_endpoint``, an endpoint (the courier's ``endpoint``, e.g. a subscription)
  has at most that many attempts in flight; its further due deliveries wait in its own
  backlog, so a slow endpoint cannot starve the others.
- FIFO lanes (the courier's ``lane``): while one delivery of a lane is in flight or
  waiting for its next attempt, the lane's next ones wait behind it, in order.
- An attempt that raises is a bug of ours, not the endpoint's: it is logged and tried
  again after ``unexpected_retry_s``, keeping its lane, rather than lost.

Nothing here touches the store: the rows stay in each service's own tables, and the
courier deletes or rewrites a row before it answers, so a restart (``kill -9``) resumes
every delivery where it was, at least once.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Generic

from stratus.services.outbox.courier import Again, Courier, Settled, T, Verdict

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OutboxStatistics:
    pending: int
    in_flight: int
    delivered: int
    retried: int
    dead_lettered: int
    dropped: int


class OutboxLoop(Generic[T]):
    def __init__(
        self,
        courier: Courier[T],
        *,
        max_in_flight: int,
        per_endpoint: int | None = None,
        unexpected_retry_s: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._courier = courier
        self._clock = clock
        self._unexpected_retry_s = unexpected_retry_s
        self._heap: list[tuple[float, int, T]] = []
        self._order = itertools.count()
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(max_in_flight)
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._paused = False
        self._per_endpoint = per_endpoint
        self._busy: dict[Hashable, int] = {}
        self._backlog: dict[Hashable, deque[T]] = {}
        self._lane_owner: dict[Hashable, T] = {}
        self._lanes: dict[Hashable, deque[T]] = {}
        self._counts = {"delivered": 0, "retried": 0, "dead_lettered": 0, "dropped": 0}

    # -- intake (sync: producers call it after their commit) ---------------------------
    def enqueue(self, items: Iterable[T]) -> None:
        for item in items:
            self._push(item)
        self._wake.set()

    def pause(self) -> None:
        """Start no new attempt (shutdown); pending rows stay for the next start."""
        self._paused = True
        self._wake.set()

    async def wait_idle(self) -> None:
        await self._idle.wait()

    def statistics(self) -> OutboxStatistics:
        return OutboxStatistics(
            pending=len(self._heap)
            + sum(len(lane) for lane in self._lanes.values())
            + sum(len(backlog) for backlog in self._backlog.values()),
            in_flight=self._in_flight,
            **self._counts,
        )

    # -- the loop ----------------------------------------------------------------------
    async def run(self) -> None:
        async with asyncio.TaskGroup() as tasks:
            while True:
                self._wake.clear()
                while self._heap and self._heap[0][0] <= self._clock() and not self._paused:
                    _, _, item = heapq.heappop(self._heap)
                    endpoint = self._take_endpoint(item)
                    if endpoint is False:
                        continue
                    lane = self._courier.lane(item)
                    if lane is not None and not self._take_lane(lane, item):
                        continue
                    if endpoint is not None:
                        self._busy[endpoint] = self._busy.get(endpoint, 0) + 1
                    await self._slots.acquire()
                    self._in_flight += 1
                    self._idle.clear()
                    tasks.create_task(self._attempt(item, lane, endpoint))
                delay = None
                if self._heap and not self._paused:
                    delay = max(self._heap[0][0] - self._clock(), 0.0)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(delay):
                        await self._wake.wait()

    def _push(self, item: T) -> None:
        heapq.heappush(self._heap, (item.due, next(self._order), item))

    def _take_endpoint(self, item: T) -> Hashable | bool | None:
        """The endpoint ``item`` counts against (None: uncapped), or False when the
        endpoint is at its cap and ``item`` waits in its backlog."""
        if self._per_endpoint is None:
            return None
        endpoint = self._courier.endpoint(item)
        if endpoint is None:
            return None
        if self._busy.get(endpoint, 0) >= self._per_endpoint:
            self._backlog.setdefault(endpoint, deque()).append(item)
            return False
        return endpoint

    def _release_endpoint(self, endpoint: Hashable) -> None:
        """One attempt of ``endpoint`` ended: the next of its backlog may run."""
        busy = self._busy.get(endpoint, 1) - 1
        if busy:
            self._busy[endpoint] = busy
        else:
            self._busy.pop(endpoint, None)
        waiting = self._backlog.get(endpoint)
        if waiting:
            following = waiting.popleft()
            if not waiting:
                del self._backlog[endpoint]
            self._push(following)
            self._wake.set()

    def _take_lane(self, lane: Hashable, item: T) -> bool:
        """Whether ``item`` may start now; if not it waits behind its lane's head."""
        owner = self._lane_owner.get(lane)
        if owner is None or owner is item:
            self._lane_owner[lane] = item
            return True
        self._lanes.setdefault(lane, deque()).append(item)
        return False

    def _release_lane(self, lane: Hashable, item: T) -> None:
        if self._lane_owner.get(lane) is not item:
            return
        waiting = self._lanes.get(lane)
        if waiting:
            following = waiting.popleft()
            if not waiting:
                del self._lanes[lane]
            self._lane_owner[lane] = following
            self._push(following)
            self._wake.set()
        else:
            del self._lane_owner[lane]

    async def _attempt(self, item: T, lane: Hashable | None, endpoint: Hashable | None) -> None:
        keep_lane = False
        try:
            verdict = await self._verdict(item)
            if isinstance(verdict, Settled):
                self._counts[verdict.outcome] += 1
            else:
                if verdict.retry:
                    self._counts["retried"] += 1
                keep_lane = verdict.keep_lane
                item.due = verdict.at
                self._push(item)
                self._wake.set()
        finally:
            if lane is not None and not keep_lane:
                self._release_lane(lane, item)
            if endpoint is not None:
                self._release_endpoint(endpoint)
            self._in_flight -= 1
            self._slots.release()
            if self._in_flight == 0:
                self._idle.set()

    async def _verdict(self, item: T) -> Verdict:
        try:
            return await self._courier.attempt(item)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("delivery %s failed unexpectedly", self._courier.describe(item))
            return Again(self._clock() + self._unexpected_retry_s)
