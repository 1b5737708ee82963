"""Delivering the bus's and the schedules' outbox: the shared loop
(``services/outbox``) with EventBridge's policy, carried by :class:`TargetCourier`.

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

import logging
import random
import time
from collections.abc import Callable

from stratus.services.events.dead_letters import (
    MAXIMUM_EVENT_AGE,
    MAXIMUM_RETRY_ATTEMPTS,
    dead_letter_attributes,
)
from stratus.services.events.outbox import Delivery
from stratus.services.events.repository import DeliveryStore
from stratus.services.events.sender import Attempt, Outcome, Sender
from stratus.services.outbox import Again, OutboxLoop, Settled, Verdict

log = logging.getLogger(__name__)

MAX_DELAY_S = 300.0
DEAD_LETTER_RETRY_S = 30.0
DEAD_LETTER = "dead_letter"


class TargetCourier:
    """One attempt at a rule's or a schedule's target, and what follows from it."""

    def __init__(
        self, store: DeliveryStore, sender: Sender, base_delay_s: float, clock: Callable[[], float]
    ) -> None:
        self._store = store
        self._sender = sender
        self._base = base_delay_s
        self._clock = clock

    @staticmethod
    def describe(delivery: Delivery) -> str:
        return delivery.delivery_id

    @staticmethod
    def lane(delivery: Delivery) -> tuple[str, str] | None:
        if not delivery.target_arn.endswith(".fifo"):
            return None
        return (delivery.target_arn, str(delivery.params.get("group_id") or ""))

    @staticmethod
    def endpoint(delivery: Delivery) -> None:
        return None

    async def attempt(self, delivery: Delivery) -> Verdict:
        if DEAD_LETTER in delivery.params:
            return await self._dead_letter(delivery, delivery.params[DEAD_LETTER])
        attempt = await self._sender.send(delivery)
        if attempt.outcome is Outcome.LATER:  # its turn has not come: no attempt spent
            return Again(self._clock() + (attempt.retry_after or 0.0))
        delivery.attempts += 1
        if attempt.outcome is Outcome.DELIVERED:
            await self._store.delete_delivery(delivery.delivery_id)
            return Settled("delivered")
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
                delivery.due = now + delay
                await self._store.update_delivery(delivery)
                return Again(delivery.due, retry=True)
        return await self._give_up(delivery, condition, attempt)

    async def _give_up(
        self, delivery: Delivery, condition: str | None, attempt: Attempt
    ) -> Verdict:
        if delivery.dead_letter_arn:
            delivery.params[DEAD_LETTER] = condition
            return await self._dead_letter(delivery, condition)
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
        return Settled("dropped")

    async def _dead_letter(self, delivery: Delivery, condition: str | None) -> Verdict:
        sent = await self._sender.dead_letter(delivery, dead_letter_attributes(delivery, condition))
        if sent.outcome is Outcome.DELIVERED:
            await self._store.delete_delivery(delivery.delivery_id)
            return Settled("dead_lettered")
        if sent.outcome is Outcome.PERMANENT:
            log.warning(
                "dead-letter queue %s refused delivery %s: %s %s",
                delivery.dead_letter_arn,
                delivery.delivery_id,
                sent.code,
                sent.message,
            )
            await self._store.delete_delivery(delivery.delivery_id)
            return Settled("dropped")
        delivery.due = self._clock() + DEAD_LETTER_RETRY_S
        await self._store.update_delivery(delivery)
        return Again(delivery.due)


class Dispatcher(OutboxLoop[Delivery]):
    """The outbox of rules and schedules (one, shared by both services)."""

    def __init__(
        self,
        store: DeliveryStore,
        sender: Sender,
        *,
        base_delay_s: float = 1.0,
        max_in_flight: int = 128,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(
            TargetCourier(store, sender, base_delay_s, clock),
            max_in_flight=max_in_flight,
            unexpected_retry_s=DEAD_LETTER_RETRY_S,
            clock=clock,
        )
        self._store = store

    async def load(self) -> None:
        self.enqueue(await self._store.load_deliveries())
