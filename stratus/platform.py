"""The composition root: builds every layer of a Stratus server and owns their lifetimes.

Only this module (and the CLI above it) knows all layers; each layer below receives what
it needs through its constructor. ``Platform`` is also what tests and benchmarks start
in-process to get a real server without a subprocess.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from stratus.aws.app import AwsApp
from stratus.aws.lambda_.provider import LambdaProvider
from stratus.aws.logs.provider import LogsProvider
from stratus.aws.sdk_caller import SdkCaller
from stratus.aws.stepfunctions.provider import StepFunctionsProvider
from stratus.console.native import NativeApi
from stratus.runtime.environment import FunctionSpec, LaunchConfig
from stratus.runtime.invoker import Invoker
from stratus.runtime.lambda_env import PlatformEnv, lambda_environment, log_stream_name
from stratus.runtime.limits import Limits
from stratus.runtime.local.factory import LocalEnvironmentFactory
from stratus.services.functions.async_dispatch import AsyncDispatcher
from stratus.services.functions.code import CodeStore
from stratus.services.functions.invocations import Invocations
from stratus.services.functions.layers import LayerRegistry
from stratus.services.functions.registry import FunctionRegistry
from stratus.services.logs.service import LogService
from stratus.services.logs.sink import BufferedLogSink
from stratus.store.blobs import BlobStore
from stratus.store.sqlite.database import SQLiteDatabase
from stratus.store.sqlite.functions import SQLiteFunctionStore
from stratus.store.sqlite.invocations import SQLiteAsyncInvocationStore
from stratus.store.sqlite.logs import SQLiteLogStore
from stratus.store.sqlite.schema import MIGRATIONS
from stratus.store.sqlite.workflows import SQLiteWorkflowStore
from stratus.workflows.integrations.base import IntegrationRegistry
from stratus.workflows.integrations.registry import build_registry
from stratus.workflows.service.activities import ActivityService, is_activity
from stratus.workflows.service.executions import ExecutionManager
from stratus.workflows.service.machines import StateMachineRegistry
from stratus.workflows.service.single_state import StateTester

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PlatformConfig:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 4566
    gateway_port: int = 8080
    region: str = "us-east-1"
    durability: str = "normal"  # "full": fsync every group commit (survives power loss)
    limits: Limits = field(default_factory=Limits)
    shutdown_grace_s: float = 30.0

    @property
    def endpoint_url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}"


class Platform:
    def __init__(self, config: PlatformConfig) -> None:
        self.config = config
        data = config.data_dir
        self.db = SQLiteDatabase(data / "stratus.db", MIGRATIONS, durability=config.durability)
        self.blobs = BlobStore(data / "blobs", fsync=config.durability == "full")
        self.code = CodeStore(
            self.blobs, data / "code", unzipped_limit=config.limits.unzipped_bytes
        )
        self.function_store = SQLiteFunctionStore(self.db)
        self.async_store = SQLiteAsyncInvocationStore(self.db)
        self.log_store = SQLiteLogStore(self.db)
        self.layers = LayerRegistry(self.function_store, self.code)
        self.registry = FunctionRegistry(
            self.function_store, self.code, self.layers, config.limits, config.region
        )
        self._tmp_root = data / "tmp"
        self.factory = LocalEnvironmentFactory(work_dir=str(data / "run"))
        self._platform_env = PlatformEnv(region=config.region, endpoint_url=config.endpoint_url)
        self.log_sink = BufferedLogSink(self.log_store)
        self.invoker = Invoker(
            factory_for=lambda _spec: self.factory,
            launch_for=self._launch_for,
            limits=config.limits,
            log_sink=self.log_sink,
        )
        self.invocations = Invocations(
            self.registry, self.code, self.invoker, self.async_store, config.limits
        )
        self.dispatcher = AsyncDispatcher(
            self.async_store, self.invocations, self.registry, config.limits
        )
        self.lambda_provider = LambdaProvider(
            self.registry, self.layers, self.invocations, config.limits
        )
        self.native = NativeApi(
            ready=lambda: self.ready,
            registry=self.registry,
            metrics=self.invoker.metrics,
            logs=self.log_store,
            blobs=self.blobs,
        )
        self.log_service = LogService(self.log_store, self.registry)
        self.workflow_store = SQLiteWorkflowStore(self.db)
        self.state_machines = StateMachineRegistry(self.workflow_store)
        self.activities = ActivityService(self.workflow_store, region=config.region)
        self.integrations = IntegrationRegistry()
        self.integrations.add("activity", is_activity, self.activities.schedule)
        self.executions = ExecutionManager(
            self.workflow_store, self.state_machines, self.integrations, region=config.region
        )
        self.activities.is_pending = self.executions.task_pending
        self.app = AwsApp(
            {
                "lambda": self.lambda_provider,
                "logs": LogsProvider(self.log_service),
                "stepfunctions": StepFunctionsProvider(
                    self.state_machines,
                    self.executions,
                    self.activities,
                    StateTester(self.integrations),
                ),
            },
            fallback=self.native,
            default_region=config.region,
        )
        # Task integrations each service contributes; activities were added above.
        build_registry(
            invocations=self.invocations,
            starter=self.executions,
            aws_caller=SdkCaller(self.app, region=config.region),
            registry=self.integrations,
        )
        self._tasks: asyncio.TaskGroup | None = None
        self._background: asyncio.Task[None] | None = None
        self._releasing: asyncio.Future[None] | None = None
        self.ready = False

    def _launch_for(self, spec: FunctionSpec) -> LaunchConfig:
        env = lambda_environment(
            spec,
            self._platform_env,
            log_stream=log_stream_name(spec.version),
            initialization_type="snap-start" if spec.snapshot else "on-demand",
        )
        tmp_dir = str(self._tmp_root / uuid.uuid4().hex)
        return LaunchConfig(spec, env, tmp_dir, self.config.limits.init_timeout_s)

    # -- lifecycle -------------------------------------------------------------------
    async def start(self) -> None:
        """Open the store, load state and start background work (pollers, reaper)."""
        await asyncio.to_thread(self._prepare_dirs)
        await self.db.open()
        snapshot = await self.function_store.load()
        self.layers.load(snapshot.layers)
        await self.registry.load()
        await self.state_machines.load()
        await self.activities.load()
        for name in self.registry.names():
            self.invocations.set_reserved(name, self.registry.record(name).reserved_concurrency)
        await self.factory.start(warm=True)  # zygotes start in the background
        self._background = asyncio.create_task(self._run_background(), name="stratus-background")
        await self.executions.wait_ready()
        self.ready = True
        log.info(
            "Stratus is ready on %s (data in %s)", self.config.endpoint_url, self.config.data_dir
        )

    def _prepare_dirs(self) -> None:
        self.config.data_dir.mkdir(parents=True, exist_ok=True)
        # Private /tmp directories of environments from an earlier run are garbage now.
        shutil.rmtree(self._tmp_root, ignore_errors=True)
        self._tmp_root.mkdir(parents=True, exist_ok=True)
        os.makedirs(self.config.data_dir / "run", exist_ok=True)

    async def _run_background(self) -> None:
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(self.invoker.run(), name="invoker-housekeeping")
            tasks.create_task(self.dispatcher.run(), name="async-dispatch")
            tasks.create_task(self.executions.run(), name="workflow-executions")

    def begin_shutdown(self) -> None:
        """The server stops accepting requests: release what would hold open ones."""
        self._releasing = asyncio.ensure_future(self.activities.stop_polling())

    async def stop(self) -> None:
        """Let in-flight invocations finish (bounded), then kill environments and close."""
        self.ready = False
        if self._releasing is None:
            self.begin_shutdown()
        self.dispatcher.pause()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.config.shutdown_grace_s):
                await self.invoker.wait_idle()
        if self._background is not None:
            self._background.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._background
        self.invoker.close()
        await self.factory.close()
        self.log_sink.flush()
        await self.db.close()

    async def __aenter__(self) -> Platform:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
