"""One real platform (functions, runtime, store, AWS app) shared by the integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stratus.aws.sdk_caller import SdkCaller
from stratus.workflows.integrations.base import IntegrationRegistry
from stratus.workflows.integrations.registry import build_registry

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
    platform = platform_thread.platform
    return build_registry(
        invocations=platform.invocations,
        aws_caller=SdkCaller(platform.app, region=platform.config.region),
    )


@pytest.fixture
def starter_registry(platform_thread: PlatformThread) -> tuple[IntegrationRegistry, DriverStarter]:
    """A registry with states:startExecution on a fresh DriverStarter."""
    platform = platform_thread.platform
    registry = IntegrationRegistry()
    starter = DriverStarter(registry)
    build_registry(
        invocations=platform.invocations,
        starter=starter,
        aws_caller=SdkCaller(platform.app, region=platform.config.region),
        registry=registry,
    )
    return registry, starter
