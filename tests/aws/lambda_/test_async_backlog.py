"""A backlog of Event invocations drains at the function's concurrency.

AWS: "If the function doesn't have enough concurrency available to process all events,
additional requests are throttled. For throttling errors (429) and system errors
(500-series), Lambda returns the event to the queue and attempts to run the function again
for up to 6 hours by default. The retry interval increases exponentially from 1 second
after the first attempt to a maximum of 5 minutes." Function errors: "by default Lambda
attempts to run it two more times, with a one-minute wait between the first two attempts,
and two minutes between the second and third attempts." (Lambda developer guide, "How
Lambda handles errors and retries with asynchronous invocation",
invocation-async-error-handling.html.)

Before this, a throttled event waited a fixed minute, so 100 events to a function with
reserved concurrency 1 delivered 3 in 90 s; now they take about 100 x the handler's
duration. The backlog tests run on a server with Lambda's own delays (the session
server shortens them, which would hide a slow drain). No timing is asserted beyond
generous bounds; the handler's own start and end stamps show that concurrency is
respected.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.aws.lambda_.conftest import wait_for
from tests.conftest import ServerProcess, create_function

RECORDER = """
import json, os, time, uuid

def handler(event, context):
    started = time.time()
    if "marker" in event:
        open(event["marker"], "w").close()
    time.sleep(event.get("sleep", 0.05))
    # One file per attempt: each execution environment runs as a user of its own, so
    # environments cannot append to one shared file.
    name = os.path.join(event["path"], event["id"] + "." + uuid.uuid4().hex)
    with open(name, "w") as f:
        f.write(json.dumps([event["id"], started, time.time()]))
    if event.get("fail"):
        raise RuntimeError("failing on purpose")
"""


def _records(path: Path) -> list[tuple[str, float, float]]:
    """What the handler recorded in ``path``: (event id, start, end) per attempt."""
    records = []
    for file in path.iterdir():
        try:
            event_id, started, ended = json.loads(file.read_text())
        except ValueError:  # still being written
            continue
        records.append((str(event_id), float(started), float(ended)))
    return records


def _max_overlap(records: list[tuple[str, float, float]]) -> int:
    """The most invocations that ran at once, from their own start and end stamps."""
    edges = sorted([(start, 1) for _, start, _ in records] + [(end, -1) for _, _, end in records])
    running = peak = 0
    for _, step in edges:
        running += step
        peak = max(peak, running)
    return peak


@pytest.fixture(scope="module")
def lambda_defaults(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A Lambda client of a server with Lambda's default retry delays."""
    server = ServerProcess(tmp_path_factory.mktemp("backlog") / "data").start()
    yield server.client("lambda")
    server.stop()


def _send(client: Any, name: str, event: dict[str, Any]) -> None:
    response = client.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps(event))
    assert response["StatusCode"] == 202


def test_backlog_drains_at_reserved_concurrency(lambda_defaults: Any, tmp_path: Path) -> None:
    lambda_client = lambda_defaults
    out = tmp_path
    name = create_function(lambda_client, RECORDER)
    lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    ids = [f"e{n:03d}" for n in range(100)]
    for event_id in ids:
        _send(lambda_client, name, {"path": str(out), "id": event_id})
    # 100 x 0.05 s of work: seconds, not the minutes a fixed 60 s throttle delay took.
    wait_for(lambda: len(_records(out)) >= len(ids), timeout=60)
    records = _records(out)
    assert sorted(r[0] for r in records) == ids  # each once: none lost, none repeated
    assert _max_overlap(records) == 1


def test_backlog_uses_all_of_the_reserved_concurrency(lambda_defaults: Any, tmp_path: Path) -> None:
    lambda_client = lambda_defaults
    out = tmp_path
    name = create_function(lambda_client, RECORDER)
    lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=3)
    ids = [f"e{n:03d}" for n in range(60)]
    for event_id in ids:
        _send(lambda_client, name, {"path": str(out), "id": event_id, "sleep": 0.2})
    wait_for(lambda: len(_records(out)) >= len(ids), timeout=60)
    records = _records(out)
    assert sorted(r[0] for r in records) == ids
    assert 1 < _max_overlap(records) <= 3


def test_event_waits_for_a_synchronous_caller_to_free_the_slot(
    lambda_defaults: Any, tmp_path: Path
) -> None:
    lambda_client = lambda_defaults
    out, marker = tmp_path / "ran", tmp_path / "sync-started"
    out.mkdir(mode=0o777)
    out.chmod(0o777)
    name = create_function(lambda_client, RECORDER)
    lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    event = {"path": str(out), "id": "sync", "sleep": 2, "marker": str(marker)}
    sync = threading.Thread(
        target=lambda: lambda_client.invoke(FunctionName=name, Payload=json.dumps(event))
    )
    sync.start()
    try:
        wait_for(marker.exists, timeout=30)  # the synchronous call holds the only slot
        for n in range(3):
            _send(lambda_client, name, {"path": str(out), "id": f"event{n}"})
    finally:
        sync.join()
    wait_for(lambda: len(_records(out)) >= 4, timeout=60)
    records = _records(out)
    assert sorted(r[0] for r in records) == ["event0", "event1", "event2", "sync"]
    assert _max_overlap(records) == 1


def test_function_errors_keep_lambdas_retry_count_in_a_backlog(
    lambda_client: Any, tmp_path: Path
) -> None:
    """Each failing event is tried 1 + MaximumRetryAttempts times (the session server
    shortens Lambda's minute-long waits), however many wait behind it."""
    out = tmp_path
    name = create_function(lambda_client, RECORDER)
    lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    lambda_client.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1)
    ids = [f"e{n}" for n in range(5)]
    for event_id in ids:
        _send(lambda_client, name, {"path": str(out), "id": event_id, "fail": True})
    wait_for(lambda: len(_records(out)) >= 2 * len(ids), timeout=60)
    time.sleep(2)  # several retry delays of the session server: no third attempt comes
    records = _records(out)
    assert sorted(r[0] for r in records) == sorted(ids * 2)
    assert _max_overlap(records) == 1
