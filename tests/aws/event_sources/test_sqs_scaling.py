"""Scaling: a backlog adds lanes (concurrent invocations) up to the mapping's
MaximumConcurrency and the function's reserved concurrency, never past them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.aws.event_sources.conftest import make_queue, wait_empty
from tests.conftest import create_function

# Records when each invocation ran (wall clock of this machine, shared by every process).
SLOW = """
import json, os, time, uuid
def handler(event, context):
    start = time.time()
    time.sleep(0.2)
    record = os.path.join(os.environ["OUT"], uuid.uuid4().hex + ".json")
    with open(record + ".part", "w") as f:
        json.dump({"start": start, "end": time.time(), "n": len(event["Records"])}, f)
    os.replace(record + ".part", record)  # whole, never seen half-written
"""


def _most_at_once(out: Path) -> int:
    spans = [json.loads(p.read_text()) for p in out.glob("*.json")]
    points = sorted([(s["start"], 1) for s in spans] + [(s["end"], -1) for s in spans])
    running = most = 0
    for _, step in points:
        running += step
        most = max(most, running)
    return most


@pytest.mark.parametrize("bound", ["scaling-config", "reserved-concurrency"])
def test_a_backlog_scales_up_to_the_bound(
    lambda_client: Any, sqs: Any, tmp_path: Path, bound: str
) -> None:
    url, arn = make_queue(sqs)
    name = create_function(
        lambda_client, SLOW, Timeout=10, Environment={"Variables": {"OUT": str(tmp_path)}}
    )
    for start in range(0, 40, 10):
        sqs.send_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "MessageBody": f"m{start + i}"} for i in range(10)],
        )
    extra: dict[str, Any] = {}
    if bound == "scaling-config":
        extra["ScalingConfig"] = {"MaximumConcurrency": 3}
    else:
        lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=3)
    lambda_client.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=name, BatchSize=1, **extra
    )
    wait_empty(sqs, url, timeout=90)
    most = _most_at_once(tmp_path)
    mapping = lambda_client.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"]
    assert 1 < most <= 3, mapping
