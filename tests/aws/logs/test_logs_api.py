"""A function's logs read through the CloudWatch Logs API with boto3."""

from __future__ import annotations

import json
import re
import time
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
