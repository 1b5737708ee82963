"""The toy's component: an SQS-shaped provider, a Step Functions integration, a ticker."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from stratus.aws.component import BackgroundTask, Component, PlatformContext
from stratus.aws.context import RequestContext
from stratus.aws.protocol.error_table import ErrorRule, ErrorTable
from stratus.workflows.integrations.base import IntegrationEntry, TaskRequest

from .service import MIGRATIONS, QueueMissing, ToyQueues

SEND_MESSAGE = "arn:aws:states:::sqs:sendMessage"


class ToySqsProvider:
    errors = ErrorTable({QueueMissing: ErrorRule("QueueDoesNotExist")})

    def __init__(self, queues: ToyQueues, endpoint: str) -> None:
        self._queues = queues
        self._endpoint = endpoint

    async def create_queue(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        await self._queues.create(params["QueueName"])
        return {"QueueUrl": f"{self._endpoint}/{ctx.account_id}/{params['QueueName']}"}

    async def send_message(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        body = params["MessageBody"]
        message_id = await self._queues.send(params["QueueUrl"].rsplit("/", 1)[-1], body)
        return {"MessageId": message_id, "MD5OfMessageBody": hashlib.md5(body.encode()).hexdigest()}


class ToyComponent(Component):
    name = "toy"
    migrations = MIGRATIONS

    def __init__(self, ctx: PlatformContext) -> None:
        super().__init__(ctx)
        self.queues = ToyQueues(ctx.db)
        self.ticks = 0
        self.stopped = False
        self._provider = ToySqsProvider(self.queues, ctx.endpoint_url)

    def providers(self) -> Mapping[str, object]:
        return {"sqs": self._provider}

    def integrations(self) -> Iterable[IntegrationEntry]:
        return (IntegrationEntry("sqs:sendMessage", lambda r: r == SEND_MESSAGE, self._send),)

    async def _send(self, request: TaskRequest) -> dict[str, Any]:
        params = request.input
        name = params["QueueUrl"].rsplit("/", 1)[-1]
        return {"MessageId": await self.queues.send(name, params["MessageBody"])}

    async def start(self) -> None:
        await self.queues.load()

    def background(self) -> Iterable[BackgroundTask]:
        return (BackgroundTask("ticker", self._tick),)

    async def _tick(self) -> None:
        while True:
            self.ticks += 1
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        self.stopped = True
