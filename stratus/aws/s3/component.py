"""The object store component: S3 over the objects service, its byte store, its tables
and the notification delivery loop.

Notifications reach functions, queues and topics through the platform's in-process AWS
caller; EventBridge deliveries go to the bus service directly when it is built (it is
listed before this component), as a trusted ``aws.s3`` source.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from stratus.aws.component import BackgroundTask, Component, IntegrationEntry, PlatformContext
from stratus.aws.events.component import EventsComponent
from stratus.aws.s3.eventbridge import BusHook
from stratus.aws.s3.integration import S3Integration, is_s3_get_object, is_s3_put_object
from stratus.aws.s3.provider import S3Provider
from stratus.gateway.app import FrontDoor
from stratus.gateway.s3_website import WebsiteApp
from stratus.services.objects.bytestore import ByteStore
from stratus.services.objects.delivery import NotificationDelivery
from stratus.services.objects.lifecycle import LifecycleSweeper
from stratus.services.objects.service import ObjectsService
from stratus.services.objects.sqlite import MIGRATIONS

__all__ = ["ObjectsComponent"]


class ObjectsComponent(Component):
    name = "objects"
    migrations = MIGRATIONS

    def __init__(self, ctx: PlatformContext) -> None:
        super().__init__(ctx)
        files = ByteStore(ctx.data_dir / "objects", sync_directories=ctx.durability == "full")
        self.delivery = NotificationDelivery(ctx.db, ctx.aws_caller, ctx.region)
        if any(isinstance(c, EventsComponent) for c in ctx.components):
            self.delivery.eventbridge = BusHook(ctx.require(EventsComponent).events)
        self.objects = ObjectsService(ctx.db, files, self.delivery)
        self.objects.restore_delay_s = ctx.limits.s3_restore_delay_s
        self.lifecycle = LifecycleSweeper(self.objects)
        self.objects.settings_changed = self._setting_changed
        self._s3 = S3Provider(self.objects, ctx.endpoint_url)
        self._integration = S3Integration(ctx.aws_caller)

    def _setting_changed(self, name: str) -> None:
        if name == "lifecycle":
            self.lifecycle.wake()

    def providers(self) -> Mapping[str, object]:
        return {"s3": self._s3}

    def front_doors(self) -> Iterable[FrontDoor]:
        return (FrontDoor("s3-website", WebsiteApp(self.objects)),)

    def integrations(self) -> Iterable[IntegrationEntry]:
        return (
            IntegrationEntry("s3:getObject", is_s3_get_object, self._integration.get_object),
            IntegrationEntry("s3:putObject", is_s3_put_object, self._integration.put_object),
        )

    async def start(self) -> None:
        await self.objects.load()

    def background(self) -> Iterable[BackgroundTask]:
        return (
            BackgroundTask("s3-notifications", self.delivery.run),
            BackgroundTask("s3-lifecycle", self.lifecycle.run),
        )

    def begin_shutdown(self) -> None:
        self.delivery.pause()
        self.lifecycle.pause()

    async def drain(self) -> None:
        await self.delivery.wait_idle()
