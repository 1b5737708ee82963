"""The templates component: CloudFormation (with the SAM transform) over the stacks service.

Resources are provisioned through the platform's in-process AWS caller, so this
component needs no other component and sees each service's own validation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from stratus.aws.cloudformation.provider import CloudFormationProvider
from stratus.aws.component import BackgroundTask, Component, PlatformContext
from stratus.services.stacks.service import StacksService
from stratus.services.stacks.sqlite import STACKS_MIGRATIONS, SQLiteStackStore

__all__ = ["StacksComponent"]


class StacksComponent(Component):
    name = "stacks"
    migrations = STACKS_MIGRATIONS

    def __init__(self, ctx: PlatformContext) -> None:
        super().__init__(ctx)
        self.stacks = StacksService(SQLiteStackStore(ctx.db), ctx.aws_caller)
        self._provider = CloudFormationProvider(self.stacks)

    def providers(self) -> Mapping[str, object]:
        return {"cloudformation": self._provider}

    async def start(self) -> None:
        await self.stacks.load()

    def background(self) -> Iterable[BackgroundTask]:
        return (BackgroundTask("stack-operations", self.stacks.run),)

    async def drain(self) -> None:
        await self.stacks.wait_idle()
