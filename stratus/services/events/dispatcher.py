"""The durable delivery loop: every pending delivery is attempted, retried by its target's
retry policy, dead-lettered or dropped, and removed from the outbox only then.

Retry policy (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html):
a failed attempt is retried with exponential backoff (from ``base_delay_s``, doubling, at
most five minutes, with jitter) while the retries made stay within
``MaximumRetryAttempts`` and the event is younger than ``MaximumEventAgeInSeconds``.
Failures retrying cannot cure (the target does not exist, access denied) are not retried.
Deliveries to a FIFO target keep their order per message group: while one of a
(target, group) is in flight or waiting for its retry, the next ones wait behind it.

Then the event goes to the target's dead-letter queue if it has one, with AWS's message
attributes saying why (``dead_letters.py``), else it is dropped (and logged).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import random
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from stratus.services.events.dead_letters import (
    MAXIMUM_EVENT_AGE,
    MAXIMUM_RETRY_ATTEMPTS,
    dead_letter_attributes,
)
from stratus.services.events.outbox import Delivery
from stratus.services.events.repository import DeliveryStore
from stratus.services.events.sender import Attempt, Outcome, Sender

log = logging.getLogger(__name__)

MAX_DELAY_S = 300.0
DEAD_LETTER_RETRY_S = 30.0
DEAD_LETTER = "dead_letter"


@dataclass(frozen=True, slots=True)
class DispatcherStatistics:
    pending: int
    in_flight: int
    delivered: int
    retried: int
    dead_lettered: int
    dropped: int


class Dispatcher:
    def __init__(
        self,
        store: DeliveryStore,
        sender: Sender,
        *,
        base_delay_s: float = 1.0,
        max_in_flight: int = 128,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._sender = sender
        self._base = base_delay_s
        self._clock = clock
        self._heap: list[tuple[float, int, Delivery]] = []
        self._order = itertools.count()
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(max_in_flight)
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._paused = False
        self._counts = {"delivered": 0, "retried": 0, "dead_lettered": 0, "dropped": 0}
        # FIFO targets: one delivery per (target, message group) at a time, in order.
        self._lane_owner: dict[tuple[str, str], str] = {}
        self._lanes: dict[tuple[str, str], deque[Delivery]] = {}
        self._requeued: set[str] = set()

    def enqueue(self, deliveries: Iterable[Delivery]) -> None:
        for delivery in deliveries:
            heapq.heappush(self._heap, (delivery.due, next(self._order), delivery))
        self._wake.set()

    async def load(self) -> None:
        self.enqueue(await self._store.load_deliveries())

    def pause(self) -> None:
        self._paused = True
        self._wake.set()

    async def wait_idle(self) -> None:
        await self._idle.wait()

    def statistics(self) -> DispatcherStatistics:
        waiting = len(self._heap) + sum(len(lane) for lane in self._lanes.values())
        return DispatcherStatistics(waiting, self._in_flight, **self._counts)

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tasks:
            while True:
                self._wake.clear()
                while self._heap and self._heap[0][0] <= self._clock() and not self._paused:
                    _, _, delivery = heapq.heappop(self._heap)
                    if not self._take_lane(delivery):
                        continue
                    await self._slots.acquire()
                    self._in_flight += 1
                    self._idle.clear()
                    tasks.create_task(self._attempt(delivery))
                delay = None
                if self._heap and not self._paused:
                    delay = max(self._heap[0][0] - self._clock(), 0.0)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(delay):
                        await self._wake.wait()

    @staticmethod
    def _lane(delivery: Delivery) -> tuple[str, str] | None:
        if not delivery.target_arn.endswith(".fifo"):
            return None
        return (delivery.target_arn, str(delivery.params.get("group_id") or ""))

    def _take_lane(self, delivery: Delivery) -> bool:
        """Whether ``delivery`` may start now; if not it waits behind its lane's head."""
        lane = self._lane(delivery)
        if lane is None:
            return True
        owner = self._lane_owner.get(lane)
        if owner is None or owner == delivery.delivery_id:
            self._lane_owner[lane] = delivery.delivery_id
            return True
        self._lanes.setdefault(lane, deque()).append(delivery)
        return False

    def _release_lane(self, delivery: Delivery) -> None:
        lane = self._lane(delivery)
        if lane is None or self._lane_owner.get(lane) != delivery.delivery_id:
            return
        waiting = self._lanes.get(lane)
        if waiting:
            following = waiting.popleft()
            if not waiting:
                del self._lanes[lane]
            self._lane_owner[lane] = following.delivery_id
            heapq.heappush(self._heap, (following.due, next(self._order), following))
            self._wake.set()
        else:
            del self._lane_owner[lane]

    async def _attempt(self, delivery: Delivery) -> None:
        try:
            await self._attempt_once(delivery)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("delivery %s failed unexpectedly", delivery.delivery_id)
            self._later(delivery, self._clock() + DEAD_LETTER_RETRY_S)
        finally:
            if delivery.delivery_id in self._requeued:
                self._requeued.discard(delivery.delivery_id)  # it keeps its lane
            else:
                self._release_lane(delivery)
            self._in_flight -= 1
            self._slots.release()
            if self._in_flight == 0:
                self._idle.set()

    def _later(self, delivery: Delivery, due: float) -> None:
        delivery.due = due
        self._requeued.add(delivery.delivery_id)
        heapq.heappush(self._heap, (due, next(self._order), delivery))
        self._wake.set()

    async def _attempt_once(self, delivery: Delivery) -> None:
        if DEAD_LETTER in delivery.params:
            await self._dead_letter(delivery, delivery.params[DEAD_LETTER])
            return
        attempt = await self._sender.send(delivery)
        if attempt.outcome is Outcome.LATER:  # its turn has not come: no attempt spent
            self._later(delivery, self._clock() + (attempt.retry_after or 0.0))
            return
        delivery.attempts += 1
        if attempt.outcome is Outcome.DELIVERED:
            await self._store.delete_delivery(delivery.delivery_id)
            self._counts["delivered"] += 1
            return
        delivery.last_error = (attempt.code, attempt.message)
        now = self._clock()
        retries_made = delivery.attempts - 1
        condition: str | None = None
        if attempt.outcome is Outcome.PERMANENT:
            condition = None
        elif retries_made >= delivery.max_attempts:
            condition = MAXIMUM_RETRY_ATTEMPTS
        else:
            delay = min(self._base * 2.0**retries_made, MAX_DELAY_S)
            delay *= random.uniform(0.8, 1.0)
            # Retry-After: "the more conservative value" of it and the policy's (AWS)
            delay = max(delay, attempt.retry_after or 0.0)
            if now + delay - delivery.created > delivery.max_age_s:
                condition = MAXIMUM_EVENT_AGE
            else:
                await self._store.update_delivery(_at(delivery, now + delay))
                self._counts["retried"] += 1
                self._later(delivery, now + delay)
                return
        await self._give_up(delivery, condition, attempt)

    async def _give_up(self, delivery: Delivery, condition: str | None, attempt: Attempt) -> None:
        if delivery.dead_letter_arn:
            delivery.params[DEAD_LETTER] = condition
            await self._dead_letter(delivery, condition)
            return
        log.info(
            "dropping delivery %s to %s after %d attempts (%s): %s %s",
            delivery.delivery_id,
            delivery.target_arn,
            delivery.attempts,
            condition,
            attempt.code,
            attempt.message,
        )
        await self._store.delete_delivery(delivery.delivery_id)
        self._counts["dropped"] += 1

    async def _dead_letter(self, delivery: Delivery, condition: str | None) -> None:
        sent = await self._sender.dead_letter(delivery, dead_letter_attributes(delivery, condition))
        if sent.outcome is Outcome.DELIVERED:
            await self._store.delete_delivery(delivery.delivery_id)
            self._counts["dead_lettered"] += 1
            return
        if sent.outcome is Outcome.PERMANENT:
            log.warning(
                "dead-letter queue %s refused delivery %s: %s %s",
                delivery.dead_letter_arn,
                delivery.delivery_id,
                sent.code,
                sent.message,
            )
            await self._store.delete_delivery(delivery.delivery_id)
            self._counts["dropped"] += 1
            return
        due = self._clock() + DEAD_LETTER_RETRY_S
        await self._store.update_delivery(_at(delivery, due))
        self._later(delivery, due)


def _at(delivery: Delivery, due: float) -> Delivery:
    delivery.due = due
    return delivery
