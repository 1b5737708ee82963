"""GetLogGroupFields (the fields Insights discovers in a group's recent events, with
percentages) and GetLogRecord (an event by the @ptr GetQueryResults answers), through
boto3, with AWS's errors."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import botocore.exceptions
import pytest

from tests.conftest import ServerProcess, unique_name

ACCOUNT = "000000000000"


@pytest.fixture(scope="module")
def logs(server: ServerProcess) -> Any:
    return server.client("logs")


@pytest.fixture
def group(logs: Any) -> str:
    name = f"/app/{unique_name()}"
    logs.create_log_group(logGroupName=name)
    logs.create_log_stream(logGroupName=name, logStreamName="s")
    return name


def _error(info: pytest.ExceptionInfo[botocore.exceptions.ClientError]) -> tuple[str, str]:
    error = info.value.response["Error"]
    return error["Code"], error["Message"]


def _put(logs: Any, group: str, messages: list[str], at_ms: int | None = None) -> None:
    now = at_ms if at_ms is not None else int(time.time() * 1000)
    logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[{"timestamp": now, "message": m} for m in messages],
    )


def _query(logs: Any, group: str, text: str) -> list[dict[str, str]]:
    now = int(time.time())
    query_id = logs.start_query(
        logGroupName=group, startTime=now - 600, endTime=now + 60, queryString=text
    )["queryId"]
    deadline = time.monotonic() + 20
    while (answer := logs.get_query_results(queryId=query_id))["status"] in (
        "Scheduled",
        "Running",
    ):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert answer["status"] == "Complete"
    return [{f["field"]: f["value"] for f in row} for row in answer["results"]]


def test_fields_of_recent_events_with_percentages(logs: Any, group: str) -> None:
    _put(
        logs,
        group,
        [
            json.dumps({"level": "ERROR", "http": {"status": 500}}),
            json.dumps({"level": "INFO"}),
            "plain text",
            json.dumps({"level": "INFO", "user": "ann"}),
        ],
    )
    fields = logs.get_log_group_fields(logGroupName=group)["logGroupFields"]
    shown = {f["name"]: f["percent"] for f in fields}
    assert shown == {
        "@timestamp": 100,
        "@message": 100,
        "@logStream": 100,
        "@log": 100,
        "@ingestionTime": 100,
        "level": 75,
        "http.status": 25,
        "user": 25,
    }
    percents = [f["percent"] for f in fields]
    assert percents == sorted(percents, reverse=True)  # most frequent first
    arn = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{group}"
    assert logs.get_log_group_fields(logGroupIdentifier=arn)["logGroupFields"] == fields


def test_fields_search_the_15_minutes_before_time(logs: Any, group: str) -> None:
    now_ms = int(time.time() * 1000)
    _put(logs, group, [json.dumps({"old": 1})], at_ms=now_ms - 40 * 60 * 1000)
    _put(logs, group, [json.dumps({"new": 1})], at_ms=now_ms)
    recent = {f["name"] for f in logs.get_log_group_fields(logGroupName=group)["logGroupFields"]}
    assert "new" in recent and "old" not in recent
    then = (now_ms - 35 * 60 * 1000) // 1000
    earlier = logs.get_log_group_fields(logGroupName=group, time=then)["logGroupFields"]
    assert {f["name"] for f in earlier} >= {"old", "@message"}
    assert "new" not in {f["name"] for f in earlier}
    empty = logs.get_log_group_fields(logGroupName=group, time=then - 7200)
    assert empty["logGroupFields"] == []


def test_get_log_record_by_the_pointer_a_query_gave(logs: Any, group: str) -> None:
    _put(logs, group, [json.dumps({"level": "ERROR", "order": {"id": 7}}), "other line"])
    rows = _query(logs, group, "filter level = 'ERROR' | fields level")
    assert len(rows) == 1
    record = logs.get_log_record(logRecordPointer=rows[0]["@ptr"])["logRecord"]
    assert record["@message"] == json.dumps({"level": "ERROR", "order": {"id": 7}})
    assert record["level"] == "ERROR"
    assert record["order.id"] == "7"  # every field, not only those the query showed
    assert record["@logStream"] == "s"
    assert record["@log"] == f"{ACCOUNT}:{group}"
    assert record["@timestamp"].isdigit() and record["@ingestionTime"].isdigit()
    assert record["@ptr"] == rows[0]["@ptr"]


def test_field_and_record_errors(logs: Any, group: str) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.get_log_group_fields(logGroupName="/app/no-such-group")
    assert _error(info) == (
        "ResourceNotFoundException",
        "The specified log group does not exist.",
    )
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.get_log_group_fields(logGroupName=group, logGroupIdentifier=group)
    assert _error(info) == (
        "InvalidParameterException",
        "LogGroup name and LogGroup ARN are mutually exclusive parameters.",
    )
    for pointer in ("not-a-pointer", base64.urlsafe_b64encode(b"no separator").decode()):
        with pytest.raises(botocore.exceptions.ClientError) as info:
            logs.get_log_record(logRecordPointer=pointer)
        assert _error(info) == (
            "InvalidParameterException",
            "The specified logRecordPointer is not valid.",
        )
    gone = base64.urlsafe_b64encode(f"{group}\x00999999999999".encode()).decode()
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.get_log_record(logRecordPointer=gone)
    assert _error(info) == (
        "ResourceNotFoundException",
        "The specified log record does not exist.",
    )
    missing = base64.urlsafe_b64encode(b"/app/no-such-group\x001").decode()
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.get_log_record(logRecordPointer=missing)
    assert _error(info) == (
        "ResourceNotFoundException",
        "The specified log group does not exist.",
    )


def test_a_deleted_groups_pointer_finds_nothing(logs: Any, group: str) -> None:
    _put(logs, group, ["to be deleted"])
    pointer = _query(logs, group, "fields @message")[0]["@ptr"]
    assert logs.get_log_record(logRecordPointer=pointer)["logRecord"]["@message"] == (
        "to be deleted"
    )
    logs.delete_log_group(logGroupName=group)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.get_log_record(logRecordPointer=pointer)
    assert _error(info)[0] == "ResourceNotFoundException"
