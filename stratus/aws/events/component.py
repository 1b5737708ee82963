"""The event bus component: EventBridge over the event bus service, its outbox delivery,
its scheduled-rule timer, and Step Functions' ``events:putEvents`` integration.

Other components publish with ``ctx.require(EventsComponent).events.put_events(scope,
entries, trusted=True)`` (S3's EventBridge notifications): the same path as PutEvents,
answered after the matched deliveries are committed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from stratus.aws.component import BackgroundTask, Component, IntegrationEntry, PlatformContext
from stratus.aws.events.integration import PutEventsIntegration, is_put_events
from stratus.aws.events.provider import EventsProvider
from stratus.aws.events.universal import model_parameters
from stratus.services.events.service import EventsService
from stratus.services.events.sqlite import MIGRATIONS, SQLiteEventsRepository

__all__ = ["EventsComponent"]


class EventsComponent(Component):
    name = "events"
    migrations = MIGRATIONS

    def __init__(self, ctx: PlatformContext) -> None:
        super().__init__(ctx)
        self.repository = SQLiteEventsRepository(ctx.db)
        # EventBridge backs off from about a second; --async-retry-delay shortens it too.
        retry_base = min(1.0, ctx.limits.async_retry_base_s)
        self.events = EventsService(
            self.repository,
            ctx.aws_caller,
            retry_base_s=retry_base,
            universal_params=model_parameters,  # SDK-style names -> the model's
        )
        self._provider = EventsProvider(self.events)
        self._integration = PutEventsIntegration(self.events)

    def providers(self) -> Mapping[str, object]:
        return {"events": self._provider}

    def integrations(self) -> Iterable[IntegrationEntry]:
        return (IntegrationEntry("events:putEvents", is_put_events, self._integration),)

    async def start(self) -> None:
        await self.events.load()

    def background(self) -> Iterable[BackgroundTask]:
        return (
            BackgroundTask("events-delivery", self.events.dispatcher.run),
            BackgroundTask("events-schedule", self.events.timers.run),
            BackgroundTask("events-jobs", self.events.jobs.run),
            BackgroundTask("events-archive-retention", self.events.expire_archives),
        )

    def begin_shutdown(self) -> None:
        self.events.timers.pause()
        self.events.dispatcher.pause()

    async def drain(self) -> None:
        await self.events.dispatcher.wait_idle()

    async def stop(self) -> None:
        await self.events.close()
