"""The durable delivery loop: every pending delivery is attempted, retried by its policy,
dead-lettered or given up, and removed from the store only then.

Deliveries wait in a heap by due time. The loop starts each due one as a task of its own
task group (at most ``max_in_flight`` at once), so one endpoint that never answers holds
one slot for its timeout and nothing else. After an attempt the row is deleted
(delivered, dead-lettered, dropped) or rewritten with its next due time before the next
attempt, so a restart resumes every delivery where it was (at least once).

FIFO topics keep order per subscription and message group: while one delivery of a
(subscription, group) is in flight or waiting for its retry, the next ones wait behind it.

One endpoint cannot starve the others: a subscription has at most
``per_subscription`` attempts in flight; its further due deliveries wait in its own
backlog, so an endpoint that never answers holds a few slots for its timeout, not all.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from stratus.services.topics.attributes import retry_policy
from stratus.services.topics.model import Delivery
from stratus.services.topics.registry import Registry
from stratus.services.topics.repository import TopicsRepository
from stratus.services.topics.retry import MANAGED_POLICY
from stratus.services.topics.sender import Sender
from stratus.services.topics.transports import Attempt, Outcome

log = logging.getLogger(__name__)

DEAD_LETTER = "DeadLetter"
UNEXPECTED_RETRY_S = 20.0


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
        registry: Registry,
        repository: TopicsRepository,
        sender: Sender,
        *,
        max_in_flight: int = 256,
        per_subscription: int = 16,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._registry = registry
        self._repository = repository
        self._sender = sender
        self._clock = clock
        self._heap: list[tuple[float, int, Delivery]] = []
        self._order = itertools.count()
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(max_in_flight)
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._paused = False
        self._per_subscription = per_subscription
        self._busy: dict[str, int] = {}
        self._backlog: dict[str, deque[Delivery]] = {}
        self._lanes: dict[tuple[str, str], deque[Delivery]] = {}
        self._lane_owner: dict[tuple[str, str], str] = {}
        self._counts = {"delivered": 0, "retried": 0, "dead_lettered": 0, "dropped": 0}

    # -- intake (sync: called by the registry and the publisher) ---------------------
    def enqueue(self, deliveries: Iterable[Delivery]) -> None:
        for delivery in deliveries:
            heapq.heappush(self._heap, (delivery.due, next(self._order), delivery))
        self._wake.set()

    def pause(self) -> None:
        """Start no new attempt (shutdown); pending rows stay for the next start."""
        self._paused = True
        self._wake.set()

    async def wait_idle(self) -> None:
        await self._idle.wait()

    def statistics(self) -> DispatcherStatistics:
        return DispatcherStatistics(
            pending=len(self._heap)
            + sum(len(q) for q in self._lanes.values())
            + sum(len(q) for q in self._backlog.values()),
            in_flight=self._in_flight,
            **self._counts,
        )

    # -- the loop --------------------------------------------------------------------
    async def run(self) -> None:
        async with asyncio.TaskGroup() as tasks:
            while True:
                self._wake.clear()
                now = self._clock()
                while self._heap and self._heap[0][0] <= now and not self._paused:
                    _, _, delivery = heapq.heappop(self._heap)
                    subscription = delivery.subscription_arn
                    if self._busy.get(subscription, 0) >= self._per_subscription:
                        self._backlog.setdefault(subscription, deque()).append(delivery)
                        continue
                    lane = self._lane(delivery)
                    if lane is not None and not self._take_lane(lane, delivery):
                        continue
                    self._busy[subscription] = self._busy.get(subscription, 0) + 1
                    await self._slots.acquire()
                    self._started()
                    tasks.create_task(self._attempt(delivery, lane))
                delay = self._heap[0][0] - self._clock() if self._heap else None
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(
                        None if delay is None or self._paused else max(delay, 0.0)
                    ):
                        await self._wake.wait()

    def _started(self) -> None:
        self._in_flight += 1
        self._idle.clear()

    def _finished(self) -> None:
        self._in_flight -= 1
        self._slots.release()
        if self._in_flight == 0:
            self._idle.set()

    def _release_subscription(self, subscription: str) -> None:
        """One attempt of ``subscription`` ended: the next of its backlog may run."""
        busy = self._busy.get(subscription, 1) - 1
        if busy:
            self._busy[subscription] = busy
        else:
            self._busy.pop(subscription, None)
        waiting = self._backlog.get(subscription)
        if waiting:
            following = waiting.popleft()
            if not waiting:
                del self._backlog[subscription]
            heapq.heappush(self._heap, (following.due, next(self._order), following))
            self._wake.set()

    @staticmethod
    def _lane(delivery: Delivery) -> tuple[str, str] | None:
        if delivery.message.sequence_number is None:
            return None
        return (delivery.subscription_arn, delivery.message.group_id or "")

    def _take_lane(self, lane: tuple[str, str], delivery: Delivery) -> bool:
        """Whether ``delivery`` may run now; if not it waits in its lane."""
        owner = self._lane_owner.get(lane)
        if owner is None:
            self._lane_owner[lane] = delivery.delivery_id
            self._lanes.setdefault(lane, deque())
            return True
        if owner == delivery.delivery_id:
            return True
        self._lanes[lane].append(delivery)
        return False

    def _release_lane(self, lane: tuple[str, str]) -> None:
        waiting = self._lanes.get(lane)
        if waiting:
            following = waiting.popleft()
            self._lane_owner[lane] = following.delivery_id
            heapq.heappush(self._heap, (following.due, next(self._order), following))
            self._wake.set()
        else:
            self._lanes.pop(lane, None)
            self._lane_owner.pop(lane, None)

    async def _attempt(self, delivery: Delivery, lane: tuple[str, str] | None) -> None:
        keep_lane = False
        try:
            keep_lane = await self._attempt_once(delivery)
        except asyncio.CancelledError:
            raise
        except Exception:
            # A bug of ours, not the endpoint's: try again later rather than lose it.
            log.exception("delivery %s failed unexpectedly", delivery.delivery_id)
            delivery.due = self._clock() + UNEXPECTED_RETRY_S
            heapq.heappush(self._heap, (delivery.due, next(self._order), delivery))
            keep_lane = True
        finally:
            if lane is not None and not keep_lane:
                self._release_lane(lane)
            self._release_subscription(delivery.subscription_arn)
            self._finished()

    async def _attempt_once(self, delivery: Delivery) -> bool:
        """One attempt and its bookkeeping; True when the delivery will be retried."""
        subscription = self._registry.subscriptions.get(delivery.subscription_arn)
        if subscription is None:  # unsubscribed (or topic deleted) meanwhile
            await self._repository.delete_delivery(delivery.delivery_id)
            self._counts["dropped"] += 1
            return False
        topic = self._registry.topics.get(subscription.topic_arn)
        if delivery.kind == DEAD_LETTER:
            attempt = await self._sender.dead_letter(delivery, subscription)
        else:
            attempt = await self._sender.send(delivery, subscription, topic)
        delivery.attempts += 1
        if attempt.outcome is Outcome.DELIVERED:
            await self._repository.delete_delivery(delivery.delivery_id)
            self._counts["delivered" if delivery.kind != DEAD_LETTER else "dead_lettered"] += 1
            return False
        policy = (
            MANAGED_POLICY if delivery.kind == DEAD_LETTER else retry_policy(subscription, topic)
        )
        delay = policy.delay_before(delivery.attempts) if attempt.outcome is Outcome.RETRY else None
        if delay is not None:
            delivery.due = self._clock() + delay
            await self._repository.update_delivery(delivery)
            self._counts["retried"] += 1
            heapq.heappush(self._heap, (delivery.due, next(self._order), delivery))
            self._wake.set()
            return True
        await self._give_up(delivery, subscription.attributes.get("RedrivePolicy"), attempt)
        return False

    async def _give_up(self, delivery: Delivery, redrive: str | None, attempt: Attempt) -> None:
        if redrive and delivery.kind == "Notification":
            delivery.kind = DEAD_LETTER
            delivery.attempts = 0
            delivery.due = self._clock()
            await self._repository.update_delivery(delivery)
            heapq.heappush(self._heap, (delivery.due, next(self._order), delivery))
            self._wake.set()
            return
        log.info(
            "giving up delivery %s to %s after %d attempts: %s",
            delivery.delivery_id,
            delivery.subscription_arn,
            delivery.attempts,
            attempt.detail,
        )
        await self._repository.delete_delivery(delivery.delivery_id)
        self._counts["dropped"] += 1
