"""The templates component: CloudFormation (with the SAM transform) over the stacks service.

Resources are provisioned through the platform's in-process AWS caller, so this
component needs no other component and sees each service's own validation.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

from stratus.aws.cloudformation.provider import CloudFormationProvider
from stratus.aws.cloudformation.responses import AsgiApp, ResponseRoute
from stratus.aws.component import BackgroundTask, Component, PlatformContext
from stratus.services.stacks.custom import CustomResponses
from stratus.services.stacks.service import StacksService
from stratus.services.stacks.sqlite import STACKS_MIGRATIONS, SQLiteStackStore
from stratus.services.stacks.stack_sets import StackSetsService

__all__ = ["CUSTOM_RESOURCE_TIMEOUT_ENV", "StacksComponent"]

#: How long a custom resource waits for its response when the template sets no
#: ServiceTimeout: an hour, as on AWS, unless this variable names other seconds.
CUSTOM_RESOURCE_TIMEOUT_ENV = "STRATUS_CUSTOM_RESOURCE_TIMEOUT"
_DEFAULT_TIMEOUT_S = 3600.0


class StacksComponent(Component):
    name = "stacks"
    migrations = STACKS_MIGRATIONS

    def __init__(self, ctx: PlatformContext) -> None:
        super().__init__(ctx)
        store = SQLiteStackStore(ctx.db)
        self.responses = CustomResponses(ctx.endpoint_url, _default_timeout(), store)
        self.stacks = StacksService(store, ctx.aws_caller, self.responses)
        self.stack_sets = StackSetsService(store, self.stacks)
        self._provider = CloudFormationProvider(self.stacks, self.stack_sets)

    def providers(self) -> Mapping[str, object]:
        return {"cloudformation": self._provider}

    async def start(self) -> None:
        await self.stacks.load()
        await self.stack_sets.load()

    def routes(self, fallback: AsgiApp) -> AsgiApp:
        """The control port's app for requests that are no AWS call: custom resources'
        ResponseURLs here, the rest to ``fallback``."""
        return ResponseRoute(self.responses, fallback)

    def background(self) -> Iterable[BackgroundTask]:
        return (
            BackgroundTask("stack-operations", self.stacks.run),
            BackgroundTask("stack-set-operations", self.stack_sets.run),
        )

    async def drain(self) -> None:
        await self.stacks.wait_idle()


def _default_timeout() -> float:
    raw = os.environ.get(CUSTOM_RESOURCE_TIMEOUT_ENV, "")
    try:
        return float(raw) if raw else _DEFAULT_TIMEOUT_S
    except ValueError:
        raise ValueError(f"{CUSTOM_RESOURCE_TIMEOUT_ENV} must be a number of seconds") from None
