"""``stratus up``: readiness, clean shutdown on SIGTERM, and no orphans after ``kill -9``."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from tests.conftest import ServerProcess, create_function

SLOW = "import time\ndef handler(event, context):\n    time.sleep(event.get('sleep', 0))\n    return 'done'\n"


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (zygotes, environments)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pids: set[int]) -> set[int]:
    living = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            living.add(pid)
    return living


def wait_gone(pids: set[int], timeout: float = 10.0) -> set[int]:
    deadline = time.monotonic() + timeout
    while alive(pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive(pids)


def test_health_answers_ready(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        with urllib.request.urlopen(f"{server.endpoint}/_stratus/health") as response:
            assert response.status == 200
            assert json.loads(response.read()) == {"status": "ready"}
    finally:
        server.stop()


def test_sigterm_lets_in_flight_invocations_finish_and_reaps_children(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    client = server.client("lambda")
    name = create_function(client, SLOW, Timeout=10)
    client.invoke(FunctionName=name, Payload=b"{}")  # a warm environment and a zygote exist
    assert server.process is not None
    family = descendants(server.process.pid)
    assert family, "expected a zygote and an environment below the server"

    outcome: dict[str, Any] = {}

    def slow_call() -> None:
        response = client.invoke(FunctionName=name, Payload=json.dumps({"sleep": 1.5}))
        outcome["payload"] = response["Payload"].read()

    caller = threading.Thread(target=slow_call)
    caller.start()
    time.sleep(0.5)
    os.kill(server.process.pid, signal.SIGTERM)
    caller.join(30)
    assert outcome.get("payload") == b'"done"'
    assert server.process.wait(30) == 0
    assert wait_gone(family) == set()


def test_kill_9_leaves_no_orphans(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    client = server.client("lambda")
    name = create_function(client, SLOW)
    client.invoke(FunctionName=name, Payload=b"{}")
    assert server.process is not None
    family = descendants(server.process.pid)
    assert family
    server.kill()
    assert wait_gone(family) == set()


def test_sigterm_answers_open_activity_polls_at_once(tmp_path: Path) -> None:
    """A GetActivityTask long poll (60 s) must not hold a clean shutdown."""
    server = ServerProcess(tmp_path / "data").start()
    sfn = server.client("stepfunctions", read_timeout=90)
    activity = sfn.create_activity(name="approvals")["activityArn"]
    answer: dict[str, Any] = {}

    def poll() -> None:
        answer["task"] = sfn.get_activity_task(activityArn=activity, workerName="w")

    poller = threading.Thread(target=poll)
    poller.start()
    time.sleep(0.5)
    assert server.process is not None
    started = time.monotonic()
    os.kill(server.process.pid, signal.SIGTERM)
    assert server.process.wait(30) == 0
    poller.join(10)
    assert time.monotonic() - started < 10
    assert "taskToken" not in answer["task"]


def test_port_in_use_is_one_line(tmp_path: Path) -> None:
    import socket
    import subprocess
    import sys

    from tests.conftest import REPO_ROOT, free_port

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "stratus",
                "up",
                "--data-dir",
                str(tmp_path / "d"),
                "--port",
                str(port),
                "--gateway-port",
                str(free_port()),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=REPO_ROOT,
        )
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith(f"error: cannot start Stratus: cannot listen on 127.0.0.1:{port}")
    )
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "d").exists()  # nothing was started or created
