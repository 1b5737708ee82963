"""One real platform (functions, runtime, store, AWS app) shared by the integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stratus.aws.lambda_.component import FunctionsComponent
from stratus.aws.sdk_caller import SdkCaller
from stratus.workflows.integrations.base import IntegrationRegistry
from stratus.workflows.integrations.sdk import AwsSdkIntegration, is_aws_sdk
from stratus.workflows.integrations.states import StartExecutionIntegration, is_start_execution

from .harness import DriverStarter, PlatformThread


@pytest.fixture(scope="session")
def platform_thread(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlatformThread]:
    thread = PlatformThread(Path(tmp_path_factory.mktemp("integrations")))
    try:
        yield thread
    finally:
        thread.close()


@pytest.fixture(scope="session")
def registry(platform_thread: PlatformThread) -> IntegrationRegistry:
    """Every integration of this layer, on the shared platform (no ExecutionStarter)."""
    return _registry(platform_thread)


def _registry(platform_thread: PlatformThread) -> IntegrationRegistry:
    """The functions component's integrations plus the generic aws-sdk one."""
    platform = platform_thread.platform
    registry = IntegrationRegistry()
    registry.extend(platform.component(FunctionsComponent).integrations())
    caller = SdkCaller(platform.app, region=platform.config.region)
    registry.add("aws-sdk", is_aws_sdk, AwsSdkIntegration(caller), generic=True)
    return registry


@pytest.fixture
def starter_registry(platform_thread: PlatformThread) -> tuple[IntegrationRegistry, DriverStarter]:
    """A registry with states:startExecution on a fresh DriverStarter."""
    registry = _registry(platform_thread)
    starter = DriverStarter(registry)
    registry.add("states:startExecution", is_start_execution, StartExecutionIntegration(starter))
    return registry, starter
