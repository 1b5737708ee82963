"""Lines other services send to a CloudWatch Logs group by ARN (API Gateway's access
logs), buffered off the request path and appended to the log service in batches.

Flushed every ``FLUSH_INTERVAL_S`` or at ``FLUSH_LINES``, whichever comes first, like the
functions' log sink: a request only appends to a list.
"""

from __future__ import annotations

import asyncio

from stratus.services.logs.service import LogService
from stratus.services.scope import Scope

FLUSH_INTERVAL_S = 0.05
FLUSH_LINES = 1000


def group_of_arn(arn: str) -> tuple[Scope, str] | None:
    """``(scope, group)`` of ``arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:*]``; None
    when it is not a log group's ARN."""
    parts = arn.split(":", 6)
    if len(parts) != 7 or parts[:3] != ["arn", "aws", "logs"] or parts[5] != "log-group":
        return None
    group = parts[6]
    if group.endswith(":*"):
        group = group[:-2]
    return (Scope(parts[4], parts[3]), group) if group else None


class LogGroupWriter:
    def __init__(self, logs: LogService, *, interval: float = FLUSH_INTERVAL_S) -> None:
        self._logs = logs
        self._interval = interval
        self._pending: dict[tuple[str, str], list[tuple[int, str]]] = {}
        self._count = 0
        self._timer: asyncio.TimerHandle | None = None
        self._arns: dict[str, tuple[Scope, str] | None] = {}

    def emit(self, arn: str, stream: str, timestamp_ms: int, line: str) -> None:
        """Queue one line for the group ``arn`` names (a bad ARN's lines are dropped)."""
        self._pending.setdefault((arn, stream), []).append((timestamp_ms, line))
        self._count += 1
        if self._count >= FLUSH_LINES:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._interval, self.flush)

    def _target(self, arn: str) -> tuple[Scope, str] | None:
        if arn not in self._arns:
            if len(self._arns) >= 4096:
                self._arns.clear()
            self._arns[arn] = group_of_arn(arn)
        return self._arns[arn]

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        pending, self._pending, self._count = self._pending, {}, 0
        batch = []
        for (arn, stream), events in pending.items():
            target = self._target(arn)
            if target is not None:
                batch.append((target[0], target[1], stream, events))
        self._logs.append_batch(batch)
