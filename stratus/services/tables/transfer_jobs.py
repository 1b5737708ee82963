"""The task group exports and imports run in: jobs queued by requests, run by the tables
component's background task, so a request answers IN_PROGRESS at once and no job outlives
the server's shutdown."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


class TransferJobs:
    def __init__(self) -> None:
        self._queue: asyncio.Queue[Job] = asyncio.Queue()

    def submit_nowait(self, job: Job) -> None:
        self._queue.put_nowait(job)

    async def run(self) -> None:
        async with asyncio.TaskGroup() as group:
            while True:
                job = await self._queue.get()
                group.create_task(_guarded(job))


async def _guarded(job: Job) -> None:
    try:
        await job()
    except Exception:  # a job records its own failure; this is a bug, logged
        log.exception("tables transfer job failed")
