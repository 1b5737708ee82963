"""What the event bus needs from persistence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from stratus.services.events.model import Bus, Rule
from stratus.services.events.outbox import Delivery


@dataclass(slots=True)
class Snapshot:
    buses: list[Bus] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)


class DeliveryStore(Protocol):
    """The outbox: pending deliveries (shared by the bus and the schedules service)."""

    async def load_deliveries(self) -> list[Delivery]: ...
    async def add_deliveries(self, deliveries: Sequence[Delivery]) -> None: ...
    async def update_delivery(self, delivery: Delivery) -> None: ...
    async def delete_delivery(self, delivery_id: str) -> None: ...


class EventsRepository(DeliveryStore, Protocol):
    async def load(self) -> Snapshot: ...
    async def put_bus(self, bus: Bus) -> None: ...
    async def delete_bus(self, arn: str) -> None: ...
    async def put_rule(self, rule: Rule) -> None: ...
    async def delete_rule(self, arn: str) -> None: ...
    async def fire_rule(self, rule: Rule, deliveries: Sequence[Delivery]) -> None:
        """The rule's new next firing and the firing's deliveries, in one write."""
        ...
