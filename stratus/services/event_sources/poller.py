"""One mapping's poller: read a batch, filter it, invoke the function, settle each record.

A poller runs *lanes*: each lane reads a batch, invokes the function synchronously (the
same warm environments as any Invoke) and acknowledges or leaves the records, so the
number of lanes is the mapping's concurrency. Scaling is deliberately simple:

- up: a lane whose read found a whole batch waiting (a backlog) starts one more lane,
  while the lanes are fewer than the cap (``ScalingConfig.MaximumConcurrency``, else ``DEFAULT_MAX_CONCURRENCY``,
  and never more than the function's reserved concurrency). Past ``EAGER_LANES`` lanes it
  does so only while its function takes ``SLOW_INVOKE_S`` or more (a running mean, so
  one slow invocation on a busy machine does not count): a function that answers in
  a few milliseconds keeps the cores busy with a few lanes (more would only add processes
  competing for them), while one that waits (I/O, sleeps) gains from every lane;
- down: a lane that finds nothing to read, or whose batch failed, stops if it is not the
  last one; the last lane always stays and long-polls the source.

A batch that fails as a whole (function error, throttle, missing function) is left to the
source and its lane backs off (``BACKOFF_BASE_S`` doubling to ``BACKOFF_MAX_S``), so a
function that always fails costs a few invocations a second at most, not a busy loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from stratus.services.event_sources.errors import EventSourceError, SourceGone
from stratus.services.event_sources.filters import FilterSet
from stratus.services.event_sources.model import OK, Mapping
from stratus.services.event_sources.responses import outcome
from stratus.services.event_sources.source import EventSource, SourceRecord
from stratus.services.functions.errors import (
    Conflict,
    FunctionError,
    NotFound,
    TooManyRequests,
)
from stratus.services.functions.invocations import InvokeResponse

log = logging.getLogger(__name__)

DEFAULT_MAX_CONCURRENCY = 32  # lanes per mapping without ScalingConfig
EAGER_LANES = 4  # lanes started on a backlog whatever the function's speed
SLOW_INVOKE_S = 0.05  # past EAGER_LANES, a backlog adds lanes only for functions this slow
INVOKE_EWMA = 0.2  # weight of the newest invocation in the running mean of their durations
IDLE_WAIT_S = 0.5  # how long one read waits for records (also how fast a stop is seen)
BACKOFF_BASE_S = 0.25
BACKOFF_MAX_S = 5.0
# Lambda's synchronous payload limit, less room for the event's envelope.
MAX_BATCH_BYTES = 6 * 1024 * 1024 - 64 * 1024

FUNCTION_FAILED = "PROBLEM: Function call failed"
FUNCTION_THROTTLED = "PROBLEM: Function call throttled"
FUNCTION_NOT_FOUND = "PROBLEM: Function not found"
FUNCTION_NOT_READY = "PROBLEM: Function is not active"

Invoke = Callable[[str, str | None, bytes], Awaitable[InvokeResponse]]


@dataclass(slots=True)
class PollerStatistics:
    """Counters of one poller since it started (``statistics()``)."""

    batches: int = 0
    invocations: int = 0
    records_succeeded: int = 0
    records_failed: int = 0
    records_filtered: int = 0
    lanes: int = 0
    max_lanes: int = 0


class MappingPoller:
    def __init__(
        self,
        mapping: Mapping,
        source: EventSource,
        invoke: Invoke,
        *,
        reserved: Callable[[str], int | None],
        report: Callable[[Mapping, str], Awaitable[None]],
        gone: Callable[[Mapping], Awaitable[None]],
    ) -> None:
        self.mapping = mapping
        # A source that keeps state per mapping (a stream's checkpoint) hands each poller
        # a reader bound to its mapping.
        bind = getattr(source, "bind", None)
        self._source: EventSource = bind(mapping) if bind is not None else source
        self._invoke = invoke
        self._reserved = reserved
        self._report = report
        self._gone = gone
        self._stopping = False
        self._wake = asyncio.Event()
        self._lanes = 0
        self._want_more = False  # a lane saw a full batch: start another
        self._failures = 0  # batches failed in a row (backoff)
        self._invoke_s = 0.0  # running mean of how long invocations take (EWMA)
        self._tasks: asyncio.TaskGroup | None = None  # the lanes and their acknowledgements
        self._ordered = False
        self._filters_text: list[str] | None = None
        self._filters = FilterSet(())
        self.stats = PollerStatistics()

    # -- control ---------------------------------------------------------------------
    @property
    def stopping(self) -> bool:
        return self._stopping

    def stop(self) -> None:
        """Start no new batch; lanes finish the batch in hand and end."""
        self._stopping = True
        self._wake.set()

    def resume(self) -> None:
        """Undo a ``stop`` that has not finished yet (the mapping was enabled again)."""
        self._stopping = False
        self._wake.set()

    def statistics(self) -> PollerStatistics:
        stats = PollerStatistics(**{k: getattr(self.stats, k) for k in self.stats.__slots__})
        stats.lanes = self._lanes
        return stats

    def cap(self) -> int:
        """How many lanes this mapping may run now."""
        cap = self.mapping.settings.max_concurrency or DEFAULT_MAX_CONCURRENCY
        try:
            reserved = self._reserved(self.mapping.function_id)
        except FunctionError:
            reserved = None
        return cap if reserved is None else min(cap, reserved)

    async def run(self) -> None:
        """Run lanes until stopped and every lane has finished."""
        try:
            # An ordered source (a FIFO queue) keeps a group locked until its records are
            # acknowledged: its lanes do not read ahead of their deletes.
            self._ordered = (await self._source.describe(self.mapping.source_arn)).ordered
        except EventSourceError:
            await self._gone(self.mapping)
            return
        async with asyncio.TaskGroup() as lanes:
            self._tasks = lanes
            while not (self._stopping and self._lanes == 0):
                self._wake.clear()
                if not self._stopping and self._lanes == 0 and self.cap() > 0:
                    self._start_lane(lanes)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(1.0):
                        await self._wake.wait()
                if self._lanes < self.cap() and self._want_more and not self._failures:
                    self._want_more = False
                    self._start_lane(lanes)

    def _start_lane(self, lanes: asyncio.TaskGroup) -> None:
        self._lanes += 1
        self.stats.max_lanes = max(self.stats.max_lanes, self._lanes)
        lanes.create_task(self._lane())

    # -- one lane --------------------------------------------------------------------
    async def _lane(self) -> None:
        acks = _Acks(self)
        try:
            while not self._stopping:
                if self._lanes > max(1, self.cap()):
                    return  # the cap went down (reserved concurrency, ScalingConfig)
                if self._failures and self._lanes > 1:
                    return  # failing: scale down to one lane
                try:
                    if self._ordered:
                        await acks.flush()
                    records, backlog = await self._collect()
                    await acks.flush()  # the previous batch's deletes, committed meanwhile
                except SourceGone:
                    await self._gone(self.mapping)
                    self.stop()
                    return
                if not records:
                    if self._lanes > 1:
                        return  # idle: scale down
                    continue
                if self._scale_up(backlog):
                    self._want_more = True
                    self._wake.set()
                try:
                    processed = await self._process(records, acks)
                except SourceGone:
                    await self._gone(self.mapping)
                    self.stop()
                    return
                if processed:
                    self._failures = 0
                    continue
                # Failures are the mapping's, not the lane's: the last lane backs off
                # longer after each failed batch, whichever lane failed before.
                self._failures += 1
                if self._lanes > 1:
                    return
                await self._sleep(_backoff(self._failures))
        finally:
            try:
                await acks.flush()
            except SourceGone:
                pass  # nothing left to delete from
            finally:
                self._lanes -= 1
                self._wake.set()

    def _scale_up(self, backlog: bool) -> bool:
        """Whether a lane that just read a batch should start another lane."""
        if not backlog or self._failures:
            return False
        return self._lanes < EAGER_LANES or self._invoke_s >= SLOW_INVOKE_S

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while not self._stopping:
                    self._wake.clear()
                    await self._wake.wait()

    async def _collect(self) -> tuple[list[SourceRecord], bool]:
        """One batch: up to BatchSize records, waiting up to the batching window for more
        once the first arrived, and never more than an invoke payload holds; and whether
        the source had a whole batch waiting at once (a backlog, worth another lane: a
        batch that had to wait for the window to fill says the lanes keep up)."""
        settings = self.mapping.settings
        arn = self.mapping.source_arn
        records = await self._source.read(arn, settings.batch_size, IDLE_WAIT_S)
        backlog = len(records) >= settings.batch_size
        if not records or settings.window_s <= 0 or backlog:
            return records, backlog
        size = sum(r.size for r in records)
        deadline = time.monotonic() + settings.window_s
        while len(records) < settings.batch_size and size < MAX_BATCH_BYTES:
            left = deadline - time.monotonic()
            if left <= 0 or self._stopping:
                break
            more = await self._source.read(
                arn, settings.batch_size - len(records), min(left, IDLE_WAIT_S)
            )
            records.extend(more)
            size += sum(r.size for r in more)
        return records, False

    def _filters_for(self) -> FilterSet:
        texts = self.mapping.settings.filters
        if texts != self._filters_text:
            self._filters = FilterSet.compile(texts)
            self._filters_text = list(texts)
        return self._filters

    async def _process(self, records: list[SourceRecord], acks: _Acks) -> bool:
        """Filter, invoke and settle one batch; False when the batch failed as a whole."""
        arn = self.mapping.source_arn
        filters = self._filters_for()
        if not filters.empty:
            dropped = [r for r in records if not filters.passes(r.filter_view or r.view)]
            if dropped:
                await self._source.acknowledge(arn, dropped)
                self.stats.records_filtered += len(dropped)
                records = [r for r in records if filters.passes(r.filter_view or r.view)]
            if not records:
                return True
        records, extra = _fit(records)
        if extra:
            await self._source.release(arn, extra)
        self.stats.batches += 1
        event = self._source.build_event(arn, records)
        mapping = self.mapping
        try:
            self.stats.invocations += 1
            started = time.monotonic()
            response = await self._invoke(mapping.function_id, mapping.qualifier, event)
            took = time.monotonic() - started
            self._invoke_s += INVOKE_EWMA * (took - self._invoke_s)
        except NotFound:
            return await self._fail(records, FUNCTION_NOT_FOUND)
        except TooManyRequests:
            return await self._fail(records, FUNCTION_THROTTLED)
        except Conflict:
            return await self._fail(records, FUNCTION_NOT_READY)
        except FunctionError as exc:  # e.g. an event over the payload limit
            log.warning("mapping %s: invoke refused: %s", mapping.uuid, exc.message)
            return await self._fail(records, FUNCTION_FAILED)
        result = outcome(
            [r.item_id for r in records],
            response.payload,
            response.function_error,
            report_item_failures=mapping.settings.reports_item_failures,
        )
        if result.all_failed:
            return await self._fail(records, FUNCTION_FAILED)
        succeeded = [r for r in records if r.item_id not in result.failed]
        failed = [r for r in records if r.item_id in result.failed]
        if succeeded:
            acks.start(succeeded)
        if failed:
            await self._source.leave(arn, failed)
        self.stats.records_succeeded += len(succeeded)
        self.stats.records_failed += len(failed)
        if mapping.last_processing_result != OK:
            await self._report(mapping, OK)
        return True

    async def _fail(self, records: Sequence[SourceRecord], result: str) -> bool:
        await self._source.leave(self.mapping.source_arn, records)
        self.stats.records_failed += len(records)
        if self.mapping.last_processing_result != result:
            await self._report(self.mapping, result)
        return False


class _Acks:
    """One lane's acknowledgement in flight: the lane reads and invokes its next batch while
    the deletes of the previous one commit (one group commit off the lane's critical path
    per batch); the lane waits for it before starting the next one, and at its end."""

    __slots__ = ("_poller", "_task")

    def __init__(self, poller: MappingPoller) -> None:
        self._poller = poller
        self._task: asyncio.Task[SourceGone | None] | None = None

    def start(self, records: Sequence[SourceRecord]) -> None:
        assert self._task is None, "flush the previous acknowledgement first"
        tasks = self._poller._tasks
        assert tasks is not None, "lanes run under MappingPoller.run"
        self._task = tasks.create_task(self._acknowledge(records))

    async def _acknowledge(self, records: Sequence[SourceRecord]) -> SourceGone | None:
        # A gone source is the lane's to handle (at flush), not the task group's.
        poller = self._poller
        try:
            await poller._source.acknowledge(poller.mapping.source_arn, records)
        except SourceGone as exc:
            return exc
        return None

    async def flush(self) -> None:
        task, self._task = self._task, None
        if task is not None and (gone := await task) is not None:
            raise gone


def _fit(records: list[SourceRecord]) -> tuple[list[SourceRecord], list[SourceRecord]]:
    """The records that fit one invoke payload, and the rest (left for a later batch)."""
    size = 0
    for index, record in enumerate(records):
        size += record.size
        if size > MAX_BATCH_BYTES and index > 0:
            return records[:index], records[index:]
    return records, []


def _backoff(failures: int) -> float:
    """BACKOFF_BASE_S doubling per failed batch up to BACKOFF_MAX_S, jittered down to half
    so mappings failing together do not retry together."""
    ceiling = min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2.0 ** (failures - 1))
    return ceiling * random.uniform(0.5, 1.0)
