"""Long-poll wake-ups: receivers waiting on a queue, woken when messages arrive.

A waiter is a future in a FIFO list; a send of n messages wakes the n oldest waiters
(each then tries to receive, and waits again if another took the message first). A
waiter that is woken but leaves anyway (its client went away, its time ran out at the
same moment) passes its wake-up on, so no message sits unseen while someone waits. A
wake-up with nobody waiting is not kept: a later waiter looks at the queue first.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque

__all__ = ["Waiters"]


class Waiters:
    def __init__(self) -> None:
        self._waiting: deque[asyncio.Future[None]] = deque()

    def __len__(self) -> int:
        return len(self._waiting)

    def wake(self, count: int = 1) -> None:
        """Wake up to ``count`` waiters, oldest first."""
        while count > 0 and self._waiting:
            future = self._waiting.popleft()
            if not future.done():
                future.set_result(None)
                count -= 1

    def wake_all(self) -> None:
        self.wake(len(self._waiting))

    async def wait(self, timeout: float) -> bool:
        """Wait until woken (``True``) or ``timeout`` seconds pass (``False``)."""
        if timeout <= 0:
            return False
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(future)
        try:
            async with asyncio.timeout(timeout):
                await asyncio.shield(future)
            return True
        except TimeoutError:
            if future.done():  # woken as the time ran out: take the wake-up
                return True
            self._leave(future)
            return False
        except asyncio.CancelledError:
            if future.done():  # woken, but our caller is gone: the next waiter takes it
                self.wake(1)
            else:
                self._leave(future)
            raise

    def _leave(self, future: asyncio.Future[None]) -> None:
        future.cancel()
        with contextlib.suppress(ValueError):
            self._waiting.remove(future)
