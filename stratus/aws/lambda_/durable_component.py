"""Durable functions as a component of their own: the execution store (own schema),
the scheduler task, and the Lambda API's durable operations attached to the Lambda
provider the functions component serves."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from stratus.aws.component import BackgroundTask, Component, PlatformContext
from stratus.aws.lambda_.component import FunctionsComponent
from stratus.aws.lambda_.durable import DurableApi
from stratus.services.durable.ports import InvocationOutcome, Target
from stratus.services.durable.service import DurableService
from stratus.services.durable.sqlite import DURABLE_MIGRATIONS, SQLiteDurableStore
from stratus.services.functions.invocations import Invocations
from stratus.services.functions.names import parse_function_name
from stratus.services.functions.registry import FunctionRegistry
from stratus.services.scope import Scope

__all__ = ["DurableComponent"]


class RegistryPort:
    """The functions service seen through ``services.durable.ports.FunctionPort``."""

    def __init__(self, registry: FunctionRegistry, invocations: Invocations) -> None:
        self._registry = registry
        self._invocations = invocations

    def resolve(self, name: str, qualifier: str | None, scope_arn: str) -> Target:
        parts = scope_arn.split(":")
        scope = Scope(account=parts[4], region=parts[3])
        ref = parse_function_name(name, qualifier)
        function_id = ref.function_id(scope)
        config = self._registry.route(function_id, ref.qualifier)
        return Target(config.arn, config.version, config.durable_config)

    async def invoke(self, function_arn: str, version: str, payload: bytes) -> InvocationOutcome:
        response = await self._invocations.invoke(function_arn, version, payload)
        return InvocationOutcome(response.payload, response.function_error, response.request_id)


class DurableComponent(Component):
    name: ClassVar[str] = "durable"
    migrations = DURABLE_MIGRATIONS

    def __init__(self, ctx: PlatformContext) -> None:
        super().__init__(ctx)
        functions = ctx.require(FunctionsComponent)
        self.port = RegistryPort(functions.registry, functions.invocations)
        self.store = SQLiteDurableStore(ctx.db)
        self.service = DurableService(self.store, self.port)
        provider = functions.providers()["lambda"]
        assert isinstance(provider, DurableApi)
        provider.attach_durable(self.service, self.port)

    async def start(self) -> None:
        await self.service.load()

    def background(self) -> Iterable[BackgroundTask]:
        return (BackgroundTask("durable-scheduler", self.service.run),)

    def begin_shutdown(self) -> None:
        self.service.pause()
