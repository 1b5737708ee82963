"""Delivery of Event invocations: at least once, with Lambda's retries and event age.

Each queued invocation stays in the store until it is delivered or dropped, so a server
killed at any moment delivers it after restart (at least once: an invocation running when
the server died runs again). Lambda's rules, per the function's event invoke config
("How Lambda handles errors and retries with asynchronous invocation"):

- function errors are retried ``MaximumRetryAttempts`` times (default 2), about one
  minute before the first retry and two before the second;
- throttles (429) and platform errors are retried without counting, "exponentially from 1
  second after the first attempt to a maximum of 5 minutes", until the event is older
  than ``MaximumEventAgeInSeconds`` (default 6 hours); then the event is dropped.

A backlog drains at the function's concurrency, not at the pace of throttle retries: the
dispatcher takes from the store only as many of a function's events as the function has
free concurrency (reserved concurrency minus what runs now), and takes the next one as
soon as one finishes. Throttles then happen only when a synchronous caller wins the race
for a slot (or the account's shared concurrency is used up), and back off as above.

What becomes of each settled event (the ``OnSuccess``/``OnFailure`` destinations of the
event invoke config, else the function's dead-letter queue for a failed one) is
``destinations.py``'s job; this module only says when.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import Counter
from typing import Any

from stratus.runtime.invoker import InvocationResult
from stratus.runtime.limits import Limits
from stratus.services.functions.destinations import (
    EVENT_AGE_EXCEEDED,
    RETRIES_EXHAUSTED,
    SUCCESS,
    Destinations,
    invocation_record,
)
from stratus.services.functions.errors import Conflict, NotFound, TooManyRequests
from stratus.services.functions.invocations import Invocations
from stratus.services.functions.model import LATEST
from stratus.services.functions.registry import FunctionRegistry
from stratus.services.functions.repository import AsyncInvocationStore, QueuedInvocation

log = logging.getLogger(__name__)

_POLL_S = 1.0
THROTTLE_BACKOFF_BASE_S = 1.0
THROTTLE_BACKOFF_MAX_S = 300.0


class AsyncDispatcher:
    def __init__(
        self,
        queue: AsyncInvocationStore,
        invocations: Invocations,
        registry: FunctionRegistry,
        limits: Limits,
        *,
        destinations: Destinations | None = None,
        max_parallel: int = 64,
    ) -> None:
        self._queue = queue
        self._invocations = invocations
        self._registry = registry
        self._limits = limits
        self._max_parallel = max_parallel
        self._destinations = destinations
        self._in_flight: dict[str, str] = {}  # invocation id -> function id
        self._throttles: Counter[str] = Counter()  # by invocation id; lost on restart
        self._wakeup = asyncio.Event()
        self.delivered = 0
        self.dropped = 0
        self._paused = False
        self._next_due_ms: int | None = None  # earliest retry this process scheduled
        invocations.on_enqueued(self.notify)

    def notify(self) -> None:
        self._wakeup.set()

    def _due_at(self, when_ms: int) -> None:
        if self._next_due_ms is None or when_ms < self._next_due_ms:
            self._next_due_ms = when_ms

    def pause(self) -> None:
        """Start no new deliveries (shutdown); queued events stay stored for the next run."""
        self._paused = True

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tasks:
            while True:
                self._wakeup.clear()
                free = self._max_parallel - len(self._in_flight)
                if free > 0 and not self._paused:
                    now = int(time.time() * 1000)
                    found = await self._queue.due(now, free, set(self._in_flight), self._caps())
                    for invocation in found:
                        self._in_flight[invocation.id] = invocation.function_name
                        tasks.create_task(self._deliver(invocation))
                wait_s = _POLL_S
                if self._next_due_ms is not None:
                    wait_s = min(_POLL_S, max(0.0, self._next_due_ms / 1000 - time.time()))
                    self._next_due_ms = None
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(wait_s):
                        await self._wakeup.wait()

    def _caps(self) -> dict[str, int]:
        """How many more events each function with reserved concurrency can run now.

        What runs counts whoever started it (synchronous callers too); this dispatcher's
        own deliveries count even before they hold a slot. A function reserved at 0 is
        not capped: its events are tried, throttled and backed off until they age out,
        as in Lambda. Functions without reserved concurrency share the account's rest and
        are bounded by ``max_parallel`` and, past that, by throttling.
        """
        ours = Counter(self._in_flight.values())
        return {
            name: max(0, reserved - max(ours[name], self._invocations.running(name)))
            for name, reserved in self._registry.reserved_concurrency().items()
            if reserved > 0
        }

    def _config(self, invocation: QueuedInvocation) -> dict[str, Any]:
        """The event invoke config that applies to this invocation ({} when none)."""
        try:
            configs = self._registry.record(invocation.function_name).event_invoke_configs
        except NotFound:
            return {}
        return configs.get(invocation.qualifier) or configs.get(LATEST) or {}

    def _settings(self, invocation: QueuedInvocation) -> tuple[int, int]:
        """(maximum retry attempts, maximum event age in seconds) for this invocation."""
        retries, age = self._limits.async_max_retries, self._limits.async_max_event_age_s
        config = self._config(invocation)
        retries = config.get("MaximumRetryAttempts", retries)
        age = config.get("MaximumEventAgeInSeconds", age)
        return int(retries), int(age)

    async def _deliver(self, invocation: QueuedInvocation) -> None:
        try:
            await self._attempt(invocation)
        except Exception:  # a bug here must not stop other deliveries
            log.exception("async delivery of %s failed", invocation.id)
        finally:
            self._in_flight.pop(invocation.id, None)
            self._wakeup.set()

    async def _attempt(self, invocation: QueuedInvocation) -> None:
        retries, max_age = self._settings(invocation)
        now_ms = int(time.time() * 1000)
        if now_ms - invocation.enqueued_ms > max_age * 1000:
            await self._settle_failed(invocation, EVENT_AGE_EXCEEDED, invocation.attempts, None)
            await self._drop(invocation, "event age exceeded MaximumEventAgeInSeconds")
            return
        try:
            result = await self._invocations.deliver(invocation)
        except NotFound:
            await self._drop(invocation, "function no longer exists")
            return
        except (TooManyRequests, Conflict):
            # Throttles, and a function whose code is not ready (Pending, Failed), do not
            # count as attempts; back off and try again until the event is too old.
            self._throttles[invocation.id] += 1
            retry_ms = now_ms + int(self._throttle_delay(self._throttles[invocation.id]) * 1000)
            await self._queue.reschedule(invocation.id, invocation.attempts, retry_ms)
            self._due_at(retry_ms)
            return
        self._throttles.pop(invocation.id, None)
        attempts = invocation.attempts + 1
        if result.function_error is None:
            await self._settle_succeeded(invocation, attempts, result)
            await self._queue.remove(invocation.id)
            self.delivered += 1
            return
        if attempts > retries:
            await self._settle_failed(invocation, RETRIES_EXHAUSTED, attempts, result)
            await self._drop(invocation, f"function error after {attempts} attempts")
            return
        next_ms = int(time.time() * 1000) + int(self._delay(attempts) * 1000)
        await self._queue.reschedule(invocation.id, attempts, next_ms)
        self._due_at(next_ms)

    async def _settle_succeeded(
        self, invocation: QueuedInvocation, attempts: int, result: InvocationResult
    ) -> None:
        """An OnSuccess destination gets the invocation record (before the event is
        removed: a crash in between delivers it again, at least once)."""
        target = self._destination(invocation, "OnSuccess")
        if target and self._destinations is not None:
            record = invocation_record(
                invocation, invocation.function_name, SUCCESS, attempts, result
            )
            await self._destinations.send_record(target, invocation.function_name, record)

    async def _settle_failed(
        self,
        invocation: QueuedInvocation,
        condition: str,
        attempts: int,
        result: InvocationResult | None,
    ) -> None:
        """The OnFailure destination gets the invocation record; without one the
        function's dead-letter queue gets the event."""
        if self._destinations is None:
            return
        target = self._destination(invocation, "OnFailure")
        if target:
            record = invocation_record(
                invocation, invocation.function_name, condition, attempts, result
            )
            await self._destinations.send_record(target, invocation.function_name, record)
            return
        qualifier = None if invocation.qualifier == LATEST else invocation.qualifier
        try:
            dead_letter = self._registry.resolve(invocation.function_name, qualifier)
        except NotFound:
            return
        if dead_letter.dead_letter_target:
            await self._destinations.send_dead_letter(
                dead_letter.dead_letter_target, invocation.function_name, invocation, result
            )

    def _destination(self, invocation: QueuedInvocation, which: str) -> str | None:
        destinations = self._config(invocation).get("DestinationConfig") or {}
        target = (destinations.get(which) or {}).get("Destination")
        return str(target) if target else None

    @staticmethod
    def _throttle_delay(throttles: int) -> float:
        """1 s after the first throttle, doubling up to 5 min; jittered down to half, so
        events throttled together do not come back together."""
        ceiling = min(THROTTLE_BACKOFF_MAX_S, THROTTLE_BACKOFF_BASE_S * 2.0 ** (throttles - 1))
        return ceiling * random.uniform(0.5, 1.0)

    def _delay(self, attempt: int) -> float:
        # Lambda waits about one minute before the first retry and two before the second.
        return self._limits.async_retry_base_s * float(2 ** max(attempt - 1, 0))

    async def _drop(self, invocation: QueuedInvocation, reason: str) -> None:
        log.warning(
            "dropping event %s for %s:%s (%s)",
            invocation.id,
            invocation.function_name,
            invocation.qualifier,
            reason,
        )
        await self._queue.remove(invocation.id)
        self._throttles.pop(invocation.id, None)
        self.dropped += 1
