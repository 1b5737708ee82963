"""Subscription filters delivering to real functions (the payload decoded as a handler
would), a function's own log group subscribed to another, destinations that fail or are
deleted, metric filters, and a function's group created before the function (the CDK)."""

from __future__ import annotations

import base64
import gzip
import json
import time
from pathlib import Path
from typing import Any

import botocore.exceptions
import pytest

from tests.conftest import CONFORMANCE, ServerProcess, create_function, unique_name

RECORDER = """
import base64, gzip, json, os

def handler(event, context):
    data = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
    with open(os.environ["OUT"], "a") as out:
        out.write(json.dumps({"event": event, "data": data}) + "\\n")
"""

FAILING = "def handler(event, context):\n    raise RuntimeError('no thanks')\n"


@pytest.fixture(scope="module")
def logs(server: ServerProcess) -> Any:
    return server.client("logs")


def _error(info: pytest.ExceptionInfo[botocore.exceptions.ClientError]) -> tuple[str, str]:
    error = info.value.response["Error"]
    return error["Code"], error["Message"]


def _recorder(lambda_client: Any, out: Path) -> str:
    name = create_function(lambda_client, RECORDER, Environment={"Variables": {"OUT": str(out)}})
    return str(lambda_client.get_function(FunctionName=name)["Configuration"]["FunctionArn"])


def _deliveries(out: Path, want: int) -> list[dict[str, Any]]:
    """The deliveries recorded so far, waiting (bounded) until their events number
    ``want``."""
    deadline = time.monotonic() + 60
    records: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        if out.exists():
            records = [json.loads(line) for line in out.read_text().splitlines() if line]
            if sum(len(r["data"]["logEvents"]) for r in records) >= want:
                return records
        time.sleep(0.1)
    return records


def _put(logs: Any, group: str, stream: str, messages: list[str]) -> None:
    now = int(time.time() * 1000)
    logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": now + n, "message": m} for n, m in enumerate(messages)],
    )


def test_matching_events_reach_the_function_as_aws_sends_them(
    logs: Any, lambda_client: Any, tmp_path: Path
) -> None:
    out = tmp_path / "deliveries.jsonl"
    arn = _recorder(lambda_client, out)
    group = unique_name("/subs/app")
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="web-1")
    logs.put_subscription_filter(
        logGroupName=group, filterName="errors", filterPattern="ERROR", destinationArn=arn
    )
    _put(logs, group, "web-1", ["INFO fine", "ERROR one", "DEBUG x", "ERROR two"])
    records = _deliveries(out, 2)
    events = [e for r in records for e in r["data"]["logEvents"]]
    assert [e["message"] for e in events] == ["ERROR one", "ERROR two"]
    data = records[0]["data"]
    assert data["messageType"] == "DATA_MESSAGE"
    assert data["owner"] == "000000000000"
    assert data["logGroup"] == group and data["logStream"] == "web-1"
    assert data["subscriptionFilters"] == ["errors"]
    assert set(records[0]["event"]) == {"awslogs"} and set(records[0]["event"]["awslogs"]) == {
        "data"
    }
    stored = logs.filter_log_events(logGroupName=group, filterPattern="ERROR")["events"]
    assert [e["id"] for e in events] == [e["eventId"] for e in stored]
    assert [e["timestamp"] for e in events] == [e["timestamp"] for e in stored]


def test_the_payload_has_the_shape_of_aws_sample(logs: Any) -> None:
    sample_path = CONFORMANCE / "events" / "powertools" / "cloudWatchLogEvent.json"
    if not sample_path.exists():
        pytest.skip("the shared conformance material is absent from this checkout")
    sample = json.loads(sample_path.read_text())
    data = json.loads(gzip.decompress(base64.b64decode(sample["awslogs"]["data"])))
    from stratus.services.logs.subscriptions import _Batch, payload
    from stratus.services.scope import Scope

    ours = json.loads(
        payload(
            "123456789123",
            _Batch(Scope("123456789123", "us-east-1"), "g", "s", "f", "arn", [("1", 2, "m")]),
        )
    )
    assert set(ours) == set(sample) and set(ours["awslogs"]) == set(sample["awslogs"])
    decoded = json.loads(gzip.decompress(base64.b64decode(ours["awslogs"]["data"])))
    assert list(decoded) == list(data)
    assert set(decoded["logEvents"][0]) == set(data["logEvents"][0])


def test_a_functions_own_group_subscribed_to_another_function(
    logs: Any, lambda_client: Any, tmp_path: Path
) -> None:
    out = tmp_path / "deliveries.jsonl"
    arn = _recorder(lambda_client, out)
    source = create_function(
        lambda_client, "def handler(event, context):\n    print('hello', event['n'])\n"
    )
    group = f"/aws/lambda/{source}"
    logs.put_subscription_filter(
        logGroupName=group, filterName="hellos", filterPattern="hello", destinationArn=arn
    )
    for n in range(3):
        lambda_client.invoke(FunctionName=source, Payload=json.dumps({"n": n}))
    records = _deliveries(out, 3)
    messages = [e["message"] for r in records for e in r["data"]["logEvents"]]
    assert sorted(messages) == ["hello 0", "hello 1", "hello 2"]
    assert {r["data"]["logGroup"] for r in records} == {group}
    assert all("[$LATEST]" in r["data"]["logStream"] for r in records)
    assert [
        f["filterName"]
        for f in logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"]
    ] == ["hellos"]


def test_a_failing_or_deleted_destination_stalls_nothing(
    logs: Any, lambda_client: Any, tmp_path: Path
) -> None:
    out = tmp_path / "deliveries.jsonl"
    good = _recorder(lambda_client, out)
    failing = create_function(lambda_client, FAILING)
    failing_arn = lambda_client.get_function(FunctionName=failing)["Configuration"]["FunctionArn"]
    doomed = create_function(lambda_client, FAILING)
    doomed_arn = lambda_client.get_function(FunctionName=doomed)["Configuration"]["FunctionArn"]
    failing_group, good_group = unique_name("/subs/bad"), unique_name("/subs/good")
    for group in (failing_group, good_group):
        logs.create_log_group(logGroupName=group)
        logs.create_log_stream(logGroupName=group, logStreamName="s")
    logs.put_subscription_filter(
        logGroupName=failing_group, filterName="a", filterPattern="", destinationArn=failing_arn
    )
    logs.put_subscription_filter(
        logGroupName=failing_group, filterName="b", filterPattern="", destinationArn=doomed_arn
    )
    logs.put_subscription_filter(
        logGroupName=good_group, filterName="g", filterPattern="", destinationArn=good
    )
    lambda_client.delete_function(FunctionName=doomed)
    for n in range(5):
        _put(logs, failing_group, "s", [f"bad {n}"])
        _put(logs, good_group, "s", [f"good {n}"])
    records = _deliveries(out, 5)
    messages = sorted(e["message"] for r in records for e in r["data"]["logEvents"])
    assert messages == [f"good {n}" for n in range(5)]
    # The writer kept every event of the group whose destinations fail.
    kept = logs.filter_log_events(logGroupName=failing_group)["events"]
    assert [e["message"] for e in kept] == [f"bad {n}" for n in range(5)]


def test_subscription_filter_errors(logs: Any, lambda_client: Any, tmp_path: Path) -> None:
    arn = _recorder(lambda_client, tmp_path / "unused.jsonl")
    group = unique_name("/subs/errors")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.put_subscription_filter(
            logGroupName=group, filterName="f", filterPattern="", destinationArn=arn
        )
    assert _error(info) == ("ResourceNotFoundException", "The specified log group does not exist.")
    logs.create_log_group(logGroupName=group)
    missing = arn.rsplit(":", 1)[0] + ":" + unique_name("nobody")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.put_subscription_filter(
            logGroupName=group, filterName="f", filterPattern="", destinationArn=missing
        )
    assert _error(info)[0] == "InvalidParameterException"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.put_subscription_filter(
            logGroupName=group, filterName="f", filterPattern="[a, b]", destinationArn=arn
        )
    assert _error(info)[0] == "InvalidParameterException"
    for name in ("one", "two"):
        logs.put_subscription_filter(
            logGroupName=group, filterName=name, filterPattern="x", destinationArn=arn
        )
    logs.put_subscription_filter(  # replacing one of the two is no third
        logGroupName=group, filterName="two", filterPattern="y", destinationArn=arn
    )
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.put_subscription_filter(
            logGroupName=group, filterName="three", filterPattern="", destinationArn=arn
        )
    assert _error(info) == ("LimitExceededException", "Resource limit exceeded.")
    found = logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"]
    assert [(f["filterName"], f["filterPattern"]) for f in found] == [("one", "x"), ("two", "y")]
    assert found[0]["destinationArn"] == arn and found[0]["logGroupName"] == group
    assert found[0]["distribution"] == "ByLogStream" and found[0]["creationTime"] > 0
    page = logs.describe_subscription_filters(logGroupName=group, filterNamePrefix="tw")
    assert [f["filterName"] for f in page["subscriptionFilters"]] == ["two"]
    logs.delete_subscription_filter(logGroupName=group, filterName="one")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.delete_subscription_filter(logGroupName=group, filterName="one")
    assert _error(info) == (
        "ResourceNotFoundException",
        "The specified subscription filter does not exist.",
    )


def test_metric_filters_are_kept_and_listed(logs: Any) -> None:
    group = unique_name("/metrics/g")
    logs.create_log_group(logGroupName=group)
    transformation = {
        "metricName": "Errors",
        "metricNamespace": "App",
        "metricValue": "1",
        "defaultValue": 0.0,
    }
    logs.put_metric_filter(
        logGroupName=group,
        filterName="errors",
        filterPattern="ERROR",
        metricTransformations=[transformation],
    )
    found = logs.describe_metric_filters(logGroupName=group)["metricFilters"]
    assert len(found) == 1 and found[0]["filterName"] == "errors"
    assert found[0]["metricTransformations"] == [transformation]
    by_metric = logs.describe_metric_filters(metricName="Errors", metricNamespace="App")
    assert group in {f["logGroupName"] for f in by_metric["metricFilters"]}
    group_view = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
    assert group_view["metricFilterCount"] == 1
    logs.delete_metric_filter(logGroupName=group, filterName="errors")
    assert logs.describe_metric_filters(logGroupName=group)["metricFilters"] == []
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.delete_metric_filter(logGroupName=group, filterName="errors")
    assert _error(info)[0] == "ResourceNotFoundException"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.put_metric_filter(
            logGroupName=unique_name("none"),
            filterName="f",
            filterPattern="",
            metricTransformations=[transformation],
        )
    assert _error(info)[0] == "ResourceNotFoundException"


def test_a_functions_group_created_first_keeps_the_functions_logs(
    logs: Any, lambda_client: Any
) -> None:
    name = unique_name("cdk")
    group = f"/aws/lambda/{name}"
    logs.create_log_group(logGroupName=group, tags={"stack": "s"})
    logs.put_retention_policy(logGroupName=group, retentionInDays=7)
    create_function(
        lambda_client, "def handler(event, context):\n    print('hi there')\n", name=name
    )
    lambda_client.invoke(FunctionName=name, Payload=b"{}")
    messages: list[str] = []
    for _ in range(100):
        messages = [e["message"] for e in logs.filter_log_events(logGroupName=group)["events"]]
        if any(m.startswith("REPORT") for m in messages):
            break
        time.sleep(0.05)
    assert "hi there" in messages
    groups = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert [(g["logGroupName"], g.get("retentionInDays")) for g in groups] == [(group, 7)]
    # The group exists now (the function logged): creating it again is refused.
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.create_log_group(logGroupName=group)
    assert _error(info)[0] == "ResourceAlreadyExistsException"


def test_retention_on_a_functions_implicit_group(logs: Any, lambda_client: Any) -> None:
    """The CDK's LogRetention: CreateLogGroup fails (the function logged), then
    PutRetentionPolicy on the group Lambda made."""
    name = create_function(lambda_client, "def handler(event, context):\n    print('x')\n")
    group = f"/aws/lambda/{name}"
    lambda_client.invoke(FunctionName=name, Payload=b"{}")
    for _ in range(100):
        if logs.filter_log_events(logGroupName=group, filterPattern="REPORT")["events"]:
            break
        time.sleep(0.05)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.create_log_group(logGroupName=group)
    assert _error(info)[0] == "ResourceAlreadyExistsException"
    logs.put_retention_policy(logGroupName=group, retentionInDays=30)
    view = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
    assert view["retentionInDays"] == 30
    assert logs.filter_log_events(logGroupName=group, filterPattern="x")["events"]


def test_a_full_batch_is_delivered_whole_in_several_invocations(
    logs: Any, lambda_client: Any, tmp_path: Path
) -> None:
    """10,000 events of about a megabyte: more than one invocation may carry, so the
    delivery is split; every matching event arrives once."""
    out = tmp_path / "deliveries.jsonl"
    arn = _recorder(lambda_client, out)
    group = unique_name("/subs/big")
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    logs.put_subscription_filter(
        logGroupName=group, filterName="all", filterPattern="", destinationArn=arn
    )
    now = int(time.time() * 1000)
    logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[{"timestamp": now, "message": f"{n:05d}" + "x" * 70} for n in range(10_000)],
    )
    records = _deliveries(out, 10_000)
    assert len(records) > 1
    numbers = sorted(int(e["message"][:5]) for r in records for e in r["data"]["logEvents"])
    assert numbers == list(range(10_000))


def test_a_functions_group_takes_streams_of_its_own_and_deletes_whole(
    logs: Any, lambda_client: Any
) -> None:
    name = create_function(lambda_client, "def handler(event, context):\n    print('fn line')\n")
    group = f"/aws/lambda/{name}"
    lambda_client.invoke(FunctionName=name, Payload=b"{}")
    logs.create_log_stream(logGroupName=group, logStreamName="mine")
    now = int(time.time() * 1000)
    logs.put_log_events(
        logGroupName=group, logStreamName="mine", logEvents=[{"timestamp": now, "message": "own"}]
    )
    messages: list[str] = []
    for _ in range(100):
        messages = [e["message"] for e in logs.filter_log_events(logGroupName=group)["events"]]
        if "fn line" in messages:
            break
        time.sleep(0.05)
    assert "fn line" in messages and "own" in messages
    streams = [
        s["logStreamName"] for s in logs.describe_log_streams(logGroupName=group)["logStreams"]
    ]
    assert "mine" in streams and any("[$LATEST]" in s for s in streams)
    logs.delete_log_group(logGroupName=group)
    assert logs.filter_log_events(logGroupName=group)["events"] == []
    # The function logs on, into its group again.
    lambda_client.invoke(FunctionName=name, Payload=b"{}")
    for _ in range(100):
        messages = [e["message"] for e in logs.filter_log_events(logGroupName=group)["events"]]
        if "fn line" in messages:
            break
        time.sleep(0.05)
    assert "fn line" in messages and "own" not in messages
