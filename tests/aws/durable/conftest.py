"""Durable functions suite: one server for the suite, AWS's SDK packaged as a layer.

The SDK (``aws-durable-execution-sdk-python``, a test dependency) is zipped from the
test environment into ``python/`` of a layer, as a user ships it; functions get it at
``/opt/python``.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROLE, ServerProcess, make_zip, unique_name

import aws_durable_execution_sdk_python as sdk  # isort: skip


def sdk_layer_zip() -> bytes:
    """The SDK package as a layer: ``python/aws_durable_execution_sdk_python/...``."""
    root = Path(sdk.__file__).parent
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in root.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, f"python/{root.name}/{path.relative_to(root)}")
    return buffer.getvalue()


@pytest.fixture(scope="package")
def durable_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("durable") / "data")
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture(scope="package")
def lam(durable_server: ServerProcess) -> Any:
    return durable_server.client("lambda")


@pytest.fixture(scope="package")
def sdk_layer(lam: Any) -> str:
    answer = lam.publish_layer_version(
        LayerName="durable-sdk",
        Content={"ZipFile": sdk_layer_zip()},
        CompatibleRuntimes=["python3.11", "python3.12", "python3.13"],
    )
    return str(answer["LayerVersionArn"])


@pytest.fixture(scope="package")
def scratch() -> Iterator[Path]:
    """A directory functions may write to (they run as users of their own).

    Directly in the temporary root (``/var/tmp``, open to everyone), not under pytest's
    ``pytest-of-<user>``: pytest makes that one private again whenever a pytest process
    (another xdist worker) sets up its temporary directories, which would shut functions
    out in the middle of the package's run."""
    root = os.environ.get("PYTEST_DEBUG_TEMPROOT") or tempfile.gettempdir()
    path = Path(tempfile.mkdtemp(prefix="stratus-durable-scratch-", dir=root))
    path.chmod(0o777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


Deploy = Callable[..., str]


@pytest.fixture(scope="package")
def deploy(lam: Any, sdk_layer: str) -> Deploy:
    """Create a durable function from ``source`` (its ``app.py``); returns its name."""

    def create(
        source: str,
        *,
        name: str | None = None,
        timeout: int = 30,
        execution_timeout: int = 300,
        durable: bool = True,
        environment: dict[str, str] | None = None,
        files: dict[str, str | bytes] | None = None,
    ) -> str:
        name = name or unique_name("dur")
        extra: dict[str, Any] = {}
        if durable:
            extra["DurableConfig"] = {"ExecutionTimeout": execution_timeout}
        if environment:
            extra["Environment"] = {"Variables": environment}
        lam.create_function(
            FunctionName=name,
            Runtime="python3.11",
            Role=ROLE,
            Handler="app.handler",
            Code={"ZipFile": make_zip({"app.py": source, **(files or {})})},
            Layers=[sdk_layer],
            Timeout=timeout,
            **extra,
        )
        lam.get_waiter("function_active_v2").wait(FunctionName=name)
        return name

    return create


def start(lam: Any, name: str, payload: Any = None, **kwargs: Any) -> str:
    """Start an execution with an Event invoke of ``name`` ($LATEST unless it names a
    version or alias: durable functions are invoked qualified); returns its ARN."""
    answer = lam.invoke(
        FunctionName=name if ":" in name else f"{name}:$LATEST",
        InvocationType="Event",
        Payload=json.dumps(payload).encode(),
        **kwargs,
    )
    assert answer["StatusCode"] == 202
    return str(answer["DurableExecutionArn"])


def wait_status(
    lam: Any, arn: str, timeout: float = 60.0, *, running: bool = False
) -> dict[str, Any]:
    """Poll GetDurableExecution until it ends (or, with ``running``, while it runs)."""
    deadline = time.monotonic() + timeout
    while True:
        execution = lam.get_durable_execution(DurableExecutionArn=arn)
        if execution["Status"] not in ("RUNNING", "PAUSED"):
            return dict(execution)
        if time.monotonic() > deadline:
            raise AssertionError(f"execution still {execution['Status']} after {timeout}s")
        time.sleep(0.1)


def history(lam: Any, arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"DurableExecutionArn": arn, "IncludeExecutionData": True}
    while True:
        answer = lam.get_durable_execution_history(**kwargs)
        events.extend(answer["Events"])
        if not answer.get("NextMarker"):
            return events
        kwargs["Marker"] = answer["NextMarker"]


def event_types(events: list[dict[str, Any]]) -> list[str]:
    return [e["EventType"] for e in events]


def callback_id(lam: Any, arn: str, timeout: float = 30.0) -> str:
    """The CallbackId of the execution's first started callback, once there is one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for event in history(lam, arn):
            if event["EventType"] == "CallbackStarted":
                return str(event["CallbackStartedDetails"]["CallbackId"])
        time.sleep(0.1)
    raise AssertionError("no callback started")


def callback_id_named(lam: Any, arn: str, name: str, used: set[str], timeout: float = 60.0) -> str:
    """The CallbackId of the started callback called ``name`` (``*``: the first one not
    in ``used``), once the invocation that created it has suspended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events = history(lam, arn)
        for i, event in enumerate(events):
            if event["EventType"] != "CallbackStarted":
                continue
            found = str(event["CallbackStartedDetails"]["CallbackId"])
            if found in used:
                continue
            suspended = any(e["EventType"] == "InvocationCompleted" for e in events[i:])
            if (name == "*" or event.get("Name") == name) and suspended:
                return found
        time.sleep(0.1)
    raise AssertionError(f"no callback {name} started")
