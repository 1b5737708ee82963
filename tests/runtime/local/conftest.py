"""Fixtures: one event loop and one factory (so one zygote) for the whole session.

Starting a zygote costs an interpreter start and boto3's import; the tests share it, as
the server does. Each test writes its own function code under ``tmp_path``.
"""

from __future__ import annotations

import asyncio
import textwrap
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from stratus.runtime.environment import FunctionSpec, InvokeRequest, LaunchConfig
from stratus.runtime.local.factory import LocalEnvironmentFactory

T = TypeVar("T")
ACCOUNT_ARN = "arn:aws:lambda:us-east-1:000000000000:function:"


@pytest.fixture(scope="session")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="session")
def run(loop: asyncio.AbstractEventLoop) -> Callable[[Awaitable[T]], T]:
    def run(aw: Awaitable[T], timeout: float = 60.0) -> T:
        async def bounded() -> T:
            async with asyncio.timeout(timeout):
                return await aw

        return loop.run_until_complete(bounded())

    return run


@pytest.fixture(scope="session")
def factory(
    run: Callable[[Awaitable[Any]], Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalEnvironmentFactory]:
    factory = LocalEnvironmentFactory(work_dir=str(tmp_path_factory.mktemp("work")))
    run(factory.start())
    yield factory
    run(factory.close())


def write_code(root: Path, files: dict[str, str]) -> str:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return str(root)


def launch_for(
    code_dir: str,
    handler: str = "app.handler",
    *,
    tmp_dir: str,
    env: dict[str, str] | None = None,
    runtime: str = "python3.11",
    snapshot: bool = False,
    layers: tuple[str, ...] = (),
    name: str | None = None,
) -> LaunchConfig:
    name = name or "fn-" + uuid.uuid4().hex[:8]
    spec = FunctionSpec(
        function_name=name,
        function_arn=ACCOUNT_ARN + name,
        version="$LATEST",
        runtime=runtime,
        handler=handler,
        code_dir=code_dir,
        code_sha256=uuid.uuid4().hex,
        memory_mb=256,
        layer_dirs=layers,
        snapshot=snapshot,
        revision=uuid.uuid4().hex,
    )
    variables = {
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/" + name,
        "AWS_LAMBDA_LOG_STREAM_NAME": "2026/01/01/[$LATEST]abc",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "LAMBDA_TASK_ROOT": code_dir,
    }
    variables.update(env or {})
    return LaunchConfig(spec=spec, env=variables, tmp_dir=tmp_dir)


def request(
    payload: bytes = b"{}",
    *,
    request_id: str | None = None,
    arn: str = ACCOUNT_ARN + "fn",
    remaining_ms: float = 3000.0,
    **extra: Any,
) -> InvokeRequest:
    return InvokeRequest(
        request_id=request_id or str(uuid.uuid4()),
        payload=payload,
        invoked_function_arn=arn,
        deadline_epoch_ms=time.time() * 1000 + remaining_ms,
        **extra,
    )
