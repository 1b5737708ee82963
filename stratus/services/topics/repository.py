"""What the topics service needs from persistence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from stratus.services.topics.model import (
    Delivery,
    PlatformApplication,
    PlatformEndpoint,
    SentMessage,
    SmsSettings,
    Subscription,
    Topic,
)


@dataclass(slots=True)
class Snapshot:
    topics: list[Topic] = field(default_factory=list)
    subscriptions: list[Subscription] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    applications: list[PlatformApplication] = field(default_factory=list)
    endpoints: list[PlatformEndpoint] = field(default_factory=list)
    sms: list[SmsSettings] = field(default_factory=list)


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

    async def put_application(self, application: PlatformApplication) -> None: ...

    async def delete_application(self, arn: str) -> None:
        """The application and its endpoints."""
        ...

    async def put_endpoint(self, endpoint: PlatformEndpoint) -> None: ...

    async def delete_endpoint(self, arn: str) -> None: ...

    async def put_sms(self, settings: SmsSettings, sent: SentMessage | None = None) -> None:
        """An account's SMS settings (and the message they sent) in one commit."""
        ...

    async def add_sent(self, message: SentMessage) -> None: ...

    async def sent(self, after: int, limit: int) -> list[tuple[int, SentMessage]]:
        """Recorded messages after sequence ``after``, oldest first."""
        ...
