"""Functions: the Lambda API, the runtime that runs functions, and their logs.

One component because they share one lifecycle: the invoker's environments, the durable
queue of Event invocations and the function log groups all hang off the function registry.
The CloudWatch Logs API is the logs component's (aws/logs/component.py), over the
log store and sink built here.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import ClassVar

from stratus.aws.component import BackgroundTask, Component, FrontDoor, PlatformContext
from stratus.aws.iam.component import IdentityComponent
from stratus.aws.lambda_.provider import LambdaProvider
from stratus.aws.lambda_.s3_code import S3CodeReader
from stratus.aws.lambda_.url_access import UrlAccessPolicy
from stratus.gateway.function_urls.app import FunctionUrlApp
from stratus.runtime.environment import FunctionSpec, LaunchConfig
from stratus.runtime.invoker import Invoker
from stratus.runtime.lambda_env import PlatformEnv, lambda_environment, log_stream_name
from stratus.runtime.local.factory import LocalEnvironmentFactory
from stratus.services.event_sources.engine import EventSourceMappings
from stratus.services.event_sources.sqlite import SQLiteMappingStore
from stratus.services.functions.async_dispatch import AsyncDispatcher
from stratus.services.functions.capacity_providers import CapacityProviders
from stratus.services.functions.code import CodeStore
from stratus.services.functions.code_signing import CodeSigningConfigs
from stratus.services.functions.destinations import Destinations
from stratus.services.functions.function_urls import FunctionUrls
from stratus.services.functions.invocations import Invocations
from stratus.services.functions.layers import LayerRegistry
from stratus.services.functions.provisioned import ProvisionedConcurrency
from stratus.services.functions.registry import FunctionRegistry
from stratus.services.functions.sqlite.capacity_providers import SQLiteCapacityProviderStore
from stratus.services.functions.sqlite.code_signing import SQLiteCodeSigningStore
from stratus.services.functions.sqlite.function_urls import SQLiteUrlConfigStore
from stratus.services.functions.sqlite.functions import SQLiteFunctionStore
from stratus.services.functions.sqlite.invocations import SQLiteAsyncInvocationStore
from stratus.services.functions.sqlite.schema import FUNCTIONS_MIGRATIONS
from stratus.services.logs.service import LogService
from stratus.services.logs.sink import BufferedLogSink
from stratus.services.logs.sqlite import SQLiteLogStore
from stratus.workflows.integrations.arns import is_function_arn
from stratus.workflows.integrations.base import IntegrationEntry
from stratus.workflows.integrations.lambda_ import LambdaIntegration, is_lambda_invoke

__all__ = ["FunctionsComponent"]


class FunctionsComponent(Component):
    name: ClassVar[str] = "functions"
    migrations = FUNCTIONS_MIGRATIONS

    def __init__(self, ctx: PlatformContext) -> None:
        super().__init__(ctx)
        data = ctx.data_dir
        self.code = CodeStore(ctx.blobs, data / "code", unzipped_limit=ctx.limits.unzipped_bytes)
        self.function_store = SQLiteFunctionStore(ctx.db)
        self.async_store = SQLiteAsyncInvocationStore(ctx.db)
        self.log_store = SQLiteLogStore(ctx.db)
        self.layers = LayerRegistry(self.function_store, self.code)
        self.registry = FunctionRegistry(self.function_store, self.code, self.layers, ctx.limits)
        self._tmp_root = data / "tmp"
        self._run_dir = data / "run"
        # The data directory (store, blobs, code) is out of every environment's sight.
        self.factory = LocalEnvironmentFactory(work_dir=str(self._run_dir), hidden=[str(data)])
        self._platform_env = PlatformEnv(region=ctx.region, endpoint_url=ctx.endpoint_url)
        self.log_sink = BufferedLogSink(self.log_store)
        self.invoker = Invoker(
            factory_for=lambda _spec: self.factory,
            launch_for=self._launch_for,
            limits=ctx.limits,
            log_sink=self.log_sink,
        )
        self.invocations = Invocations(
            self.registry, self.code, self.invoker, self.async_store, ctx.limits
        )
        self.destinations = Destinations(ctx.aws_caller)
        self.dispatcher = AsyncDispatcher(
            self.async_store,
            self.invocations,
            self.registry,
            ctx.limits,
            destinations=self.destinations,
        )
        self.provisioned = ProvisionedConcurrency(
            self.registry, self.invocations, self.invoker.provisioner, ctx.limits
        )
        # The event source mapping engine; sources (SQS, streams) register with it from
        # their own components: ``ctx.require(FunctionsComponent).event_sources.register``.
        self.event_sources = EventSourceMappings(
            SQLiteMappingStore(ctx.db), self.registry, self.invocations
        )
        self.log_service = LogService(self.log_store, self.registry)
        self.code_signing = CodeSigningConfigs(SQLiteCodeSigningStore(ctx.db), self.registry)
        self.function_urls = FunctionUrls(SQLiteUrlConfigStore(ctx.db), self.registry)
        self.capacity_providers = CapacityProviders(
            SQLiteCapacityProviderStore(ctx.db), self._capacity_provider_users
        )
        self._lambda = LambdaProvider(
            self.registry,
            self.layers,
            self.invocations,
            ctx.limits,
            self.provisioned,
            code_signing=self.code_signing,
            event_sources=self.event_sources,
            function_urls=self.function_urls,
            capacity_providers=self.capacity_providers,
            gateway_port=ctx.gateway_port,
            s3_code=S3CodeReader(ctx.aws_caller),
        )
        self.url_door = FunctionUrlApp(
            self.function_urls,
            self.invocations,
            self._url_access(),
            gateway_port=ctx.gateway_port,
            max_request_bytes=ctx.limits.sync_payload_bytes,
        )
        self._integration = LambdaIntegration(self.invocations)

    def _capacity_provider_users(self, arn: str) -> Iterator[tuple[str, str]]:
        """(qualified ARN, state) of each function version that names provider ``arn``."""
        for name in self.registry.names():
            for config in self.registry.versions(name):
                named = config.capacity_provider_config or {}
                if named.get("CapacityProviderArn") == arn:
                    yield config.qualified_arn, config.state

    def _url_access(self) -> UrlAccessPolicy:
        """Function URLs' access checks; AWS_IAM needs the identity service's secrets."""
        try:
            identity = self.ctx.require(IdentityComponent).identity
        except LookupError:
            identity = None

        def secret_for(access_key: str) -> str | None:
            return None if identity is None else identity.signing_secret(access_key)

        def session_token_for(access_key: str) -> str | None:
            """The token STS issued with temporary credentials (None: a long-term key);
            expired credentials have no valid token at all."""
            if identity is None:
                return None
            session = identity.state.sessions.get(access_key)
            if session is None:
                return None
            return session.token if session.expires > identity.state.clock() else ""

        def caller_for(access_key: str, account: str) -> dict[str, object]:
            user_id = arn = account
            if identity is not None:
                caller = identity.tokens.caller(access_key, account)
                user_id, arn = caller.user_id, caller.arn
            return {
                "accessKey": access_key,
                "accountId": account,
                "callerId": user_id,
                "cognitoIdentity": None,
                "principalOrgId": None,
                "userArn": arn,
                "userId": user_id,
            }

        return UrlAccessPolicy(
            self.registry,
            secret_for,
            caller_for,
            self.ctx.accounts.account_for,
            session_token_for,
        )

    def front_doors(self) -> Iterable[FrontDoor]:
        return (FrontDoor("lambda-url", self.url_door),)

    def _launch_for(self, spec: FunctionSpec) -> LaunchConfig:
        env = lambda_environment(
            spec,
            self._platform_env,
            log_stream=log_stream_name(spec.version),
            initialization_type="snap-start" if spec.snapshot else "on-demand",
        )
        tmp_dir = str(self._tmp_root / uuid.uuid4().hex)
        return LaunchConfig(spec, env, tmp_dir, self.ctx.limits.init_timeout_s)

    def providers(self) -> Mapping[str, object]:
        return {"lambda": self._lambda}

    def integrations(self) -> Iterable[IntegrationEntry]:
        return (
            IntegrationEntry("lambda:invoke", is_lambda_invoke, self._integration.invoke),
            IntegrationEntry(
                "lambda:function", is_function_arn, self._integration.invoke_function_arn
            ),
        )

    async def start(self) -> None:
        self._prepare_dirs()
        snapshot = await self.function_store.load()
        self.layers.load(snapshot.layers)
        await self.registry.load()
        await self.code_signing.load()
        await self.function_urls.load()
        await self.capacity_providers.load()
        await self.log_service.load()
        for name in self.registry.names():
            self.invocations.set_reserved(name, self.registry.record(name).reserved_concurrency)
        self.provisioned.restore()
        await self.event_sources.load()
        await self.factory.start(warm=True)  # zygotes start in the background

    def _prepare_dirs(self) -> None:
        # Private /tmp directories of environments from an earlier run are garbage now.
        shutil.rmtree(self._tmp_root, ignore_errors=True)
        self._tmp_root.mkdir(parents=True, exist_ok=True)
        os.makedirs(self._run_dir, exist_ok=True)

    def background(self) -> Iterable[BackgroundTask]:
        return (
            BackgroundTask("invoker-housekeeping", self.invoker.run),
            BackgroundTask("function-lifecycle", self.registry.run),
            BackgroundTask("async-dispatch", self.dispatcher.run),
            BackgroundTask("event-source-mappings", self.event_sources.supervisor.run),
        )

    def begin_shutdown(self) -> None:
        self.dispatcher.pause()
        self.event_sources.supervisor.pause()

    async def drain(self) -> None:
        await self.event_sources.supervisor.wait_idle()
        await self.invoker.wait_idle()

    async def stop(self) -> None:
        self.invoker.close()
        await self.factory.close()
        self.log_sink.flush()
