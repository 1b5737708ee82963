"""Live Tail sessions: the events arriving in some log groups, handed to a StartLiveTail
stream once a second, as CloudWatch Logs sends them.

A session names up to 10 groups, optionally streams (names or name prefixes, one group
only) and a filter pattern, applied as FilterLogEvents applies them. Events reach it from
the two ways events arrive: PutLogEvents (``offer``, a listener of the streams) and the
functions' log sink (``tap``, plugged into the sink's taps for functions whose group is
tailed, as subscriptions are). Nothing is stored: a session sees what arrives while it is
open, and ends with the client's connection, after three hours, or with the server.

AWS's limits: at most 500 events per update (beyond, a random sample of 500, with
``sampled``), at most 5,000 waiting for a client that reads slower than they come (the
oldest are dropped), at most 15 sessions of an account and region at once.
"""

from __future__ import annotations

import random
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from stratus.services.logs.catalog import now_ms
from stratus.services.logs.errors import LimitExceeded
from stratus.services.logs.patterns import CompiledPattern
from stratus.services.logs.repository import StoredLogEvent
from stratus.services.logs.sink import LogTap
from stratus.services.scope import Scope

__all__ = ["LiveTailSession", "LiveTails", "TailedEvent"]

#: Events one sessionUpdate carries at most (more are sampled down to this many).
MAX_UPDATE_EVENTS = 500
#: Events waiting for a slow client at most; beyond, the oldest are dropped.
MAX_WAITING_EVENTS = 5000
#: Sessions of an account and region open at once.
MAX_SESSIONS = 15


@dataclass(frozen=True, slots=True)
class TailedEvent:
    group: str  # as the session named it (a name or an ARN)
    stream: str
    timestamp_ms: int
    ingestion_ms: int
    message: str


@dataclass(eq=False, slots=True)
class LiveTailSession:
    scope: Scope
    #: group name -> the identifier the caller gave for it (events carry that one).
    groups: dict[str, str]
    stream_names: frozenset[str]
    stream_prefixes: tuple[str, ...]
    pattern: CompiledPattern
    session_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    _waiting: deque[TailedEvent] = field(default_factory=lambda: deque(maxlen=MAX_WAITING_EVENTS))

    def wants(self, stream: str) -> bool:
        if self.stream_names:
            return stream in self.stream_names
        if self.stream_prefixes:
            return stream.startswith(self.stream_prefixes)
        return True

    def add(self, group: str, stream: str, events: Iterable[tuple[int, int, str]]) -> None:
        if not self.wants(stream):
            return
        identifier = self.groups[group]
        matches = self.pattern.matches
        self._waiting.extend(
            TailedEvent(identifier, stream, ts, ingested, message)
            for ts, ingested, message in events
            if matches(message)
        )

    def take(self) -> tuple[list[TailedEvent], bool]:
        """What arrived since the last update: at most 500 (a sample, in arrival order,
        and True when more came)."""
        events = list(self._waiting)
        self._waiting.clear()
        if len(events) <= MAX_UPDATE_EVENTS:
            return events, False
        chosen = sorted(random.sample(range(len(events)), MAX_UPDATE_EVENTS))
        return [events[i] for i in chosen], True


class LiveTails:
    """The open sessions, by the groups they tail."""

    def __init__(self) -> None:
        self._by_group: dict[tuple[Scope, str], list[LiveTailSession]] = {}
        self._count: dict[Scope, int] = {}
        #: Called when the set of tailed groups changes (the functions' taps follow it).
        self.on_change: list[Callable[[], None]] = []

    def open(
        self,
        scope: Scope,
        groups: dict[str, str],
        stream_names: Iterable[str],
        stream_prefixes: Iterable[str],
        pattern: CompiledPattern,
    ) -> LiveTailSession:
        """A session (StartLiveTail checked the limit when it answered: the stream opens
        the session a moment later, and must not fail then)."""
        session = LiveTailSession(
            scope, groups, frozenset(stream_names), tuple(stream_prefixes), pattern
        )
        self._count[scope] = self._count.get(scope, 0) + 1
        for group in groups:
            self._by_group.setdefault((scope, group), []).append(session)
        self._changed()
        return session

    def check(self, scope: Scope) -> None:
        """LimitExceeded when the account and region have all the sessions AWS allows."""
        if self._count.get(scope, 0) >= MAX_SESSIONS:
            raise LimitExceeded(
                f"You have reached the maximum of {MAX_SESSIONS} concurrent Live Tail sessions."
            )

    def close(self, session: LiveTailSession) -> None:
        for group in session.groups:
            sessions = self._by_group.get((session.scope, group), [])
            if session in sessions:
                sessions.remove(session)
                if not sessions:
                    del self._by_group[(session.scope, group)]
        self._count[session.scope] -= 1
        self._changed()

    def tailed(self) -> list[tuple[Scope, str]]:
        return list(self._by_group)

    def _changed(self) -> None:
        for callback in self.on_change:
            callback()

    # -- taking events -------------------------------------------------------------------
    def offer(self, scope: Scope, group: str, stream: str, events: list[StoredLogEvent]) -> None:
        """PutLogEvents' accepted events."""
        sessions = self._by_group.get((scope, group))
        if sessions:
            batch = [(e.timestamp_ms, e.ingestion_ms, e.message) for e in events]
            for session in sessions:
                session.add(group, stream, batch)

    def tap(self, scope: Scope, group: str) -> LogTap:
        """Where a tailed function's log lines go too (the sink calls it at flush)."""

        def tap(_function_id: str, stream: str, timestamp: int, lines: list[str]) -> None:
            sessions = self._by_group.get((scope, group))
            if sessions:
                ingested = now_ms()
                batch = [(timestamp, ingested, line) for line in lines]
                for session in sessions:
                    session.add(group, stream, batch)

        return tap
