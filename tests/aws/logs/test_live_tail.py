"""StartLiveTail through boto3: the event stream (sessionStart, then a sessionUpdate a
second with what arrived), its filters, the end of a session (the client gone, the
timeout), and AWS's errors."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.exceptions
import pytest

from tests.conftest import ServerProcess, create_function, unique_name

ACCOUNT = "000000000000"


@pytest.fixture(scope="module")
def logs(server: ServerProcess) -> Any:
    return server.client("logs")


@pytest.fixture
def group(logs: Any) -> str:
    name = f"/app/{unique_name()}"
    logs.create_log_group(logGroupName=name)
    logs.create_log_stream(logGroupName=name, logStreamName="web-1")
    logs.create_log_stream(logGroupName=name, logStreamName="worker-1")
    return name


def _error(info: pytest.ExceptionInfo[botocore.exceptions.ClientError]) -> tuple[str, str]:
    error = info.value.response["Error"]
    return error["Code"], error["Message"]


def _put(logs: Any, group: str, stream: str, messages: list[str]) -> None:
    now = int(time.time() * 1000)
    logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": now, "message": m} for m in messages],
    )


def _collect(stream: Iterator[dict[str, Any]], want: int, seconds: float = 15) -> list[Any]:
    """The log events of the stream's updates until ``want`` arrived (or time ran out)."""
    found: list[Any] = []
    deadline = time.monotonic() + seconds
    for event in stream:
        assert "sessionUpdate" in event, event
        found.extend(event["sessionUpdate"]["sessionResults"])
        if len(found) >= want or time.monotonic() > deadline:
            break
    return found


def test_put_log_events_reach_a_session(logs: Any, group: str) -> None:
    arn = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{group}"
    response = logs.start_live_tail(logGroupIdentifiers=[arn])
    stream = iter(response["responseStream"])
    start = next(stream)["sessionStart"]
    assert start["logGroupIdentifiers"] == [arn]
    assert start["sessionId"] and start["requestId"]
    _put(logs, group, "web-1", ["first", "second"])
    events = _collect(stream, 2)
    response["responseStream"].close()
    assert [e["message"] for e in events] == ["first", "second"]
    assert {e["logGroupIdentifier"] for e in events} == {arn}
    assert {e["logStreamName"] for e in events} == {"web-1"}
    assert all(e["timestamp"] <= e["ingestionTime"] + 1000 for e in events)


def test_updates_come_every_second_even_empty(logs: Any, group: str) -> None:
    response = logs.start_live_tail(logGroupIdentifiers=[group])
    stream = iter(response["responseStream"])
    assert "sessionStart" in next(stream)
    began = time.monotonic()
    update = next(stream)["sessionUpdate"]
    response["responseStream"].close()
    assert update.get("sessionResults", []) == []
    assert update["sessionMetadata"] == {"sampled": False}
    assert 0.5 < time.monotonic() - began < 3


def test_filter_pattern_and_streams_apply_as_filter_log_events(logs: Any, group: str) -> None:
    response = logs.start_live_tail(
        logGroupIdentifiers=[group],
        logStreamNamePrefixes=["web"],
        logEventFilterPattern="ERROR -debug",
    )
    stream = iter(response["responseStream"])
    start = next(stream)["sessionStart"]
    assert start["logStreamNamePrefixes"] == ["web"]
    assert start["logEventFilterPattern"] == "ERROR -debug"
    _put(logs, group, "worker-1", ["ERROR in the worker"])
    _put(logs, group, "web-1", ["INFO fine", "ERROR debug noise", "ERROR boom"])
    events = _collect(stream, 1, seconds=4)
    events += _collect(stream, 1, seconds=2)  # nothing else comes
    response["responseStream"].close()
    assert [e["message"] for e in events] == ["ERROR boom"]

    response = logs.start_live_tail(logGroupIdentifiers=[group], logStreamNames=["worker-1"])
    stream = iter(response["responseStream"])
    assert next(stream)["sessionStart"]["logStreamNames"] == ["worker-1"]
    _put(logs, group, "web-1", ["web"])
    _put(logs, group, "worker-1", ['{"level": "ERROR"}'])
    events = _collect(stream, 1)
    response["responseStream"].close()
    assert [e["message"] for e in events] == ['{"level": "ERROR"}']


def test_a_functions_lines_reach_a_session(logs: Any, lambda_client: Any) -> None:
    name = create_function(
        lambda_client, "def handler(event, context):\n    print('tail me', event['n'])\n"
    )
    group = f"/aws/lambda/{name}"
    response = logs.start_live_tail(logGroupIdentifiers=[group], logEventFilterPattern='"tail me"')
    stream = iter(response["responseStream"])
    next(stream)
    lambda_client.invoke(FunctionName=name, Payload=b'{"n": 7}')
    events = _collect(stream, 1)
    response["responseStream"].close()
    assert [e["message"] for e in events] == ["tail me 7"]
    assert events[0]["logGroupIdentifier"] == group


def test_two_groups_in_one_session(logs: Any, group: str) -> None:
    other = f"/app/{unique_name()}"
    logs.create_log_group(logGroupName=other)
    logs.create_log_stream(logGroupName=other, logStreamName="s")
    response = logs.start_live_tail(logGroupIdentifiers=[group, other])
    stream = iter(response["responseStream"])
    next(stream)
    _put(logs, group, "web-1", ["from one"])
    _put(logs, other, "s", ["from two"])
    events = _collect(stream, 2)
    response["responseStream"].close()
    assert sorted((e["logGroupIdentifier"], e["message"]) for e in events) == sorted(
        [(group, "from one"), (other, "from two")]
    )


def test_closed_sessions_free_their_place(server: ServerProcess) -> None:
    """15 sessions at once, as AWS allows; a client closing its stream ends its session."""
    logs = server.client("logs", access_key="111122223333")
    name = f"/app/{unique_name()}"
    logs.create_log_group(logGroupName=name)
    open_streams = []
    for _ in range(15):
        response = logs.start_live_tail(logGroupIdentifiers=[name])
        next(iter(response["responseStream"]))
        open_streams.append(response["responseStream"])
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.start_live_tail(logGroupIdentifiers=[name])
    assert info.value.response["Error"]["Code"] == "LimitExceededException"
    for stream in open_streams:
        stream.close()
    deadline = time.monotonic() + 10
    while True:
        try:
            response = logs.start_live_tail(logGroupIdentifiers=[name])
            break
        except botocore.exceptions.ClientError:
            assert time.monotonic() < deadline, "closed sessions were never ended"
            time.sleep(0.2)
    response["responseStream"].close()


def test_live_tail_errors(logs: Any, group: str) -> None:
    cases: list[tuple[dict[str, Any], str, str]] = [
        (
            {"logGroupIdentifiers": ["/app/no-such-group"]},
            "ResourceNotFoundException",
            "The specified log group does not exist: /app/no-such-group",
        ),
        (
            {
                "logGroupIdentifiers": [group],
                "logStreamNames": ["a"],
                "logStreamNamePrefixes": ["b"],
            },
            "InvalidParameterException",
            "logStreamNames and logStreamNamePrefixes are mutually exclusive parameters.",
        ),
        (
            {"logGroupIdentifiers": [group, group + "x"], "logStreamNames": ["a"]},
            "InvalidParameterException",
            "logStreamNames or logStreamNamePrefixes can only be specified "
            "with exactly one log group.",
        ),
        (
            {"logGroupIdentifiers": [f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{group}:*"]},
            "InvalidParameterException",
            "1 validation error detected: Value "
            f"'[arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{group}:*]' at "
            "'logGroupIdentifiers' failed to satisfy constraint: Member must satisfy "
            "constraint: [Member must have length less than or equal to 2048, Member must "
            "have length greater than or equal to 1, Member must satisfy regular expression "
            r"pattern: [\w#+=/:,.@-]*, Member must not be null]",
        ),
        (
            {"logGroupIdentifiers": [f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:{group}"]},
            "InvalidParameterException",
            f"Invalid log group identifier: arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:{group}",
        ),
        (
            {"logGroupIdentifiers": [group], "logEventFilterPattern": "%regex%"},
            "InvalidParameterException",
            None,
        ),
    ]
    for params, code, message in cases:
        with pytest.raises(botocore.exceptions.ClientError) as info:
            logs.start_live_tail(**params)
        got = _error(info)
        assert got[0] == code, (params, got)
        if message is not None:
            assert got[1] == message, (params, got)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.start_live_tail(logGroupIdentifiers=[f"/g/{i}" for i in range(11)])
    assert _error(info) == (
        "InvalidParameterException",
        "1 validation error detected: Value '[/g/0, /g/1, /g/2, /g/3, /g/4, /g/5, /g/6, "
        "/g/7, /g/8, /g/9, /g/10]' at 'logGroupIdentifiers' failed to satisfy constraint: "
        "Member must have length less than or equal to 10",
    )


def test_a_session_times_out_as_aws_ends_it(tmp_path: Path) -> None:
    os.environ["STRATUS_LIVE_TAIL_SESSION_S"] = "2.5"
    try:
        server = ServerProcess(tmp_path / "data").start()
    finally:
        del os.environ["STRATUS_LIVE_TAIL_SESSION_S"]
    try:
        logs = server.client("logs")
        logs.create_log_group(logGroupName="/app/short")
        response = logs.start_live_tail(logGroupIdentifiers=["/app/short"])
        seen: list[str] = []
        with pytest.raises(botocore.exceptions.EventStreamError) as info:
            for event in response["responseStream"]:
                seen.extend(event)
        assert seen[0] == "sessionStart"
        assert set(seen[1:]) == {"sessionUpdate"}
        assert len(seen) in (3, 4)
        error = info.value.response["Error"]
        assert error["Code"] == "SessionTimeoutException"
        assert error["Message"] == "Session timed out."
    finally:
        server.stop()


def test_more_than_500_events_a_second_are_sampled(logs: Any, group: str) -> None:
    response = logs.start_live_tail(logGroupIdentifiers=[group])
    stream = iter(response["responseStream"])
    next(stream)
    _put(logs, group, "web-1", [f"line {i:04d}" for i in range(600)])
    update: dict[str, Any] = {}
    for event in stream:
        update = event["sessionUpdate"]
        if update["sessionResults"]:
            break
    response["responseStream"].close()
    messages = [e["message"] for e in update["sessionResults"]]
    assert update["sessionMetadata"] == {"sampled": True}
    assert len(messages) == 500
    assert messages == sorted(messages)  # a sample, in the order the events came
    assert len(set(messages)) == 500
