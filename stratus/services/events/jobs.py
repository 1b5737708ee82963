"""Background jobs the bus starts from API calls (a replay, a connection's OAuth
authorization), owned by one task group that the component's lifespan runs: an
operation answers at once and the job goes on; a job's failure is logged, never lost in
a bare task."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


class Jobs:
    def __init__(self) -> None:
        self._queue: asyncio.Queue[tuple[str, Job]] = asyncio.Queue()

    def submit(self, name: str, job: Job) -> None:
        self._queue.put_nowait((name, job))

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tasks:
            while True:
                name, job = await self._queue.get()
                tasks.create_task(self._guarded(name, job), name=name)

    @staticmethod
    async def _guarded(name: str, job: Job) -> None:
        try:
            await job()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("events job %s failed", name)
