"""Stream triggers with ParallelizationFactor (several batches of a shard at once, each
partition key's records in order and never in two batches at once) and with
TumblingWindowInSeconds (state passed between a window's invocations, a final call with
``isFinalInvokeForWindow``), against a real server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.aws.dynamodb.conftest import make_table
from tests.aws.event_sources.conftest import events, wait_state
from tests.aws.lambda_.conftest import wait_for
from tests.conftest import create_function

# Marks each key as "running" while its batch is processed: a key found running already
# means two batches of one key at once; the number of keys running says how many batches
# of the shard ran together.
PARALLEL = """
import json, os, time, uuid
def handler(event, context):
    out = os.environ["OUT"]
    keys = sorted({r["dynamodb"]["Keys"]["pk"]["S"] for r in event["Records"]})
    clash = []
    for key in keys:
        try:
            os.mkdir(os.path.join(out, "run-" + key))
        except FileExistsError:
            clash.append(key)
    together = len([n for n in os.listdir(out) if n.startswith("run-")])
    time.sleep(0.3)
    for key in keys:
        if key not in clash:
            os.rmdir(os.path.join(out, "run-" + key))
    record = {"keys": keys, "clash": clash, "together": together,
              "n": [(r["dynamodb"]["Keys"]["pk"]["S"], int(r["dynamodb"]["NewImage"]["n"]["N"]))
                    for r in event["Records"]]}
    with open(os.path.join(out, f"{time.time_ns():020d}-{uuid.uuid4().hex}.json"), "w") as f:
        json.dump(record, f)
"""

# Counts the window's records in its state; writes every event it gets.
WINDOW = """
import json, os, time
def handler(event, context):
    record = os.path.join(os.environ["OUT"], f"{time.time_ns():020d}.json")
    with open(record + ".part", "w") as f:
        json.dump(event, f)
    os.replace(record + ".part", record)  # whole, never seen half-written
    count = event["state"].get("count", 0) + len(event["Records"])
    return {"state": {"count": count}}
"""


def _stream(ddb: Any) -> tuple[str, str]:
    name = make_table(
        ddb, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    )
    return name, ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]


def test_parallelization_factor_keeps_each_key_in_order(
    ddb: Any, lambda_client: Any, tmp_path: Path
) -> None:
    name, arn = _stream(ddb)
    keys = [f"k{i}" for i in range(6)]
    for n in range(4):
        for key in keys:
            ddb.put_item(
                TableName=name, Item={"pk": {"S": key}, "sk": {"S": "1"}, "n": {"N": str(n)}}
            )
    fn = create_function(lambda_client, PARALLEL, Environment={"Variables": {"OUT": str(tmp_path)}})
    mapping = lambda_client.create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName=fn,
        StartingPosition="TRIM_HORIZON",
        BatchSize=2,
        ParallelizationFactor=5,
    )
    assert mapping["ParallelizationFactor"] == 5
    wait_state(lambda_client, mapping["UUID"], "Enabled")
    wait_for(lambda: sum(len(e["n"]) for e in events(tmp_path)) >= 24, timeout=90)
    seen = events(tmp_path)
    assert not any(e["clash"] for e in seen)  # never one key in two batches at once
    for key in keys:
        ns = [n for e in seen for k, n in e["n"] if k == key]
        assert ns == [0, 1, 2, 3]  # each key's records once, in order
    assert max(e["together"] for e in seen) >= 2  # batches of the shard ran together


def test_tumbling_window_passes_state_and_ends_with_a_final_call(
    ddb: Any, lambda_client: Any, tmp_path: Path
) -> None:
    name, arn = _stream(ddb)
    fn = create_function(lambda_client, WINDOW, Environment={"Variables": {"OUT": str(tmp_path)}})
    mapping = lambda_client.create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName=fn,
        StartingPosition="TRIM_HORIZON",
        BatchSize=2,
        TumblingWindowInSeconds=2,
    )
    assert mapping["TumblingWindowInSeconds"] == 2
    wait_state(lambda_client, mapping["UUID"], "Enabled")
    for i in range(5):
        ddb.put_item(
            TableName=name, Item={"pk": {"S": f"w{i}"}, "sk": {"S": "1"}, "n": {"N": str(i)}}
        )

    def finals() -> list[dict[str, Any]] | None:
        done = [e for e in events(tmp_path) if e["isFinalInvokeForWindow"]]
        total = sum(e["state"].get("count", 0) for e in done)
        return done if total >= 5 else None

    closed = wait_for(finals, timeout=60)
    seen = events(tmp_path)
    for event in seen:
        assert set(event) == {
            "Records",
            "window",
            "state",
            "shardId",
            "eventSourceARN",
            "isFinalInvokeForWindow",
            "isWindowTerminatedEarly",
        }
        assert event["eventSourceARN"] == arn and event["shardId"].startswith("shardId-")
        assert event["window"]["start"].endswith("Z") and not event["isWindowTerminatedEarly"]
    for final in closed:
        assert final["Records"] == []
        window = final["window"]
        in_window = [e for e in seen if e["window"] == window and not e["isFinalInvokeForWindow"]]
        # the state handed to each call is what the previous call of the window returned
        running = 0
        for event in in_window:
            assert event["state"].get("count", 0) == running
            running += len(event["Records"])
        assert final["state"]["count"] == running
    assert sum(len(e["Records"]) for e in seen) == 5
    _ = json
