"""Stream triggers: event source mappings from a table's stream to a function, against a
real server: AWS's event shape, order per item, a failing batch blocking its shard until
its retries run out (then the on-failure destination), partial batch failures, filters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.aws.dynamodb.conftest import make_table
from tests.aws.event_sources.conftest import events, wait_state
from tests.aws.lambda_.conftest import wait_for
from tests.conftest import CONFORMANCE, create_function

# Writes each event to $OUT; fails on a record whose new image has v = "bad" ($MODE fail),
# or reports such records as failed items ($MODE report).
HANDLER = """
import json, os, time
def handler(event, context):
    record = os.path.join(os.environ["OUT"], f"{time.time_ns():020d}.json")
    with open(record + ".part", "w") as f:
        json.dump(event, f)
    os.replace(record + ".part", record)  # whole, never seen half-written
    bad = [r for r in event["Records"]
           if r["dynamodb"].get("NewImage", {}).get("v", {}).get("S") == "bad"]
    if bad and os.environ["MODE"] == "fail":
        raise RuntimeError("bad record")
    if os.environ["MODE"] == "report":
        return {"batchItemFailures": [{"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in bad]}
    return None
"""


def _stream_table(ddb: Any, view: str = "NEW_AND_OLD_IMAGES") -> tuple[str, str]:
    name = make_table(ddb, StreamSpecification={"StreamEnabled": True, "StreamViewType": view})
    return name, ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]


def _function(lambda_client: Any, out: Path, mode: str) -> str:
    return create_function(
        lambda_client, HANDLER, Environment={"Variables": {"OUT": str(out), "MODE": mode}}
    )


def _records(out: Path) -> list[dict[str, Any]]:
    return [r for e in events(out) for r in e["Records"]]


def test_trigger_delivers_aws_shaped_records_in_order(
    ddb: Any, lambda_client: Any, tmp_path: Path
) -> None:
    name, arn = _stream_table(ddb)
    fn = _function(lambda_client, tmp_path, "ok")
    mapping = lambda_client.create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName=fn,
        StartingPosition="TRIM_HORIZON",
        BatchSize=7,
        ParallelizationFactor=2,
        MaximumBatchingWindowInSeconds=0,
    )
    assert mapping["StartingPosition"] == "TRIM_HORIZON" and mapping["ParallelizationFactor"] == 2
    wait_state(lambda_client, mapping["UUID"], "Enabled")
    for i in range(20):
        ddb.put_item(
            TableName=name, Item={"pk": {"S": f"k{i % 3}"}, "sk": {"S": "1"}, "n": {"N": str(i)}}
        )
    ddb.delete_item(TableName=name, Key={"pk": {"S": "k0"}, "sk": {"S": "1"}})
    wait_for(lambda: len(_records(tmp_path)) >= 21, timeout=60)
    records = _records(tmp_path)
    # ParallelizationFactor 2: two batches of the shard at once, each key's records in
    # order (the shard as a whole need not be)
    assert len({r["dynamodb"]["SequenceNumber"] for r in records}) == len(records)
    for key in ("k0", "k1", "k2"):
        ns = [
            int(r["dynamodb"]["NewImage"]["n"]["N"])
            for r in records
            if r["dynamodb"]["Keys"]["pk"]["S"] == key and "NewImage" in r["dynamodb"]
        ]
        assert ns == sorted(ns)
    sample_path = CONFORMANCE / "events" / "powertools" / "dynamoStreamEvent.json"
    if sample_path.exists():
        sample = json.loads(sample_path.read_text())["Records"][1]
        ours = next(r for r in records if r["eventName"] == "MODIFY")
        assert set(sample) <= set(ours)
        assert set(sample["dynamodb"]) <= set(ours["dynamodb"])
        assert isinstance(ours["dynamodb"]["ApproximateCreationDateTime"], float)
    k0 = [r["eventName"] for r in records if r["dynamodb"]["Keys"]["pk"]["S"] == "k0"]
    assert k0[-1] == "REMOVE" and records[0]["eventSourceARN"] == arn


def test_failing_batch_blocks_its_shard_then_goes_to_the_destination(
    ddb: Any, lambda_client: Any, server: Any, tmp_path: Path
) -> None:
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName=f"dlq-{tmp_path.name[-8:]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    name, arn = _stream_table(ddb)
    fn = _function(lambda_client, tmp_path, "fail")
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "v": {"S": "bad"}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "b"}, "sk": {"S": "1"}, "v": {"S": "good"}})
    mapping = lambda_client.create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName=fn,
        StartingPosition="TRIM_HORIZON",
        BatchSize=1,
        MaximumRetryAttempts=2,
        DestinationConfig={"OnFailure": {"Destination": queue_arn}},
    )
    wait_state(lambda_client, mapping["UUID"], "Enabled")
    wait_for(
        lambda: any(r["dynamodb"]["NewImage"]["v"]["S"] == "good" for r in _records(tmp_path)),
        timeout=60,
    )
    tried = [r["dynamodb"]["NewImage"]["v"]["S"] for r in _records(tmp_path)]
    assert tried.count("bad") == 3  # the first attempt and two retries, all before "good"
    assert tried.index("good") > max(i for i, v in enumerate(tried) if v == "bad")
    message = wait_for(lambda: sqs.receive_message(QueueUrl=url).get("Messages"), timeout=30)[0]
    info = json.loads(message["Body"])
    assert info["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert (
        info["DDBStreamBatchInfo"]["streamArn"] == arn
        and info["DDBStreamBatchInfo"]["batchSize"] == 1
    )


def test_partial_failures_and_bisect(ddb: Any, lambda_client: Any, tmp_path: Path) -> None:
    name, arn = _stream_table(ddb, "NEW_IMAGE")
    for i, v in enumerate(["ok", "ok", "bad", "ok"]):
        ddb.put_item(TableName=name, Item={"pk": {"S": f"p{i}"}, "sk": {"S": "1"}, "v": {"S": v}})
    fn = _function(lambda_client, tmp_path, "report")
    mapping = lambda_client.create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName=fn,
        StartingPosition="TRIM_HORIZON",
        BatchSize=10,
        FunctionResponseTypes=["ReportBatchItemFailures"],
        MaximumRetryAttempts=1,
        BisectBatchOnFunctionError=True,
    )
    wait_state(lambda_client, mapping["UUID"], "Enabled")
    wait_for(lambda: len(events(tmp_path)) >= 2, timeout=60)
    batches = [[r["dynamodb"]["Keys"]["pk"]["S"] for r in e["Records"]] for e in events(tmp_path)]
    everything = [k for b in batches for k in b]
    # p0 and p1 succeeded in the first batch and are never delivered again
    assert everything.count("p0") == 1 and everything.count("p1") == 1, batches
    assert everything.count("p2") >= 2  # retried from the failed record


def test_filter_criteria_and_latest(ddb: Any, lambda_client: Any, tmp_path: Path) -> None:
    name, arn = _stream_table(ddb)
    ddb.put_item(TableName=name, Item={"pk": {"S": "before"}, "sk": {"S": "1"}})
    fn = _function(lambda_client, tmp_path, "ok")
    mapping = lambda_client.create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName=fn,
        StartingPosition="LATEST",
        FilterCriteria={"Filters": [{"Pattern": json.dumps({"eventName": ["INSERT"]})}]},
    )
    wait_state(lambda_client, mapping["UUID"], "Enabled")
    ddb.put_item(TableName=name, Item={"pk": {"S": "after"}, "sk": {"S": "1"}})
    ddb.delete_item(TableName=name, Key={"pk": {"S": "after"}, "sk": {"S": "1"}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "last"}, "sk": {"S": "1"}})
    wait_for(
        lambda: any(r["dynamodb"]["Keys"]["pk"]["S"] == "last" for r in _records(tmp_path)),
        timeout=60,
    )
    names = [(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in _records(tmp_path)]
    assert names == [("INSERT", "after"), ("INSERT", "last")]
