"""What the schedules service needs from persistence."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from stratus.services.events.outbox import Delivery
from stratus.services.schedules.model import Group, Schedule


class SchedulesRepository(Protocol):
    async def load(self) -> tuple[list[Group], list[Schedule]]: ...
    async def put_group(self, group: Group) -> None: ...
    async def delete_group(self, group_arn: str, schedule_arns: Sequence[str]) -> None:
        """The group and the given schedules of it, in one write."""
        ...

    async def put_schedule(self, schedule: Schedule, group_arn: str) -> None: ...
    async def delete_schedule(self, arn: str) -> None: ...
    async def fire(
        self, schedule: Schedule, group_arn: str, deliveries: Sequence[Delivery], *, delete: bool
    ) -> None:
        """A firing's outbox rows and the schedule's new state (or deletion), in one write."""
        ...
