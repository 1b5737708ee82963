"""Durable functions as a component of their own: the execution store (own schema),
the scheduler task, and the Lambda API's durable operations attached to the Lambda
provider the functions component serves."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from stratus.aws.component import BackgroundTask, Component, PlatformContext
from stratus.aws.lambda_.component import FunctionsComponent
from stratus.aws.lambda_.durable import DurableApi
from stratus.runtime.ids import new_request_id
from stratus.services.durable.invocation import SYNC_LIMIT_S, UNQUALIFIED, invocation_answer
from stratus.services.durable.ports import InvocationOutcome, Target
from stratus.services.durable.service import DurableService
from stratus.services.durable.sqlite import DURABLE_MIGRATIONS, SQLiteDurableStore
from stratus.services.functions.errors import InvalidParameter
from stratus.services.functions.invocations import Invocations, InvokeResponse
from stratus.services.functions.model import FunctionConfig
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
        return Target(config.arn, config.version, config.durable_config, ref.qualifier is not None)

    async def invoke(self, function_arn: str, version: str, payload: bytes) -> InvocationOutcome:
        response = await self._invocations.invoke(
            function_arn, version, payload, durable_envelope=True
        )
        return InvocationOutcome(response.payload, response.function_error, response.request_id)


class StartOnInvoke:
    """``Invocations.durable_route``: an event for a durable function (from Step
    Functions, an event source mapping, a queued Event) starts a durable execution."""

    def __init__(self, service: DurableService) -> None:
        self._service = service

    async def invoke(
        self, config: FunctionConfig, qualifier: str | None, payload: bytes, *, wait: bool
    ) -> InvokeResponse:
        if qualifier is None:
            raise InvalidParameter(UNQUALIFIED)
        target = Target(config.arn, config.version, config.durable_config)
        execution = (await self._service.start(target, payload)).execution
        request_id = new_request_id()
        if not wait:
            return InvokeResponse(202, b"", None, config.version, None, request_id)
        done = await self._service.wait_done(
            execution.arn, min(SYNC_LIMIT_S, float(execution.timeout_s))
        )
        body, function_error = invocation_answer(done)
        return InvokeResponse(200, body, function_error, done.version, None, request_id)


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
        functions.invocations.durable_route = StartOnInvoke(self.service)

    async def start(self) -> None:
        await self.service.load()

    def background(self) -> Iterable[BackgroundTask]:
        return (BackgroundTask("durable-scheduler", self.service.run),)

    def begin_shutdown(self) -> None:
        self.service.pause()
