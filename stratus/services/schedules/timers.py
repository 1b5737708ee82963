"""One timer loop: keys with due times, a task sleeping until the earliest.

The schedules service and EventBridge's scheduled rules each own one. A timer never
fires early: the loop wakes at the earliest due time (or when a timer is set), and hands
every key whose time has come to ``fire``; ``fire`` persists the firing and the key's
next due time in one write, so a crash between the two cannot fire it twice or lose it.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Fire = Callable[[str, float], Awaitable[None]]


class TimerLoop:
    def __init__(self, fire: Fire, clock: Callable[[], float] = time.time) -> None:
        self._fire = fire
        self._clock = clock
        self._due: dict[str, float] = {}
        self._heap: list[tuple[float, int, str]] = []
        self._order = itertools.count()
        self._wake = asyncio.Event()
        self._paused = False

    def set(self, key: str, due: float | None) -> None:
        """(Re)arm ``key`` for ``due`` (epoch seconds); ``None`` disarms it."""
        if due is None:
            self._due.pop(key, None)
        else:
            self._due[key] = due
            heapq.heappush(self._heap, (due, next(self._order), key))
        self._wake.set()

    def due_of(self, key: str) -> float | None:
        return self._due.get(key)

    def pause(self) -> None:
        self._paused = True
        self._wake.set()

    async def run(self) -> None:
        while True:
            self._wake.clear()
            now = self._clock()
            while self._heap and not self._paused:
                due, _, key = self._heap[0]
                if self._due.get(key) != due:  # re-armed or disarmed since
                    heapq.heappop(self._heap)
                    continue
                if due > now:
                    break
                heapq.heappop(self._heap)
                del self._due[key]
                try:
                    await self._fire(key, due)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("timer %s failed to fire; retrying in 5 s", key)
                    self.set(key, self._clock() + 5.0)
                now = self._clock()
            delay = None if not self._heap or self._paused else max(self._heap[0][0] - now, 0.0)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._wake.wait()
