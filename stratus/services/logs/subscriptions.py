"""Subscription filters' deliveries: a group's matching events, sent to a Lambda
function as CloudWatch Logs sends them, asynchronously (an Event invocation) and in
batches, each the event AWS documents:

    {"awslogs": {"data": base64(gzip({"messageType": "DATA_MESSAGE", "owner": ...,
        "logGroup": ..., "logStream": ..., "subscriptionFilters": [name],
        "logEvents": [{"id": ..., "timestamp": ..., "message": ...}]}))}}

Writers never wait for a delivery: ``offer`` (PutLogEvents) and the functions' log sink
(through ``taps``, a dict it checks per invocation: only functions whose group has a
subscription are in it) append to a bounded backlog; ``run`` batches it per stream and
filter and invokes, ``MAX_IN_FLIGHT`` at once. A destination that fails (deleted, no
longer a function) costs its own batch only: the failure is logged and counted, and the
other deliveries go on. The backlog lives in memory: events accepted but not yet handed
to Lambda's durable queue are lost by a ``kill -9`` (AWS keeps them up to 24 hours).
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import itertools
import json
import logging
from collections import deque
from dataclasses import dataclass, field

from stratus.services.aws_calls import AwsCaller
from stratus.services.logs.catalog import LogCatalog
from stratus.services.logs.patterns import CompiledPattern, compile_pattern
from stratus.services.logs.repository import StoredLogEvent
from stratus.services.logs.service import LogService
from stratus.services.logs.sink import LogTap
from stratus.services.scope import Scope

log = logging.getLogger(__name__)

#: How long the backlog gathers events before a round of deliveries (AWS batches too).
BATCH_WINDOW_S = 0.2
#: Deliveries (invocations being queued) at once.
MAX_IN_FLIGHT = 16
#: Events waiting at most; beyond, the oldest batches are dropped (and counted).
MAX_BACKLOG_EVENTS = 200_000
#: Uncompressed JSON per delivery: far enough under Lambda's Event payload bound
#: (1 MB) that base64 of gzip of it fits even when nothing compresses.
MAX_DELIVERY_BYTES = 600_000

Event = tuple[str, int, str]  # id, timestamp, message


@dataclass(slots=True)
class _Batch:
    scope: Scope
    group: str
    stream: str
    filter_name: str
    destination: str
    events: list[Event] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DeliveryStatistics:
    delivered_batches: int
    failed_batches: int
    dropped_events: int
    backlog_events: int


def payload(account: str, batch: _Batch) -> bytes:
    """The invocation's event, as AWS builds it."""
    document = {
        "messageType": "DATA_MESSAGE",
        "owner": account,
        "logGroup": batch.group,
        "logStream": batch.stream,
        "subscriptionFilters": [batch.filter_name],
        "logEvents": [{"id": i, "timestamp": ts, "message": m} for i, ts, m in batch.events],
    }
    data = gzip.compress(json.dumps(document, separators=(",", ":")).encode())
    return json.dumps({"awslogs": {"data": base64.b64encode(data).decode()}}).encode()


def _split(events: list[Event]) -> list[list[Event]]:
    parts: list[list[Event]] = [[]]
    size = 0
    for event in events:
        weight = len(event[2]) * 2 + 80  # JSON escapes at most double a message's text
        if parts[-1] and size + weight > MAX_DELIVERY_BYTES:
            parts.append([])
            size = 0
        parts[-1].append(event)
        size += weight
    return parts


class SubscriptionDelivery:
    def __init__(self, catalog: LogCatalog, view: LogService, calls: AwsCaller) -> None:
        self._catalog = catalog
        self._view = view
        self._calls = calls
        #: function id -> tap; shared with the functions' log sink (mutated in place).
        self.taps: dict[str, LogTap] = {}
        self._patterns: dict[str, CompiledPattern] = {}
        self._backlog: deque[_Batch] = deque()
        self._backlog_events = 0
        self._wake = asyncio.Event()
        self._ids = itertools.count(1)
        self._delivered = 0
        self._failed = 0
        self._dropped = 0

    def statistics(self) -> DeliveryStatistics:
        return DeliveryStatistics(
            self._delivered, self._failed, self._dropped, self._backlog_events
        )

    # -- who is subscribed -----------------------------------------------------------
    def rebuild_taps(self, *_args: object) -> None:
        """Recompute which functions' logs are subscribed (a subscription or a function
        changed); the sink sees the result at its next flush."""
        taps: dict[str, LogTap] = {}
        for (scope, group), filters in self._catalog.state.subscriptions.items():
            if not filters:
                continue
            for function_id in self._view.function_ids_of(scope, group):
                taps[function_id] = self._tap(scope, group)
        self.taps.clear()
        self.taps.update(taps)

    def _tap(self, scope: Scope, group: str) -> LogTap:
        def tap(_function_id: str, stream: str, timestamp: int, lines: list[str]) -> None:
            # Lines of a function have no store id yet (written without waiting): each
            # delivered event gets an id of its own, unique and increasing.
            try:
                events = [(f"{timestamp}{next(self._ids):020d}", timestamp, m) for m in lines]
                self._offer(scope, group, stream, events)
            except Exception:  # a bug of ours must not cost the function its log
                log.exception("log subscription of %s: events not offered", group)

        return tap

    # -- taking events ---------------------------------------------------------------
    def offer(self, scope: Scope, group: str, stream: str, events: list[StoredLogEvent]) -> None:
        """PutLogEvents' accepted events (with their store ids), for the group's filters."""
        if self._catalog.state.subscriptions.get((scope, group)):
            self._offer(
                scope, group, stream, [(str(e.id), e.timestamp_ms, e.message) for e in events]
            )

    def _pattern(self, text: str) -> CompiledPattern:
        compiled = self._patterns.get(text)
        if compiled is None:
            compiled = self._patterns[text] = compile_pattern(text)
        return compiled

    def _offer(self, scope: Scope, group: str, stream: str, events: list[Event]) -> None:
        for record in self._catalog.state.subscriptions.get((scope, group), {}).values():
            if not record.destination_arn.startswith("arn:aws:lambda:"):
                continue  # a log destination: its Kinesis or Firehose target is not served
            pattern = self._pattern(record.pattern)
            matched = [e for e in events if pattern.matches(e[2])]
            if not matched:
                continue
            self._backlog.append(
                _Batch(scope, group, stream, record.name, record.destination_arn, matched)
            )
            self._backlog_events += len(matched)
        while self._backlog_events > MAX_BACKLOG_EVENTS and self._backlog:
            dropped = self._backlog.popleft()
            self._backlog_events -= len(dropped.events)
            self._dropped += len(dropped.events)
            log.warning("log subscription backlog full: %d events dropped", len(dropped.events))
        if self._backlog:
            self._wake.set()

    # -- delivering ------------------------------------------------------------------
    async def run(self) -> None:
        """Deliver the backlog in rounds, for as long as the server runs."""
        slots = asyncio.Semaphore(MAX_IN_FLIGHT)
        async with asyncio.TaskGroup() as tasks:
            while True:
                await self._wake.wait()
                await asyncio.sleep(BATCH_WINDOW_S)
                self._wake.clear()
                for batch in self._take():
                    await slots.acquire()
                    tasks.create_task(self._deliver(batch, slots))

    def _take(self) -> list[_Batch]:
        """The backlog, consecutive batches of one stream and filter joined, split to
        the size a delivery may have."""
        merged: dict[tuple[Scope, str, str, str, str], _Batch] = {}
        while self._backlog:
            batch = self._backlog.popleft()
            key = (batch.scope, batch.group, batch.stream, batch.filter_name, batch.destination)
            if key in merged:
                merged[key].events.extend(batch.events)
            else:
                merged[key] = batch
        self._backlog_events = 0
        out: list[_Batch] = []
        for batch in merged.values():
            for part in _split(batch.events):
                out.append(
                    _Batch(
                        batch.scope,
                        batch.group,
                        batch.stream,
                        batch.filter_name,
                        batch.destination,
                        part,
                    )
                )
        return out

    async def _deliver(self, batch: _Batch, slots: asyncio.Semaphore) -> None:
        try:
            parts = batch.destination.split(":")
            await self._calls.call(
                "lambda",
                "Invoke",
                {
                    "FunctionName": batch.destination,
                    "InvocationType": "Event",
                    "Payload": payload(batch.scope.account, batch),
                },
                account_id=parts[4],
                region=parts[3],
            )
            self._delivered += 1
        except Exception as error:  # an AWS error answer, or a bug: this batch only
            self._failed += 1
            log.warning(
                "log subscription %s of %s: delivery to %s failed: %s",
                batch.filter_name,
                batch.group,
                batch.destination,
                error,
            )
        finally:
            slots.release()
