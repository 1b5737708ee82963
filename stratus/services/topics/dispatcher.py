"""Delivering the topics' outbox: the shared loop (``services/outbox``) with SNS's policy,
carried by :class:`SubscriptionCourier`.

After an attempt the row is deleted (delivered, dead-lettered, dropped) or rewritten
with its next due time before the next attempt, so a restart resumes every delivery
where it was (at least once). The retry schedule is the subscription's (``retry.py``:
AWS's managed policy for SQS and Lambda, the ``DeliveryPolicy`` for HTTP/S); a delivery
that exhausts it goes to the subscription's ``RedrivePolicy`` queue if it has one, as a
delivery of its own kind (``DeadLetter``) retried by the managed policy.

FIFO topics keep order per subscription and message group: while one delivery of a
(subscription, group) is in flight or waiting for its retry, the next ones wait behind it.

One endpoint cannot starve the others: a subscription has at most
``per_subscription`` attempts in flight; its further due deliveries wait in its own
backlog, so an endpoint that never answers holds a few slots for its timeout, not all.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from stratus.services.outbox import Again, OutboxLoop, Settled, Verdict
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


class SubscriptionCourier:
    """One attempt at a subscription's endpoint, and what follows from it."""

    def __init__(
        self,
        registry: Registry,
        repository: TopicsRepository,
        sender: Sender,
        clock: Callable[[], float],
    ) -> None:
        self._registry = registry
        self._repository = repository
        self._sender = sender
        self._clock = clock

    @staticmethod
    def describe(delivery: Delivery) -> str:
        return delivery.delivery_id

    @staticmethod
    def lane(delivery: Delivery) -> tuple[str, str] | None:
        if delivery.message.sequence_number is None:
            return None
        return (delivery.subscription_arn, delivery.message.group_id or "")

    @staticmethod
    def endpoint(delivery: Delivery) -> str:
        return delivery.subscription_arn

    async def attempt(self, delivery: Delivery) -> Verdict:
        subscription = self._registry.subscriptions.get(delivery.subscription_arn)
        if subscription is None:  # unsubscribed (or topic deleted) meanwhile
            await self._repository.delete_delivery(delivery.delivery_id)
            return Settled("dropped")
        topic = self._registry.topics.get(subscription.topic_arn)
        if delivery.kind == DEAD_LETTER:
            attempt = await self._sender.dead_letter(delivery, subscription)
        else:
            attempt = await self._sender.send(delivery, subscription, topic)
        delivery.attempts += 1
        if attempt.outcome is Outcome.DELIVERED:
            await self._repository.delete_delivery(delivery.delivery_id)
            return Settled("delivered" if delivery.kind != DEAD_LETTER else "dead_lettered")
        policy = (
            MANAGED_POLICY if delivery.kind == DEAD_LETTER else retry_policy(subscription, topic)
        )
        delay = policy.delay_before(delivery.attempts) if attempt.outcome is Outcome.RETRY else None
        if delay is not None:
            delivery.due = self._clock() + delay
            await self._repository.update_delivery(delivery)
            return Again(delivery.due, retry=True)
        return await self._give_up(delivery, subscription.attributes.get("RedrivePolicy"), attempt)

    async def _give_up(self, delivery: Delivery, redrive: str | None, attempt: Attempt) -> Verdict:
        if redrive and delivery.kind == "Notification":
            # A delivery of its own, behind the rest of its FIFO lane.
            delivery.kind = DEAD_LETTER
            delivery.attempts = 0
            delivery.due = self._clock()
            await self._repository.update_delivery(delivery)
            return Again(delivery.due, keep_lane=False)
        log.info(
            "giving up delivery %s to %s after %d attempts: %s",
            delivery.delivery_id,
            delivery.subscription_arn,
            delivery.attempts,
            attempt.detail,
        )
        await self._repository.delete_delivery(delivery.delivery_id)
        return Settled("dropped")


class Dispatcher(OutboxLoop[Delivery]):
    """The topics' outbox: every subscription's pending deliveries."""

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
        super().__init__(
            SubscriptionCourier(registry, repository, sender, clock),
            max_in_flight=max_in_flight,
            per_endpoint=per_subscription,
            unexpected_retry_s=UNEXPECTED_RETRY_S,
            clock=clock,
        )
