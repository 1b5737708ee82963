"""Streams and events of a caller's own groups through boto3: CreateLogStream,
DescribeLogStreams, PutLogEvents at and past AWS's limits, GetLogEvents' tokens and
FilterLogEvents' patterns."""

from __future__ import annotations

import time
from typing import Any

import botocore.exceptions
import pytest

from tests.conftest import ServerProcess, unique_name


@pytest.fixture(scope="module")
def logs(server: ServerProcess) -> Any:
    # PutLogEvents of a megabyte: give it time on a busy machine.
    return server.client("logs")


def _error(info: pytest.ExceptionInfo[botocore.exceptions.ClientError]) -> tuple[str, str]:
    error = info.value.response["Error"]
    return error["Code"], error["Message"]


def _now() -> int:
    return int(time.time() * 1000)


@pytest.fixture
def group(logs: Any) -> str:
    name = unique_name("/streams/g")
    logs.create_log_group(logGroupName=name)
    return name


def test_create_describe_delete_streams(logs: Any, group: str) -> None:
    for name in ("b", "a", "c"):
        logs.create_log_stream(logGroupName=group, logStreamName=name)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.create_log_stream(logGroupName=group, logStreamName="a")
    assert _error(info) == (
        "ResourceAlreadyExistsException",
        "The specified log stream already exists",
    )
    now = _now()
    logs.put_log_events(
        logGroupName=group, logStreamName="c", logEvents=[{"timestamp": now - 5, "message": "x"}]
    )
    logs.put_log_events(
        logGroupName=group, logStreamName="a", logEvents=[{"timestamp": now, "message": "y"}]
    )
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert [s["logStreamName"] for s in streams] == ["a", "b", "c"]
    a = streams[0]
    assert a["arn"].endswith(f":log-group:{group}:log-stream:a")
    assert a["firstEventTimestamp"] == a["lastEventTimestamp"] == now
    assert a["lastIngestionTime"] >= a["creationTime"]
    assert "firstEventTimestamp" not in streams[1]  # b never had an event
    by_time = logs.describe_log_streams(
        logGroupName=group, orderBy="LastEventTime", descending=True
    )["logStreams"]
    assert [s["logStreamName"] for s in by_time][:2] == ["a", "c"]
    first = logs.describe_log_streams(logGroupName=group, limit=2)
    assert [s["logStreamName"] for s in first["logStreams"]] == ["a", "b"]
    rest = logs.describe_log_streams(logGroupName=group, limit=2, nextToken=first["nextToken"])
    assert [s["logStreamName"] for s in rest["logStreams"]] == ["c"] and "nextToken" not in rest
    only = logs.describe_log_streams(logGroupName=group, logStreamNamePrefix="b")["logStreams"]
    assert [s["logStreamName"] for s in only] == ["b"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.describe_log_streams(
            logGroupName=group, logStreamNamePrefix="a", orderBy="LastEventTime"
        )
    assert _error(info)[0] == "InvalidParameterException"
    logs.delete_log_stream(logGroupName=group, logStreamName="a")
    names = [
        s["logStreamName"] for s in logs.describe_log_streams(logGroupName=group)["logStreams"]
    ]
    assert names == ["b", "c"]
    assert [e["message"] for e in logs.filter_log_events(logGroupName=group)["events"]] == ["x"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.delete_log_stream(logGroupName=group, logStreamName="a")
    assert _error(info) == ("ResourceNotFoundException", "The specified log stream does not exist.")


def test_streams_of_a_missing_group(logs: Any) -> None:
    missing = unique_name("none")
    for call in (
        lambda: logs.create_log_stream(logGroupName=missing, logStreamName="s"),
        lambda: logs.describe_log_streams(logGroupName=missing),
        lambda: logs.put_log_events(
            logGroupName=missing, logStreamName="s", logEvents=[{"timestamp": 1, "message": "m"}]
        ),
    ):
        with pytest.raises(botocore.exceptions.ClientError) as info:
            call()
        assert _error(info) == (
            "ResourceNotFoundException",
            "The specified log group does not exist.",
        )


def test_bad_stream_names(logs: Any, group: str) -> None:
    for name in ("has:colon", "star*", "x" * 513):
        with pytest.raises(botocore.exceptions.ClientError) as info:
            logs.create_log_stream(logGroupName=group, logStreamName=name)
        assert _error(info)[0] == "InvalidParameterException"
    assert logs.describe_log_streams(logGroupName=group)["logStreams"] == []


def test_put_to_a_missing_stream(logs: Any, group: str) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.put_log_events(
            logGroupName=group, logStreamName="nope", logEvents=[{"timestamp": 1, "message": "m"}]
        )
    assert _error(info) == ("ResourceNotFoundException", "The specified log stream does not exist.")


def test_put_and_read_back_with_ingestion_time(logs: Any, group: str) -> None:
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    now = _now()
    answer = logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[{"timestamp": now - 1000 + n, "message": f"event {n}"} for n in range(5)],
        sequenceToken="anything at all",  # accepted and ignored, as AWS does since 2023
    )
    assert answer["nextSequenceToken"] and "rejectedLogEventsInfo" not in answer
    got = logs.get_log_events(logGroupName=group, logStreamName="s", startFromHead=True)
    assert [e["message"] for e in got["events"]] == [f"event {n}" for n in range(5)]
    assert [e["timestamp"] for e in got["events"]] == [now - 1000 + n for n in range(5)]
    assert all(e["ingestionTime"] >= now for e in got["events"])
    multi = "line one\nline two"  # one event, whatever it holds
    logs.put_log_events(
        logGroupName=group, logStreamName="s", logEvents=[{"timestamp": now, "message": multi}]
    )
    found = logs.filter_log_events(logGroupName=group, filterPattern='"line two"')["events"]
    assert [e["message"] for e in found] == [multi]


def test_out_of_order_batch_fails_whole(logs: Any, group: str) -> None:
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    now = _now()
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.put_log_events(
            logGroupName=group,
            logStreamName="s",
            logEvents=[{"timestamp": now, "message": "b"}, {"timestamp": now - 1, "message": "a"}],
        )
    assert _error(info) == (
        "InvalidParameterException",
        "Log events in a single PutLogEvents request must be in chronological order.",
    )
    assert logs.filter_log_events(logGroupName=group)["events"] == []


def test_too_old_and_too_new_are_rejected_not_failed(logs: Any, group: str) -> None:
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    now = _now()
    answer = logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[
            {"timestamp": now - 15 * 86_400_000, "message": "too old"},
            {"timestamp": now - 14 * 86_400_000 - 1000, "message": "too old too"},
            {"timestamp": now, "message": "kept"},
            {"timestamp": now + 3 * 3_600_000, "message": "too new"},
        ],
    )
    assert answer["rejectedLogEventsInfo"] == {
        "tooOldLogEventEndIndex": 2,
        "tooNewLogEventStartIndex": 3,
    }
    assert [e["message"] for e in logs.filter_log_events(logGroupName=group)["events"]] == ["kept"]


def test_a_batch_may_not_span_more_than_a_day(logs: Any, group: str) -> None:
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    now = _now()
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.put_log_events(
            logGroupName=group,
            logStreamName="s",
            logEvents=[
                {"timestamp": now - 25 * 3_600_000, "message": "a"},
                {"timestamp": now, "message": "b"},
            ],
        )
    assert _error(info)[0] == "InvalidParameterException"
    assert logs.filter_log_events(logGroupName=group)["events"] == []


def test_batches_at_and_past_the_limits(logs: Any, group: str) -> None:
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    now = _now()
    # 10,000 events: the most a batch may hold.
    answer = logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[{"timestamp": now, "message": str(n)} for n in range(10_000)],
    )
    assert "rejectedLogEventsInfo" not in answer
    # 10,001: refused by the model's bound, nothing stored.
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.put_log_events(
            logGroupName=group,
            logStreamName="s",
            logEvents=[{"timestamp": now, "message": "extra"} for _ in range(10_001)],
        )
    code, message = _error(info)
    assert code == "InvalidParameterException" and "logEvents" in message
    # Exactly 1,048,576 bytes counting 26 per event: accepted.
    exact = 1_048_576 - 26
    logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[{"timestamp": now, "message": "x" * exact}],
    )
    # One byte more: refused whole.
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.put_log_events(
            logGroupName=group,
            logStreamName="s",
            logEvents=[{"timestamp": now, "message": "y" * (exact + 1)}],
        )
    assert _error(info)[0] == "InvalidParameterException"
    # Many events past the batch's bytes: refused whole, with the 26-byte overhead counted.
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.put_log_events(
            logGroupName=group,
            logStreamName="s",
            logEvents=[{"timestamp": now, "message": "z" * 100} for _ in range(8400)],
        )
    assert _error(info) == (
        "InvalidParameterException",
        f"Upload too large: {8400 * 126} bytes exceeds limit of 1048576",
    )
    events = logs.filter_log_events(logGroupName=group, filterPattern="y")["events"]
    assert events == []
    total, kwargs = 0, {"logGroupName": group}
    while True:
        page = logs.filter_log_events(**kwargs)
        total += len(page["events"])
        if "nextToken" not in page:
            break
        kwargs["nextToken"] = page["nextToken"]
    assert total == 10_001


def test_get_log_events_tokens_walk_both_ways(logs: Any, group: str) -> None:
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    now = _now()
    logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[{"timestamp": now + n, "message": f"m{n}"} for n in range(7)],
    )
    newest = logs.get_log_events(logGroupName=group, logStreamName="s", limit=3)
    assert [e["message"] for e in newest["events"]] == ["m4", "m5", "m6"]
    back = logs.get_log_events(
        logGroupName=group, logStreamName="s", limit=3, nextToken=newest["nextBackwardToken"]
    )
    assert [e["message"] for e in back["events"]] == ["m1", "m2", "m3"]
    forward, messages = None, []
    kwargs: dict[str, Any] = {"logGroupName": group, "logStreamName": "s", "limit": 3}
    kwargs["startFromHead"] = True
    while True:
        page = logs.get_log_events(**kwargs)
        messages.extend(e["message"] for e in page["events"])
        if page["nextForwardToken"] == forward:
            break
        forward = kwargs["nextToken"] = page["nextForwardToken"]
    assert messages == [f"m{n}" for n in range(7)]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.get_log_events(logGroupName=group, logStreamName="s", nextToken="garbage")
    assert _error(info)[0] == "InvalidParameterException"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.get_log_events(logGroupName=group, logStreamName="missing")
    assert _error(info) == ("ResourceNotFoundException", "The specified log stream does not exist.")


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("", ["ERROR disk full", "WARN slow", '{"level": "error", "ms": 250}', "INFO ok"]),
        ("ERROR", ["ERROR disk full"]),
        ("ERROR full", ["ERROR disk full"]),
        ("ERROR nothing", []),
        ('"disk full"', ["ERROR disk full"]),
        ("?ERROR ?WARN", ["ERROR disk full", "WARN slow"]),
        ("-INFO", ["ERROR disk full", "WARN slow", '{"level": "error", "ms": 250}']),
        ('{ $.level = "error" }', ['{"level": "error", "ms": 250}']),
        ("{ $.ms > 100 }", ['{"level": "error", "ms": 250}']),
        ("{ $.ms < 100 }", []),
        ('{ $.level = "err*" && $.ms >= 250 }', ['{"level": "error", "ms": 250}']),
    ],
    ids=[
        "empty",
        "term",
        "two-terms",
        "missing-term",
        "phrase",
        "alternatives",
        "exclusion",
        "json-equal",
        "json-greater",
        "json-less",
        "json-and-wildcard",
    ],
)
def test_filter_patterns(logs: Any, pattern: str, expected: list[str]) -> None:
    group = unique_name("/patterns/g")
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    now = _now()
    messages = ["ERROR disk full", "WARN slow", '{"level": "error", "ms": 250}', "INFO ok"]
    logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[{"timestamp": now + n, "message": m} for n, m in enumerate(messages)],
    )
    found = logs.filter_log_events(logGroupName=group, filterPattern=pattern)["events"]
    assert [e["message"] for e in found] == expected


def test_exclusion_and_refused_patterns(logs: Any, group: str) -> None:
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    now = _now()
    logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[
            {"timestamp": now, "message": "ERROR retrying"},
            {"timestamp": now, "message": "ERROR giving up"},
        ],
    )
    found = logs.filter_log_events(logGroupName=group, filterPattern="ERROR -retrying")["events"]
    assert [e["message"] for e in found] == ["ERROR giving up"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.filter_log_events(logGroupName=group, filterPattern="[ip, user]")
    assert _error(info)[0] == "InvalidParameterException"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.filter_log_events(logGroupName=group, logStreamNames=["s"], logStreamNamePrefix="s")
    assert _error(info)[0] == "InvalidParameterException"


def test_ids_are_never_reused_after_a_delete(logs: Any, group: str) -> None:
    """A reader's token names an event id; deleting the newest events must not hand
    their ids to the next ones, or the reader would skip them."""
    for name in ("s1", "s2"):
        logs.create_log_stream(logGroupName=group, logStreamName=name)
    now = _now()
    logs.put_log_events(
        logGroupName=group,
        logStreamName="s1",
        logEvents=[{"timestamp": now, "message": "first"}, {"timestamp": now, "message": "second"}],
    )
    page = logs.filter_log_events(logGroupName=group, limit=1)
    assert [e["message"] for e in page["events"]] == ["first"]
    logs.delete_log_stream(logGroupName=group, logStreamName="s1")
    logs.put_log_events(
        logGroupName=group, logStreamName="s2", logEvents=[{"timestamp": now, "message": "third"}]
    )
    rest = logs.filter_log_events(logGroupName=group, nextToken=page["nextToken"])
    assert [e["message"] for e in rest["events"]] == ["third"]
