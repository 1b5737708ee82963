"""What Stratus acknowledged it never loses: a ``kill -9`` of the server mid-way.

A dedicated server (not the session one, which other tests share) gets 50 Event
invocations, is killed with SIGKILL while delivering them, and a new server on the same
data directory must deliver every accepted event at least once.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.aws.lambda_.conftest import read_payload, wait_for
from tests.conftest import ServerProcess, create_function

APPENDER = """
import time

def handler(event, context):
    time.sleep(0.1)
    with open(event["path"], "a") as f:
        f.write(event["id"] + "\\n")
"""


def _ran(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def test_kill_9_loses_no_accepted_event(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    out = tmp_path / "ran.txt"
    first = ServerProcess(data_dir, "--async-retry-delay", "0.2").start()
    second: ServerProcess | None = None
    try:
        client = first.client("lambda")
        name = create_function(client, APPENDER)
        # ten at a time, so the kill lands while most events are still queued
        client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=10)
        accepted = []
        for i in range(50):
            event_id = f"event-{i:02d}"
            response = client.invoke(
                FunctionName=name,
                InvocationType="Event",
                Payload=json.dumps({"path": str(out), "id": event_id}),
            )
            assert response["StatusCode"] == 202
            accepted.append(event_id)
        wait_for(lambda: len(_ran(out)) >= 3)
        first.kill()
        ran_before = set(_ran(out))
        assert len(ran_before) < 50, "the kill came too late to test anything"

        second = ServerProcess(data_dir, "--async-retry-delay", "0.2").start()
        wait_for(lambda: set(accepted) <= set(_ran(out)), timeout=120)
        assert set(_ran(out)) == set(accepted)
        # the function itself, its settings and its code survived too
        client = second.client("lambda")
        config = client.get_function(FunctionName=name)
        assert config["Concurrency"] == {"ReservedConcurrentExecutions": 10}
        response = client.invoke(
            FunctionName=name, Payload=json.dumps({"path": str(tmp_path / "sync"), "id": "sync"})
        )
        assert "FunctionError" not in response
        assert read_payload(response) is None
    finally:
        if second is not None:
            second.stop()
        first.stop()


def test_restart_keeps_functions_versions_aliases(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    server = ServerProcess(data_dir).start()
    try:
        client: Any = server.client("lambda")
        name = create_function(client, "def handler(e, c):\n    return c.function_version\n")
        client.publish_version(FunctionName=name)
        client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
        client.tag_resource(
            Resource=client.get_function(FunctionName=name)["Configuration"]["FunctionArn"],
            Tags={"kept": "yes"},
        )
        client.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
        server.kill()
        server = ServerProcess(data_dir).start()
        client = server.client("lambda")
        assert client.get_function(FunctionName=name)["Tags"] == {"kept": "yes"}
        assert client.get_alias(FunctionName=name, Name="live")["FunctionVersion"] == "1"
        config = client.get_function_event_invoke_config(FunctionName=name)
        assert config["MaximumRetryAttempts"] == 0
        assert read_payload(client.invoke(FunctionName=name, Qualifier="live")) == "1"
    finally:
        server.stop()
