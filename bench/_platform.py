"""An in-process Stratus for the Python-API benchmarks, and the function code they deploy.

The benchmarks start the real composition root (``stratus.platform.Platform``) on a
temporary data directory, so what they measure is what a server runs, minus HTTP.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

from stratus.aws.lambda_.component import FunctionsComponent
from stratus.platform import Platform, PlatformConfig
from stratus.runtime.limits import Limits
from stratus.services.functions.model import FunctionConfig
from stratus.services.functions.names import function_arn
from stratus.services.functions.settings import FunctionSettings

ROLE = "arn:aws:iam::000000000000:role/bench"

# A benchmark measures one runtime: zygotes for the other installed Pythons, started in
# the background at boot, would take its CPU while it measures.
os.environ.setdefault("STRATUS_WARM_RUNTIMES", "own")

HELLO_SOURCE = "def handler(event, context):\n    return {'hello': 'world'}\n"

SLEEP_SOURCE = (
    "import time\ndef handler(event, context):\n    time.sleep(0.1)\n    return {'slept_ms': 100}\n"
)


def hello_handler() -> object:
    """The hello handler as a plain in-process function: the direct-call baseline."""
    namespace: dict[str, object] = {}
    exec(HELLO_SOURCE, namespace)
    return namespace["handler"]


def zip_of(source: str) -> bytes:
    """A deployment package whose ``app.py`` is ``source``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


@contextlib.asynccontextmanager
async def running_platform(limits: Limits | None = None) -> AsyncIterator[Platform]:
    """A started Platform on a throwaway data directory, stopped and removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="stratus-bench-") as tmp:
        config = PlatformConfig(
            data_dir=Path(tmp) / "data",
            limits=limits or Limits(),
            shutdown_grace_s=5.0,
        )
        platform = Platform(config)
        await platform.start()
        try:
            yield platform
        finally:
            await platform.stop()


async def create_function(
    platform: Platform, name: str, source: str, *, timeout_s: int = 30
) -> FunctionConfig:
    """Create a python3.11 function ``app.handler`` the way CreateFunction does."""
    settings = FunctionSettings(
        runtime="python3.11", role=ROLE, handler="app.handler", timeout=timeout_s
    )
    return await platform.component(FunctionsComponent).registry.create(
        function_arn(platform.config.region, name), settings, zip_of(source)
    )
