"""Idle environments are reaped after the keep-warm period; the next invoke is cold."""

from __future__ import annotations

import base64
import time
from pathlib import Path

from tests.conftest import ServerProcess, create_function


def _was_cold(response: dict[str, object]) -> bool:
    log = base64.b64decode(str(response["LogResult"])).decode()
    return "Init Duration:" in log


def test_idle_environment_is_reaped_and_next_invoke_is_cold(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data", "--keep-warm", "0.5").start()
    try:
        client = server.client("lambda")
        name = create_function(client, "def handler(event, context):\n    return 1\n")
        assert _was_cold(client.invoke(FunctionName=name, LogType="Tail"))
        assert not _was_cold(client.invoke(FunctionName=name, LogType="Tail"))  # warm
        time.sleep(2.0)  # keep-warm 0.5 s, reaper runs every second at most
        assert _was_cold(client.invoke(FunctionName=name, LogType="Tail"))
    finally:
        server.stop()
