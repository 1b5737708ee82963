"""Shared fixtures: a real Stratus server process on 127.0.0.1 and boto3 clients for it."""

from __future__ import annotations

import io
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.config
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
# Servers started by tests warm only their own runtime's zygote at boot, not one per
# installed Python (each installs boto3 for its version on a new data directory): the
# tests that need the others set this themselves.
os.environ.setdefault("STRATUS_WARM_RUNTIMES", "own")
# Functions get their own /tmp (docs/functions.md), yet many tests hand a handler a path
# in tmp_path to write to: pytest's temporary directories go under /var/tmp, which
# environments share with the machine (pytest's documented PYTEST_DEBUG_TEMPROOT).
if os.path.isdir("/var/tmp") and os.access("/var/tmp", os.W_OK):
    os.environ.setdefault("PYTEST_DEBUG_TEMPROOT", "/var/tmp")
CONFORMANCE = REPO_ROOT.parent / "shared" / "conformance"


# Modules that must not share the machine with another test process: `make test` runs the
# suite on three workers (pytest-xdist), then these alone. Each kills a server with -9 at a
# moment it picks, or counts the kernel's memory kills, and a neighbour's load moves
# that moment (a kill lands after the work instead of during it) or the accounting.
SERIAL_MODULES = frozenset(
    {
        "tests/aws/lambda_/test_memory_spike.py",
        "tests/aws/lambda_/test_durability.py",
        "tests/aws/stepfunctions/test_durability.py",
        "tests/aws/sqs/test_durability.py",
        "tests/aws/sns/test_durability.py",
        "tests/aws/dynamodb/test_durability.py",
        "tests/aws/s3/test_durability.py",
        "tests/aws/events/test_durability.py",
        "tests/aws/durable/test_kill9.py",
        # A second StopDurableExecution once went through under heavy load (not reproduced)
        "tests/aws/durable/test_control_plane.py",
    }
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.relative_to(REPO_ROOT).as_posix() in SERIAL_MODULES:
            item.add_marker(pytest.mark.serial)


@pytest.fixture(autouse=True, scope="session")
def _temporary_root_made_first(tmp_path_factory: pytest.TempPathFactory) -> None:
    """pytest makes ``pytest-of-<user>`` private again each time a pytest process sets up
    its temporary directories (lazily, at its first ``tmp_path``): every worker does it
    now, at its start, rather than in the middle of another worker's tests, whose
    functions write below it (``_handlers_may_write_tmp_path``)."""
    tmp_path_factory.getbasetemp()


@pytest.fixture(autouse=True)
def _handlers_may_write_tmp_path(request: pytest.FixtureRequest) -> None:
    """Each environment runs as a user of its own (docs/security.md), so a handler can
    write to a test's ``tmp_path`` only if the test lets everyone: it does, and lets
    everyone through pytest's directories above it (0700 by default) without listing
    them. The servers' data directories stay hidden from functions all the same."""
    if "tmp_path" not in request.fixturenames or os.geteuid() != 0:
        return
    tmp_path: Path = request.getfixturevalue("tmp_path")
    tmp_path.chmod(0o777)
    # pytest-of-<user>/pytest-<n>/[popen-gw<i>/ under xdist]/<test>
    for parent in list(tmp_path.parents)[:4]:
        if parent.name.startswith(("pytest-", "popen-gw")) or parent.name.endswith("current"):
            parent.chmod(parent.stat().st_mode | 0o711)


ROLE = "arn:aws:iam::000000000000:role/test"


def free_port() -> int:
    """A free port below the kernel's ephemeral range (32768 and up on Linux): the
    suite's thousands of outgoing connections take ephemeral ports, and one of them can
    take a port the kernel handed out here before the server binds it."""
    for _ in range(200):
        port = random.randint(20000, 32000)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 20000 and 32000")


class PortTaken(RuntimeError):
    """The server could not bind the port chosen for it."""


class ServerProcess:
    """``stratus up`` as a child process: what users run, started and stopped by tests."""

    def __init__(self, data_dir: Path, *extra_args: str) -> None:
        self.data_dir = data_dir
        self.extra_args = list(extra_args)
        self.port = free_port()
        self.gateway_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.started_once = False  # a restart keeps its ports: clients already point there
        self.log_path = data_dir.parent / f"{data_dir.name}-server.log"

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> ServerProcess:
        try:
            return self._start(timeout)
        except PortTaken:
            if self.started_once:
                raise
            # Another test process took a port between our check and the bind.
            self.port, self.gateway_port = free_port(), free_port()
            return self._start(timeout)

    def _start(self, timeout: float) -> ServerProcess:
        log = open(self.log_path, "ab")  # noqa: SIM115 - lives as long as the process
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "stratus",
                "up",
                "--data-dir",
                str(self.data_dir),
                "--port",
                str(self.port),
                "--gateway-port",
                str(self.gateway_port),
                "--log-level",
                "warning",
                *self.extra_args,
            ],
            stdout=log,
            stderr=log,
            cwd=REPO_ROOT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.log()
                if "Address already in use" in output:
                    raise PortTaken(output)
                raise RuntimeError(f"stratus up exited early:\n{output}")
            try:
                with urllib.request.urlopen(f"{self.endpoint}/_stratus/health", timeout=1) as r:
                    if r.status == 200:
                        self.started_once = True
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"stratus up did not become healthy:\n{self.log()}")

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-5000:]
        except FileNotFoundError:
            return ""

    def stop(self, timeout: float = 30.0) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def kill(self) -> None:
        """``kill -9``: no chance to clean up or flush anything."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def client(
        self,
        service: str,
        *,
        access_key: str = "test",
        region: str = "us-east-1",
        **config: Any,
    ) -> Any:
        """A boto3 client; a 12-digit ``access_key`` acts as that account, any other as
        000000000000, as on Stratus."""
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id=access_key,
            aws_secret_access_key="test",
            config=botocore.config.Config(
                **{
                    "retries": {"max_attempts": 1, "mode": "standard"},
                    "read_timeout": 120,
                    # StartSyncExecution's "sync-" host prefix cannot resolve on 127.0.0.1.
                    "inject_host_prefix": False,
                    **config,
                }
            ),
        )


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One Stratus shared by the session's API tests (fast retries for async tests)."""
    proc = ServerProcess(tmp_path_factory.mktemp("stratus") / "data", "--async-retry-delay", "0.2")
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture(scope="session")
def lambda_client(server: ServerProcess) -> Any:
    return server.client("lambda")


def make_zip(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def unique_name(prefix: str = "fn") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def create_function(
    client: Any,
    source: str,
    *,
    name: str | None = None,
    handler: str = "app.handler",
    runtime: str = "python3.11",
    files: dict[str, str | bytes] | None = None,
    **kwargs: Any,
) -> str:
    """Create a function whose ``app.py`` is ``source``; returns its name."""
    name = name or unique_name()
    client.create_function(
        FunctionName=name,
        Runtime=runtime,
        Role=ROLE,
        Handler=handler,
        Code={"ZipFile": make_zip({"app.py": source, **(files or {})})},
        **kwargs,
    )
    return name
