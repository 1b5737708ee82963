"""How many connections the servers keep open, and which one gives way when there are too many.

Idle connections cost a client nothing to open and the server a descriptor each: left
unbounded, some thousands of them exhaust the process's descriptors and with them
everything else the server does. So the count is capped, across both ports. At the cap a
new connection does not simply bounce (that would let whoever holds the slots shut every
other client out): the connection idle for longest gives way, as nginx reclaims keep-alive
connections. Idle means no whole request of it is being answered: waiting for a head,
part way through a head or a body, or kept alive between requests. Only when every
connection is busy with a request it has sent in full is the newcomer refused: holding a
slot then costs a client a request the server is working on, which the other limits
(concurrency, timeouts) bound.

The guard also enforces the connections' read deadlines: once a second it expires the
idle connections whose head or body is late (only idle ones can be reading). One sweep
for the server costs less than a timer per request, at the price of a second's slack.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Protocol

SWEEP_S = 1.0


class Evictable(Protocol):
    #: When what the connection is reading must be complete (loop time); 0: no deadline.
    deadline: float

    def evict(self) -> None:
        """Close the connection now, answering nothing."""

    def expire(self) -> None:
        """The deadline passed: refuse what is being read and close."""


@dataclass(frozen=True, slots=True)
class ConnectionStatistics:
    open: int
    idle: int
    evicted: int  # idle connections closed to make room, since start
    refused: int  # connections refused because all were busy, since start
    expired: int  # connections whose head or body came too late, since start


class ConnectionGuard:
    """The open connections of both servers, the idle ones in the order they went idle."""

    def __init__(self, max_connections: int) -> None:
        self.max_connections = max_connections
        self._open: set[Evictable] = set()
        self._idle: dict[Evictable, None] = {}  # insertion order: longest idle first
        self._evicted = 0
        self._refused = 0
        self._expired = 0
        self._sweep: asyncio.TimerHandle | None = None

    def admit(self, conn: Evictable) -> bool:
        """Count a new connection in, making room if need be; False: refuse it."""
        if len(self._open) >= self.max_connections:
            if not self._idle:
                self._refused += 1
                return False
            oldest = next(iter(self._idle))
            self.release(oldest)
            self._evicted += 1
            oldest.evict()
        self._open.add(conn)
        self._idle[conn] = None
        if self._sweep is None:
            self._sweep = asyncio.get_running_loop().call_later(SWEEP_S, self._expire_late)
        return True

    def busy(self, conn: Evictable) -> None:
        """A request of ``conn`` is being answered: it may not be evicted."""
        self._idle.pop(conn, None)

    def idle(self, conn: Evictable) -> None:
        """``conn`` has no request in hand any more: it is now the newest idle one."""
        if conn in self._open:
            self._idle.pop(conn, None)
            self._idle[conn] = None

    def release(self, conn: Evictable) -> None:
        """``conn`` is closed (or being closed): it no longer counts."""
        self._open.discard(conn)
        self._idle.pop(conn, None)

    def close(self) -> None:
        """Stop sweeping (the servers are gone)."""
        if self._sweep is not None:
            self._sweep.cancel()
            self._sweep = None

    def _expire_late(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        late = [conn for conn in self._idle if 0.0 < conn.deadline <= now]
        for conn in late:
            self._expired += 1
            conn.expire()
        self._sweep = loop.call_later(SWEEP_S, self._expire_late) if self._open else None

    def statistics(self) -> ConnectionStatistics:
        return ConnectionStatistics(
            len(self._open), len(self._idle), self._evicted, self._refused, self._expired
        )
