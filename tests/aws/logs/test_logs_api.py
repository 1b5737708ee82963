"""A function's logs read through the CloudWatch Logs API with boto3."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from typing import Any

import botocore.exceptions
import pytest

from tests.conftest import ServerProcess, create_function

SOURCE = "def handler(event, context):\n    print('line', event['n'])\n    return event['n']\n"


@pytest.fixture(scope="module")
def logged_function(server: ServerProcess, lambda_client: Any) -> str:
    name = create_function(lambda_client, SOURCE)
    for n in range(3):
        lambda_client.invoke(FunctionName=name, Payload=json.dumps({"n": n}))
    return name


def _filter(logs: Any, group: str, **kwargs: Any) -> list[dict[str, Any]]:
    for _ in range(50):  # log lines are committed just after the invoke answers
        events = logs.filter_log_events(logGroupName=group, **kwargs)["events"]
        if sum("REPORT RequestId" in e["message"] for e in events) >= 3:
            return events
        time.sleep(0.05)
    return events


def test_log_group_and_streams(server: ServerProcess, logged_function: str) -> None:
    logs = server.client("logs")
    group = f"/aws/lambda/{logged_function}"
    groups = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert [g["logGroupName"] for g in groups] == [group]
    _filter(logs, group)
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert len(streams) == 1  # one warm environment served all three invocations
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}", streams[0]["logStreamName"])


def test_filter_and_get_events(server: ServerProcess, logged_function: str) -> None:
    logs = server.client("logs")
    group = f"/aws/lambda/{logged_function}"
    events = _filter(logs, group)
    messages = [e["message"] for e in events]
    assert [m for m in messages if m.startswith("line")] == ["line 0", "line 1", "line 2"]
    assert sum(m.startswith("START RequestId") for m in messages) == 3
    only = logs.filter_log_events(logGroupName=group, filterPattern='"line 1"')["events"]
    assert [e["message"] for e in only] == ["line 1"]
    stream = events[0]["logStreamName"]
    got = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)
    assert [e["message"] for e in got["events"]] == messages


def test_paging_with_next_token(server: ServerProcess, logged_function: str) -> None:
    logs = server.client("logs")
    group = f"/aws/lambda/{logged_function}"
    everything = [e["eventId"] for e in _filter(logs, group)]
    paged: list[str] = []
    kwargs: dict[str, Any] = {"logGroupName": group, "limit": 4}
    while True:
        page = logs.filter_log_events(**kwargs)
        paged.extend(e["eventId"] for e in page["events"])
        if "nextToken" not in page:
            break
        kwargs["nextToken"] = page["nextToken"]
    assert paged == everything


def test_unknown_log_group(server: ServerProcess) -> None:
    logs = server.client("logs")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.filter_log_events(logGroupName="/aws/lambda/does-not-exist")
    error = info.value.response["Error"]
    assert error["Code"] == "ResourceNotFoundException"
    assert error["Message"] == "The specified log group does not exist."


# -- invocations of several lines: pages that end inside one invocation's lines ------------

ROWS = "def handler(event, context):\n    for n in range(3):\n        print('row', event['n'], n)\n"


@pytest.fixture(scope="module")
def multiline_function(server: ServerProcess, lambda_client: Any) -> str:
    """Three invocations of six lines each: START, three printed rows, END, REPORT."""
    name = create_function(lambda_client, ROWS)
    for n in range(3):
        lambda_client.invoke(FunctionName=name, Payload=json.dumps({"n": n}))
    return name


def _everything(logs: Any, group: str) -> list[dict[str, Any]]:
    events = _filter(logs, group)
    assert len(events) == 18
    return events


def test_multiline_invocations_read_back_line_by_line(
    server: ServerProcess, multiline_function: str
) -> None:
    logs = server.client("logs")
    events = _everything(logs, f"/aws/lambda/{multiline_function}")
    messages = [e["message"] for e in events]
    for n in range(3):
        lines = messages[6 * n : 6 * n + 6]
        assert lines[0].startswith("START RequestId: ")
        assert lines[1:4] == [f"row {n} {row}" for row in range(3)]
        assert lines[4].startswith("END RequestId: ") and lines[5].startswith("REPORT RequestId: ")
    ids = [int(e["eventId"]) for e in events]
    assert ids == sorted(set(ids))


def test_get_log_events_pages_of_two_through_each_invocation(
    server: ServerProcess, multiline_function: str
) -> None:
    logs = server.client("logs")
    group = f"/aws/lambda/{multiline_function}"
    events = _everything(logs, group)
    kwargs: dict[str, Any] = {
        "logGroupName": group,
        "logStreamName": events[0]["logStreamName"],
        "limit": 2,
        "startFromHead": True,
    }
    paged: list[str] = []
    while True:
        page = logs.get_log_events(**kwargs)
        assert len(page["events"]) <= 2
        paged.extend(e["message"] for e in page["events"])
        if page["nextForwardToken"] == kwargs.get("nextToken"):
            break  # as in AWS: the same token again once the stream's end is reached
        kwargs["nextToken"] = page["nextForwardToken"]
    assert paged == [e["message"] for e in events]
    stream = events[0]["logStreamName"]
    last = logs.get_log_events(logGroupName=group, logStreamName=stream, limit=2)
    assert [e["message"] for e in last["events"]] == paged[-2:]  # the newest, by default


def test_filter_log_events_pages_of_two_through_matching_lines(
    server: ServerProcess, multiline_function: str
) -> None:
    logs = server.client("logs")
    group = f"/aws/lambda/{multiline_function}"
    _everything(logs, group)
    kwargs: dict[str, Any] = {"logGroupName": group, "filterPattern": "row", "limit": 2}
    pages: list[list[str]] = []
    while True:
        page = logs.filter_log_events(**kwargs)
        pages.append([e["message"] for e in page["events"]])
        if "nextToken" not in page:
            break
        kwargs["nextToken"] = page["nextToken"]
    rows = [f"row {n} {row}" for n in range(3) for row in range(3)]
    assert [m for page in pages for m in page] == rows
    assert all(len(page) <= 2 for page in pages) and len(pages) == 5
    only = logs.filter_log_events(logGroupName=group, filterPattern='"row 1 2"')["events"]
    assert [e["message"] for e in only] == ["row 1 2"]


def test_start_and_end_time_select_whole_invocations(
    server: ServerProcess, multiline_function: str
) -> None:
    logs = server.client("logs")
    group = f"/aws/lambda/{multiline_function}"
    events = _everything(logs, group)
    stamp = events[6]["timestamp"]  # the second invocation's: all its lines share it
    assert {e["timestamp"] for e in events[6:12]} == {stamp}
    expected = [e["message"] for e in events if e["timestamp"] == stamp]
    window = logs.filter_log_events(logGroupName=group, startTime=stamp, endTime=stamp)
    assert [e["message"] for e in window["events"]] == expected
    got = logs.get_log_events(
        logGroupName=group,
        logStreamName=events[0]["logStreamName"],
        startTime=stamp,
        endTime=stamp,
        startFromHead=True,
    )
    assert [e["message"] for e in got["events"]] == expected
    later = logs.filter_log_events(logGroupName=group, startTime=events[-1]["timestamp"] + 1)
    assert later["events"] == []


def test_native_logs_page_through_each_invocation(
    server: ServerProcess, multiline_function: str
) -> None:
    """``stratus logs`` reads ``/_stratus/functions/NAME/logs?after=ID`` page by page."""
    logs = server.client("logs")
    events = _everything(logs, f"/aws/lambda/{multiline_function}")
    base = f"{server.endpoint}/_stratus/functions/{multiline_function}/logs"
    after, paged = 0, []
    while True:
        with urllib.request.urlopen(f"{base}?after={after}&limit=2", timeout=10) as response:
            page = json.loads(response.read())
        assert len(page["events"]) <= 2
        if not page["events"]:
            assert page["next"] == after
            break
        paged.extend((str(e["id"]), e["message"]) for e in page["events"])
        after = page["next"]
    assert paged == [(e["eventId"], e["message"]) for e in events]


HUGE = "def handler(event, context):\n    print('\\n'.join(f'huge {n}' for n in range(12000)))\n"


def test_a_huge_output_reads_back_whole_and_in_order(
    server: ServerProcess, lambda_client: Any
) -> None:
    name = create_function(lambda_client, HUGE, Timeout=30)
    lambda_client.invoke(FunctionName=name, Payload=b"{}")
    logs = server.client("logs")
    group = f"/aws/lambda/{name}"
    for _ in range(100):
        events = logs.filter_log_events(logGroupName=group, filterPattern="REPORT")["events"]
        if events:
            break
        time.sleep(0.05)
    kwargs: dict[str, Any] = {
        "logGroupName": group,
        "logStreamName": events[0]["logStreamName"],
        "limit": 5000,
        "startFromHead": True,
    }
    messages: list[str] = []
    while True:
        page = logs.get_log_events(**kwargs)
        messages.extend(e["message"] for e in page["events"])
        if page["nextForwardToken"] == kwargs.get("nextToken"):
            break
        kwargs["nextToken"] = page["nextForwardToken"]
    assert messages[0].startswith("START RequestId: ")
    assert messages[1:-2] == [f"huge {n}" for n in range(12000)]
    assert messages[-1].startswith("REPORT RequestId: ")
