"""The schedules component: EventBridge Scheduler over the schedules service and its timer.

Firings are delivered by the event bus's outbox and dispatcher (one delivery engine with
retry policies and dead-letter queues for rules and schedules alike), so this component
comes after EventsComponent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from stratus.aws.component import BackgroundTask, Component, PlatformContext
from stratus.aws.events.component import EventsComponent
from stratus.aws.scheduler.provider import SchedulerProvider
from stratus.services.schedules.service import SchedulesService
from stratus.services.schedules.sqlite import MIGRATIONS, SQLiteSchedulesRepository

__all__ = ["SchedulesComponent"]


class SchedulesComponent(Component):
    name = "schedules"
    migrations = MIGRATIONS

    def __init__(self, ctx: PlatformContext) -> None:
        super().__init__(ctx)
        events = ctx.require(EventsComponent)
        self.schedules = SchedulesService(
            SQLiteSchedulesRepository(ctx.db), events.events.dispatcher
        )
        self._provider = SchedulerProvider(self.schedules)

    def providers(self) -> Mapping[str, object]:
        return {"scheduler": self._provider}

    async def start(self) -> None:
        await self.schedules.load()

    def background(self) -> Iterable[BackgroundTask]:
        return (BackgroundTask("schedules-timer", self.schedules.timers.run),)

    def begin_shutdown(self) -> None:
        self.schedules.timers.pause()
