"""The composition root: one list of components, started, routed and stopped in a loop.

Only this module (and the CLI above it) knows every service. Each service is a
:class:`~stratus.aws.component.Component`; ``COMPONENTS`` lists them in dependency order
and the platform treats them all alike: build with the shared context, migrate, collect
their AWS providers and workflow integrations, start, run their background tasks, drain
and stop (in reverse). ``Platform`` is also what tests and benchmarks start in-process to
get a real server without a subprocess.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from stratus.aws.accounts import Accounts
from stratus.aws.apigatewayv2.component import ApisComponent
from stratus.aws.app import AsgiApp, AwsApp
from stratus.aws.cloudformation.component import StacksComponent
from stratus.aws.component import Component, PlatformContext
from stratus.aws.dynamodb.component import TablesComponent
from stratus.aws.events.component import EventsComponent
from stratus.aws.iam.component import IdentityComponent
from stratus.aws.lambda_.component import FunctionsComponent
from stratus.aws.lambda_.durable_component import DurableComponent
from stratus.aws.logs.component import LogsComponent
from stratus.aws.protocol.http import HttpRequest, HttpResponse
from stratus.aws.s3.component import ObjectsComponent
from stratus.aws.scheduler.component import SchedulesComponent
from stratus.aws.sdk_caller import SdkCaller
from stratus.aws.sns.component import TopicsComponent
from stratus.aws.sqs.component import QueuesComponent
from stratus.aws.ssm.component import ParametersComponent
from stratus.aws.stepfunctions.component import WorkflowsComponent
from stratus.console.native import NativeApi
from stratus.gateway.app import GatewayApp
from stratus.runtime.limits import Limits
from stratus.serving.limits import HttpLimits
from stratus.store.blobs import BlobStore
from stratus.store.sqlite.database import SQLiteDatabase
from stratus.workflows.integrations.base import IntegrationRegistry

log = logging.getLogger(__name__)

C = TypeVar("C", bound=Component)

#: Every service of the platform, each listed after the components it builds on.
COMPONENTS: tuple[type[Component], ...] = (
    IdentityComponent,
    FunctionsComponent,
    LogsComponent,
    DurableComponent,
    WorkflowsComponent,
    QueuesComponent,
    TopicsComponent,
    TablesComponent,
    EventsComponent,
    SchedulesComponent,
    ObjectsComponent,
    ApisComponent,
    ParametersComponent,
    StacksComponent,
)


@dataclass(frozen=True, slots=True)
class PlatformConfig:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 4566
    gateway_port: int = 8080
    region: str = "us-east-1"
    durability: str = "normal"  # "full": fsync every group commit (survives power loss)
    limits: Limits = field(default_factory=Limits)
    http: HttpLimits = field(default_factory=HttpLimits)  # the servers' own (docs/limits.md)
    shutdown_grace_s: float = 30.0

    @property
    def endpoint_url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}"


class _LateCaller:
    """The in-process AWS caller handed to components before the app that answers exists
    (the app is built from the components' providers)."""

    def __init__(self) -> None:
        self.caller: SdkCaller | None = None

    async def call(
        self,
        service: str,
        operation: str,
        params: dict[str, Any],
        *,
        account_id: str | None = None,
        region: str | None = None,
        coerce: bool = False,
    ) -> dict[str, Any]:
        assert self.caller is not None, "AWS calls are answered once the platform is built"
        return await self.caller.call(
            service, operation, params, account_id=account_id, region=region, coerce=coerce
        )

    async def send(self, request: HttpRequest) -> HttpResponse | None:
        """A raw AWS API request, answered in-process (REST APIs' AWS integrations)."""
        assert self.caller is not None, "AWS calls are answered once the platform is built"
        return await self.caller.send(request)


class Platform:
    def __init__(
        self, config: PlatformConfig, components: Sequence[type[Component]] = COMPONENTS
    ) -> None:
        self.config = config
        data = config.data_dir
        caller = _LateCaller()
        self.context = PlatformContext(
            data_dir=data,
            region=config.region,
            endpoint_url=config.endpoint_url,
            limits=config.limits,
            durability=config.durability,
            db=SQLiteDatabase(data / "stratus.db", {}, durability=config.durability),
            blobs=BlobStore(data / "blobs", fsync=config.durability == "full"),
            accounts=Accounts(),
            integrations=IntegrationRegistry(),
            aws_caller=caller,
            gateway_port=config.gateway_port,
        )
        self.components: list[Component] = self.context.components
        for kind in components:
            component = kind(self.context)
            self.components.append(component)
            self.context.integrations.extend(component.integrations())
        functions = self.component(FunctionsComponent)
        self.native = NativeApi(
            ready=lambda: self.ready,
            registry=functions.registry,
            region=config.region,
            metrics=functions.invoker.metrics,
            logs=functions.log_store,
            blobs=self.context.blobs,
            apis=self.component(ApisComponent).statistics,
        )
        providers: dict[str, object] = {}
        for component in self.components:
            providers.update(component.providers())
        self.app = AwsApp(
            providers,
            fallback=self._control_routes(),
            default_region=config.region,
            max_body_bytes=config.http.max_body_bytes,
            accounts=self.context.accounts,
        )
        caller.caller = SdkCaller(self.app, region=config.region)
        self.gateway = GatewayApp(
            door for component in self.components for door in component.front_doors()
        )
        self._background: asyncio.Task[None] | None = None
        self._shutting_down = False
        self.ready = False

    @property
    def db(self) -> SQLiteDatabase:
        return self.context.db

    def _control_routes(self) -> AsgiApp:
        """The control port's app for requests that are no AWS call: each component's
        own (in list order), then the native API."""
        app: AsgiApp = self.native
        for component in reversed(self.components):
            app = component.routes(app)
        return app

    def component(self, kind: type[C]) -> C:
        """The running component of type ``kind`` (tests and benchmarks reach in here)."""
        return self.context.require(kind)

    # -- lifecycle -------------------------------------------------------------------
    async def start(self) -> None:
        """Open the store, start every component, then their background work."""
        await asyncio.to_thread(self.config.data_dir.mkdir, parents=True, exist_ok=True)
        # The store and the blobs are the server's alone (functions never reach them:
        # see docs/security.md); 0700 also keeps other local users out.
        await asyncio.to_thread(os.chmod, self.config.data_dir, 0o700)
        await self.db.open({c.name: c.migrations for c in self.components})
        for component in self.components:
            await component.start()
        self._background = asyncio.create_task(self._run_background(), name="stratus-background")
        for component in self.components:
            await component.ready()
        self.ready = True
        log.info(
            "Stratus is ready on %s (data in %s)", self.config.endpoint_url, self.config.data_dir
        )

    async def _run_background(self) -> None:
        async with asyncio.TaskGroup() as tasks:
            for component in self.components:
                for task in component.background():
                    tasks.create_task(task.run(), name=f"{component.name}:{task.name}")

    def begin_shutdown(self) -> None:
        """The server stops accepting requests: release what would hold open ones (once:
        both the signal handler and ``stop`` call this)."""
        if self._shutting_down:
            return
        self._shutting_down = True
        for component in self.components:
            component.begin_shutdown()

    async def stop(self) -> None:
        """Let in-flight work finish (bounded), then stop components in reverse and close."""
        self.ready = False
        self.begin_shutdown()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.config.shutdown_grace_s):
                await asyncio.gather(*(c.drain() for c in self.components))
        if self._background is not None:
            self._background.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._background
        for component in reversed(self.components):
            try:
                await component.stop()
            except Exception:
                log.exception("component %s failed to stop", component.name)
        await self.db.close()

    async def __aenter__(self) -> Platform:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
