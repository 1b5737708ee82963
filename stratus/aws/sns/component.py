"""The topics component: SNS over the topics service, its store, its delivery loop and
Step Functions' ``sns:publish`` integration.

Deliveries to SQS and Lambda go through the platform's in-process AWS caller, so this
component needs no other component: an SQS or Lambda subscriber is reached the way an
SDK reaches it, and a missing one fails the attempt like a missing endpoint on AWS.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from stratus.aws.component import BackgroundTask, Component, IntegrationEntry, PlatformContext
from stratus.aws.sns.errors import error_code
from stratus.aws.sns.integration import SnsPublishIntegration, is_sns_publish
from stratus.aws.sns.provider import SnsProvider
from stratus.aws.sns.sent_route import AsgiApp, SentRoute
from stratus.services.topics.service import TopicsService
from stratus.services.topics.sqlite import MIGRATIONS, SQLiteTopicsRepository

__all__ = ["TopicsComponent"]


class TopicsComponent(Component):
    name = "topics"
    migrations = MIGRATIONS

    def __init__(self, ctx: PlatformContext) -> None:
        super().__init__(ctx)
        self.topics = TopicsService(
            SQLiteTopicsRepository(ctx.db), ctx.aws_caller, ctx.endpoint_url, error_code
        )
        self._sns = SnsProvider(self.topics)
        self._integration = SnsPublishIntegration(self.topics.publisher)

    def providers(self) -> Mapping[str, object]:
        return {"sns": self._sns}

    def routes(self, fallback: AsgiApp) -> AsgiApp:
        """The control port's app for requests that are no AWS call: the messages sent to
        devices and phones (``/_stratus/sns/sent``) here, the rest to ``fallback``."""
        return SentRoute(self.topics, self.ctx.region, fallback)

    def integrations(self) -> Iterable[IntegrationEntry]:
        return (IntegrationEntry("sns:publish", is_sns_publish, self._integration),)

    async def start(self) -> None:
        await self.topics.load()

    def background(self) -> Iterable[BackgroundTask]:
        return (BackgroundTask("sns-delivery", self.topics.dispatcher.run),)

    def begin_shutdown(self) -> None:
        self.topics.dispatcher.pause()

    async def drain(self) -> None:
        await self.topics.dispatcher.wait_idle()
