"""The queues component: the SQS API, its Step Functions integrations, housekeeping and
message move tasks, over one queue service and its tables."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from stratus.aws.component import BackgroundTask, Component, PlatformContext
from stratus.aws.lambda_.component import FunctionsComponent
from stratus.aws.sqs.provider import SqsProvider
from stratus.services.event_sources.sqs import SqsSource
from stratus.services.queues.service import QueueService
from stratus.services.queues.sqlite import QUEUES_MIGRATIONS, SQLiteQueueStore
from stratus.workflows.integrations.base import IntegrationEntry
from stratus.workflows.integrations.sqs import SqsIntegration, is_sqs_send_message

__all__ = ["QueuesComponent"]


class QueuesComponent(Component):
    name = "queues"
    migrations = QUEUES_MIGRATIONS

    def __init__(self, ctx: PlatformContext) -> None:
        super().__init__(ctx)
        self.store = SQLiteQueueStore(ctx.db)
        self.queues = QueueService(self.store)
        self._sqs = SqsProvider(self.queues, ctx.endpoint_url)
        self._integration = SqsIntegration(ctx.aws_caller)
        # Queues are a Lambda event source: the functions component's mapping engine polls
        # them through the queue service's in-process API.
        ctx.require(FunctionsComponent).event_sources.register(SqsSource(self.queues))

    def providers(self) -> Mapping[str, object]:
        return {"sqs": self._sqs}

    def integrations(self) -> Iterable[IntegrationEntry]:
        return (IntegrationEntry("sqs:sendMessage", is_sqs_send_message, self._integration.send),)

    async def start(self) -> None:
        await self.queues.load()

    def background(self) -> Iterable[BackgroundTask]:
        return (
            BackgroundTask("queue-housekeeping", self.queues.run_reaper),
            BackgroundTask("queue-move-tasks", self.queues.move_tasks.run),
        )

    def begin_shutdown(self) -> None:
        self.queues.begin_shutdown()
