"""What the event bus needs from persistence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from stratus.services.events.model import Bus, Rule
from stratus.services.events.outbox import Delivery


@dataclass(slots=True)
class Snapshot:
    buses: list[Bus] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    #: archives, replays, connections, API destinations: kind -> their documents
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ArchivedEvent:
    """One event as an archive keeps it: ``time`` is the event's own time (replays
    pick by it), ``ingested`` when it was archived (retention counts from it)."""

    archive_arn: str
    time: float
    ingested: float
    event: bytes
    seq: int = 0  # the store's order of arrival, a replay's cursor


@dataclass(frozen=True, slots=True)
class ArchiveStatistics:
    event_count: int
    size_bytes: int


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

    async def commit_events(
        self, deliveries: Sequence[Delivery], archived: Sequence[ArchivedEvent]
    ) -> None:
        """What accepting events changes (deliveries, archive entries), in one write."""
        ...

    # -- archives, replays, connections, API destinations: JSON documents by ARN ------
    async def put_record(self, kind: str, arn: str, document: dict[str, Any]) -> None: ...
    async def delete_record(self, arn: str) -> None: ...
    async def delete_archive(self, arn: str) -> None:
        """The archive's record and every event it holds."""
        ...

    async def archive_statistics(self, arn: str) -> ArchiveStatistics: ...
    async def archived_events(
        self,
        arn: str,
        start: float,
        end: float,
        after_seq: int,
        limit: int,
        max_bytes: int = 4 * 1024 * 1024,
    ) -> list[ArchivedEvent]:
        """Events of ``arn`` whose time is in [start, end), in arrival order past
        ``after_seq``: at most ``limit``, and no more once ``max_bytes`` are reached
        (at least one), so a batch of 1 MB events stays small."""
        ...

    async def purge_archive(self, arn: str, ingested_before: float) -> int: ...
    async def replay_progress(
        self, arn: str, document: dict[str, Any], deliveries: Sequence[Delivery]
    ) -> None:
        """A replay's new state and the deliveries of the events it just replayed."""
        ...
