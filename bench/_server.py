"""Servers in child processes for the HTTP benchmarks: ``stratus up`` and a raw ASGI app.

Both are started the way a user would start them (a fresh interpreter, free ports on
127.0.0.1, a temporary data directory) and waited for until they answer, so the numbers
include nothing of the benchmark's own process but its client.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import botocore.config

REPO_ROOT = Path(__file__).resolve().parent.parent
# Servers start only their own Python's zygote: a fresh data directory would otherwise
# install and start every other runtime in the background while the figures are taken.
os.environ.setdefault("STRATUS_WARM_RUNTIMES", "own")
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Served:
    """A running server: where to reach it and which process tree does its work."""

    endpoint: str
    pid: int
    gateway_port: int = 0  # the users' endpoints port, where the server has one

    def cpu_seconds(self) -> float:
        """CPU time (user + system) of the server and its live descendants (zygote, workers)."""
        return tree_cpu_seconds(self.pid)


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds of a process tree: every live descendant plus the reaped ones, from /proc."""
    stats: dict[int, tuple[int, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            text = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue  # exited while we looked
        fields = text[text.rindex(")") + 2 :].split()
        # man 5 proc, counting from field (3): ppid (4), utime (14), stime (15), and the
        # cutime (16), cstime (17) of children already reaped (workers that exited).
        ticks = sum(int(value) for value in fields[11:15])
        stats[int(entry)] = (int(fields[1]), ticks / _CLOCK_TICKS)
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += stats[pid][1]
        todo.extend(children.get(pid, []))
    return total


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_answering(
    url: str, process: subprocess.Popen[bytes], log: Path, timeout_s: float = 30.0
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except urllib.error.HTTPError:
            pass  # answering, but not ready yet
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"server did not answer {url}:\n{log.read_text(errors='replace')[-3000:]}")


@contextlib.contextmanager
def _child(
    argv: list[str], health_url: str, log: Path, root: Path = REPO_ROOT
) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``argv`` until the block ends; SIGTERM first, SIGKILL if it does not stop.

    ``root`` is the checkout whose ``stratus`` runs (first on PYTHONPATH, so another
    commit's code can be measured with this environment's packages in the same run)."""
    env = dict(os.environ)
    if root != REPO_ROOT:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    with open(log, "ab") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=out, cwd=root, env=env)
    try:
        _wait_until_answering(health_url, process, log)
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def stratus_server(root: Path = REPO_ROOT) -> Iterator[Served]:
    """``python -m stratus up`` on free ports and a temporary data dir (of checkout ``root``)."""
    with tempfile.TemporaryDirectory(prefix="stratus-bench-") as tmp:
        port, gateway_port = free_port(), free_port()
        argv = [
            sys.executable,
            "-m",
            "stratus",
            "up",
            "--data-dir",
            str(Path(tmp) / "data"),
            "--port",
            str(port),
            "--gateway-port",
            str(gateway_port),
            "--log-level",
            "warning",
        ]
        endpoint = f"http://127.0.0.1:{port}"
        log = Path(tmp) / "server.log"
        with _child(argv, f"{endpoint}/_stratus/health", log, root) as process:
            yield Served(endpoint, process.pid, gateway_port)


@contextlib.contextmanager
def raw_asgi_server() -> Iterator[Served]:
    """The baseline: ``bench._hello_asgi`` under uvicorn + httptools + uvloop, as Stratus is."""
    with tempfile.TemporaryDirectory(prefix="stratus-bench-") as tmp:
        port = free_port()
        argv = [
            sys.executable,
            "-m",
            "uvicorn",
            "bench._hello_asgi:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--http",
            "httptools",
            "--loop",
            "uvloop",
            "--lifespan",
            "off",
            "--no-access-log",
            "--log-level",
            "warning",
        ]
        endpoint = f"http://127.0.0.1:{port}"
        with _child(argv, f"{endpoint}/health", Path(tmp) / "asgi.log") as process:
            yield Served(endpoint, process.pid)


def lambda_client(endpoint: str, max_pool_connections: int = 10) -> Any:
    """A boto3 Lambda client as a user configures one for Stratus (no client retries)."""
    return boto3.client(
        "lambda",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=botocore.config.Config(
            retries={"max_attempts": 1, "mode": "standard"},
            read_timeout=60,
            max_pool_connections=max_pool_connections,
        ),
    )


def create_active(client: Any, name: str, package: bytes, role: str) -> None:
    """CreateFunction of a python3.11 ``app.handler``, then wait until it is Active."""
    created = client.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": package},
    )
    if created.get("State") != "Active":
        client.get_waiter("function_active_v2").wait(FunctionName=name)


def invoke_ms(client: Any, name: str) -> float:
    """Milliseconds of one successful ``invoke`` of ``name`` (its payload read)."""
    start = time.perf_counter_ns()
    response = client.invoke(FunctionName=name, Payload=b"{}")
    body = response["Payload"].read()
    elapsed = (time.perf_counter_ns() - start) / 1e6
    if response["StatusCode"] != 200 or "FunctionError" in response:
        raise RuntimeError(f"invoke of {name} failed: {body!r}")
    return elapsed
