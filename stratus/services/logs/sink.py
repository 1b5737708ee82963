"""Where the runtime's log lines go: buffered, then appended to the store in batches.

Nobody waits for log lines, so they wait for company: events are buffered in memory and
flushed as one store write every ``interval`` seconds (or sooner when many pile up).
A warm invocation then costs no SQLite commit of its own. The price: a ``kill -9`` can
lose the last interval's log lines (never an acknowledged invocation, event or change);
a clean stop flushes everything.
"""

from __future__ import annotations

import asyncio

from stratus.runtime.logs import LogEvent
from stratus.store.interfaces import LogStore

FLUSH_INTERVAL_S = 0.05
FLUSH_EVENTS = 2000


class BufferedLogSink:
    def __init__(self, store: LogStore, *, interval: float = FLUSH_INTERVAL_S) -> None:
        self._store = store
        self._interval = interval
        self._pending: list[tuple[str, str, list[tuple[int, str]]]] = []
        self._count = 0
        self._timer: asyncio.TimerHandle | None = None

    def emit(self, function_name: str, stream: str, events: list[LogEvent]) -> None:
        self._pending.append((function_name, stream, [(e.timestamp_ms, e.message) for e in events]))
        self._count += len(events)
        if self._count >= FLUSH_EVENTS:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._interval, self.flush)

    def flush(self) -> None:
        """Hand everything buffered to the store as one write (without waiting)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._pending:
            batch, self._pending, self._count = self._pending, [], 0
            self._store.append_batch_nowait(batch)
