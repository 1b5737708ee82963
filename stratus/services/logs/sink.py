"""Where the runtime's log lines go: buffered, then appended to the store in batches.

Nobody waits for log lines, so they wait for company: events are buffered in memory and
flushed as one store write every ``interval`` seconds (or sooner when many pile up); the
log text itself is composed at flush time, after the invocations have answered, and an
invocation's lines go to the store together (SQLite keeps them as one row).
A warm invocation then costs no SQLite commit of its own. The price: a ``kill -9`` can
lose the last interval's log lines (never an acknowledged invocation, event or change);
a clean stop flushes everything.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from stratus.runtime.logs import InvocationLog
from stratus.services.logs.repository import LogStore

FLUSH_INTERVAL_S = 0.05
FLUSH_INVOCATIONS = 500

#: Called with (function id, stream, timestamp, lines) for a subscribed function.
LogTap = Callable[[str, str, int, list[str]], None]


class BufferedLogSink:
    def __init__(self, store: LogStore, *, interval: float = FLUSH_INTERVAL_S) -> None:
        self._store = store
        self._interval = interval
        self._pending: list[tuple[str, str, InvocationLog]] = []
        self._count = 0
        self._timer: asyncio.TimerHandle | None = None
        #: Functions whose log group has a subscription filter -> where their lines go
        #: too (the Logs component fills it); one dict lookup per invocation, at flush.
        self.taps: dict[str, LogTap] = {}

    def emit(self, function_name: str, stream: str, log: InvocationLog) -> None:
        self._pending.append((function_name, stream, log))
        self._count += 1
        if self._count >= FLUSH_INVOCATIONS:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._interval, self.flush)

    def flush(self) -> None:
        """Hand everything buffered to the store as one write (without waiting)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._pending:
            pending, self._pending, self._count = self._pending, [], 0
            # ``InvocationLog.events()`` as lines of one timestamp, without an object per
            # line: this runs on the loop, once per invocation.
            batch = []
            taps = self.taps
            for function_name, stream, log in pending:
                lines = log.text().splitlines()
                if "" in lines:  # blank lines are no events
                    lines = [line for line in lines if line]
                batch.append((function_name, stream, log.timestamp_ms, lines))
                tap = taps.get(function_name)
                if tap is not None:
                    tap(function_name, stream, log.timestamp_ms, lines)
            self._store.append_lines_nowait(batch)
