"""What the topics service needs from persistence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from stratus.services.topics.model import Delivery, Subscription, Topic


@dataclass(slots=True)
class Snapshot:
    topics: list[Topic] = field(default_factory=list)
    subscriptions: list[Subscription] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)


class TopicsRepository(Protocol):
    async def load(self) -> Snapshot:
        """Everything stored (at start)."""
        ...

    async def put_topic(self, topic: Topic) -> None: ...

    async def delete_topic(self, arn: str) -> None:
        """The topic, its subscriptions and their pending deliveries."""
        ...

    async def put_subscription(self, subscription: Subscription) -> None: ...

    async def delete_subscription(self, arn: str) -> None:
        """The subscription and its pending deliveries."""
        ...

    async def add_deliveries(self, deliveries: Sequence[Delivery], topic: Topic | None) -> None:
        """New deliveries (and the topic, whose FIFO sequence moved) in one commit."""
        ...

    async def update_delivery(self, delivery: Delivery) -> None: ...

    async def delete_delivery(self, delivery_id: str) -> None: ...
