"""Log streams and their events: create, delete, list, PutLogEvents, and the reads
(GetLogEvents, FilterLogEvents) over every group, a function's or a caller's.

A group's events may come from several writers: its functions (their own keys in the
log store), other services and PutLogEvents (the group's own key). Event ids are the
store's, one sequence for all of them, so a group's events merge in store order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from stratus.services.logs.catalog import LogCatalog, now_ms
from stratus.services.logs.errors import (
    InvalidParameter,
    LogStreamNotFound,
    StreamAlreadyExists,
)
from stratus.services.logs.ingest import check_batch
from stratus.services.logs.patterns import CompiledPattern
from stratus.services.logs.records import LogStreamRecord
from stratus.services.logs.repository import StoredLogEvent
from stratus.services.logs.sqlite import SQLiteLogStore
from stratus.services.scope import Scope

#: Events read per store query while a pattern drops some (FilterLogEvents).
READ_CHUNK = 2000

#: Where PutLogEvents' accepted events go next: (scope, group, stream, events).
EventsListener = Callable[[Scope, str, str, list[StoredLogEvent]], None]


@dataclass(frozen=True, slots=True)
class StreamView:
    name: str
    created_ms: int
    first_ms: int | None
    last_ms: int | None
    last_ingestion_ms: int | None


@dataclass(frozen=True, slots=True)
class PutResult:
    next_token: str
    rejected: dict[str, int]


class LogStreams:
    def __init__(self, catalog: LogCatalog, events: SQLiteLogStore) -> None:
        self._catalog = catalog
        self._events = events
        self.listeners: list[EventsListener] = []
        self._sequence = 0

    async def create(self, scope: Scope, group: str, name: str) -> None:
        await self._catalog.require(scope, group)
        if name in self._catalog.stream_records(scope, group) or name in {
            s.name for s in await self._written_streams(scope, group)
        }:
            raise StreamAlreadyExists()
        record = LogStreamRecord(group, name, now_ms())
        await self._catalog.store.write(self._catalog.store.put_stream(scope, record))
        self._catalog.state.streams.setdefault((scope, group), {})[name] = record

    async def delete(self, scope: Scope, group: str, name: str) -> None:
        await self._catalog.require(scope, group)
        if name not in self._catalog.stream_records(scope, group):
            raise LogStreamNotFound()
        await self._catalog.store.write(self._catalog.store.delete_stream(scope, group, name))
        self._catalog.state.streams.get((scope, group), {}).pop(name, None)
        await self._events.delete_stream(self._catalog.own_key(scope, group), name)

    async def _written_streams(self, scope: Scope, group: str) -> list[StreamView]:
        """Streams with events, from every writer of the group."""
        found: list[StreamView] = []
        for key in self._catalog.keys(scope, group):
            for name, first, last, ingested in await self._events.stream_stats(key):
                found.append(StreamView(name, first, first, last, ingested))
        return found

    async def describe(
        self,
        scope: Scope,
        group: str,
        *,
        prefix: str | None = None,
        order_by: str | None = None,
        descending: bool = False,
    ) -> list[StreamView]:
        if prefix and order_by == "LastEventTime":
            raise InvalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.")
        views: dict[str, StreamView] = {}
        for view in await self._written_streams(scope, group):
            seen = views.get(view.name)
            if seen is not None:  # two functions of one group writing one stream name
                view = StreamView(
                    view.name,
                    min(seen.created_ms, view.created_ms),
                    min(seen.first_ms or 0, view.first_ms or 0),
                    max(seen.last_ms or 0, view.last_ms or 0),
                    max(seen.last_ingestion_ms or 0, view.last_ingestion_ms or 0),
                )
            views[view.name] = view
        for record in self._catalog.stream_records(scope, group).values():
            seen = views.get(record.name)
            views[record.name] = (
                StreamView(record.name, record.created_ms, None, None, None)
                if seen is None
                else replace(seen, created_ms=record.created_ms)
            )
        streams = sorted(views.values(), key=lambda s: s.name)
        if prefix:
            streams = [s for s in streams if s.name.startswith(prefix)]
        if order_by == "LastEventTime":
            streams.sort(key=lambda s: (s.last_ms or 0, s.name))
        if descending:
            streams.reverse()
        return streams

    # -- writing -----------------------------------------------------------------------
    async def put(
        self, scope: Scope, group: str, stream: str, events: list[tuple[int, str]]
    ) -> PutResult:
        await self._catalog.require(scope, group)
        self._catalog.require_stream(scope, group, stream)
        now = now_ms()
        accepted = check_batch(events, now, self._catalog.retention_start(scope, group))
        self._sequence += 1
        token = f"{now:020d}{self._sequence % 10**9:09d}"
        if not accepted.events:
            return PutResult(token, accepted.rejected)
        key = self._catalog.own_key(scope, group)
        ids = await self._events.append_events(
            key,
            stream,
            accepted.events,
            now,
            also=self._catalog.store.add_bytes(scope, group, accepted.bytes),
        )
        self._catalog.add_bytes(scope, group, accepted.bytes)
        self._catalog.view.mark_written(scope, group)
        stored = [
            StoredLogEvent(event_id, key, stream, ts, message, now)
            for event_id, (ts, message) in zip(ids, accepted.events, strict=True)
        ]
        for listener in self.listeners:
            listener(scope, group, stream, stored)
        return PutResult(token, accepted.rejected)

    # -- reading -----------------------------------------------------------------------
    async def read(
        self,
        scope: Scope,
        group: str,
        *,
        after_id: int = 0,
        start_ms: int | None = None,
        end_ms: int | None = None,
        stream: str | None = None,
        streams: list[str] | None = None,
        stream_prefix: str | None = None,
        pattern: CompiledPattern | None = None,
        limit: int = 10000,
    ) -> list[StoredLogEvent]:
        """Up to ``limit`` events of the group after ``after_id`` in store order, those
        the group's retention still keeps and that pass the filters."""
        keys = self._catalog.keys(scope, group)
        kept_from = self._catalog.retention_start(scope, group)
        if kept_from is not None:
            start_ms = kept_from if start_ms is None else max(start_ms, kept_from)
        wanted = set(streams) if streams else None

        def passes(event: StoredLogEvent) -> bool:
            if wanted is not None and event.stream not in wanted:
                return False
            if stream_prefix and not event.stream.startswith(stream_prefix):
                return False
            return pattern is None or pattern.matches(event.message)

        sieve = pattern.sieve if pattern is not None else None
        found: list[StoredLogEvent] = []
        for key in keys:
            cursor, taken = after_id, 0
            while True:
                chunk = await self._events.query(
                    key,
                    after_id=cursor,
                    start_ms=start_ms,
                    end_ms=end_ms,
                    stream=stream,
                    contains=sieve,
                    limit=READ_CHUNK,
                )
                kept = [e for e in chunk if passes(e)]
                found.extend(kept)
                taken += len(kept)
                if len(chunk) < READ_CHUNK or taken >= limit:
                    break
                cursor = chunk[-1].id
        found.sort(key=lambda event: event.id)
        return found[:limit]
