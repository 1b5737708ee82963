"""Log groups through boto3: create, describe (filters, pages), delete, retention and
tags, with AWS's errors for each bad input."""

from __future__ import annotations

import time
from typing import Any

import botocore.exceptions
import pytest

from tests.conftest import ServerProcess, unique_name

ACCOUNT = "000000000000"


@pytest.fixture(scope="module")
def logs(server: ServerProcess) -> Any:
    return server.client("logs")


def _error(info: pytest.ExceptionInfo[botocore.exceptions.ClientError]) -> tuple[str, str]:
    error = info.value.response["Error"]
    return error["Code"], error["Message"]


def _group(logs: Any, name: str) -> dict[str, Any]:
    groups = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    return next(g for g in groups if g["logGroupName"] == name)


def test_create_and_describe_a_group_as_aws_shows_it(logs: Any) -> None:
    name = f"/app/{unique_name()}"
    before = int(time.time() * 1000)
    logs.create_log_group(
        logGroupName=name,
        tags={"team": "core"},
        kmsKeyId="arn:aws:kms:us-east-1:000000000000:key/abc",
        logGroupClass="INFREQUENT_ACCESS",
    )
    group = _group(logs, name)
    assert group["arn"] == f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{name}:*"
    assert group["logGroupArn"] == f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{name}"
    assert before <= group["creationTime"] <= int(time.time() * 1000)
    assert group["storedBytes"] == 0 and group["metricFilterCount"] == 0
    assert group["kmsKeyId"] == "arn:aws:kms:us-east-1:000000000000:key/abc"
    assert group["logGroupClass"] == "INFREQUENT_ACCESS"
    assert "retentionInDays" not in group
    assert logs.list_tags_log_group(logGroupName=name)["tags"] == {"team": "core"}


def test_create_twice_is_refused(logs: Any) -> None:
    name = unique_name("dup")
    logs.create_log_group(logGroupName=name)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.create_log_group(logGroupName=name)
    assert _error(info) == (
        "ResourceAlreadyExistsException",
        "The specified log group already exists",
    )


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("has space", "InvalidParameterException"),
        ("colon:name", "InvalidParameterException"),
        ("x" * 513, "InvalidParameterException"),
        ("aws/reserved", "InvalidParameterException"),
    ],
    ids=["space", "colon", "too-long", "aws-prefix"],
)
def test_bad_names_are_refused_and_nothing_is_stored(logs: Any, name: str, code: str) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.create_log_group(logGroupName=name)
    assert _error(info)[0] == code
    assert all(g["logGroupName"] != name for g in logs.describe_log_groups()["logGroups"])


def test_an_unknown_class_is_refused(logs: Any) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.create_log_group(logGroupName=unique_name("cls"), logGroupClass="COLD")
    assert _error(info)[0] == "InvalidParameterException"


def test_delete_removes_the_group_and_its_events(logs: Any) -> None:
    name = unique_name("gone")
    logs.create_log_group(logGroupName=name)
    logs.create_log_stream(logGroupName=name, logStreamName="s")
    now = int(time.time() * 1000)
    logs.put_log_events(
        logGroupName=name, logStreamName="s", logEvents=[{"timestamp": now, "message": "old"}]
    )
    logs.delete_log_group(logGroupName=name)
    assert logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"] == []
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.delete_log_group(logGroupName=name)
    assert _error(info) == (
        "ResourceNotFoundException",
        "The specified log group does not exist.",
    )
    logs.create_log_group(logGroupName=name)  # a new group of the same name starts empty
    assert logs.filter_log_events(logGroupName=name)["events"] == []
    assert logs.describe_log_streams(logGroupName=name)["logStreams"] == []


def test_prefix_pattern_and_pages(logs: Any) -> None:
    base = f"/pages/{unique_name()}"
    names = [f"{base}/g{n:02d}" for n in range(7)]
    for name in reversed(names):
        logs.create_log_group(logGroupName=name)
    seen: list[str] = []
    kwargs: dict[str, Any] = {"logGroupNamePrefix": base, "limit": 3}
    pages = 0
    while True:
        page = logs.describe_log_groups(**kwargs)
        pages += 1
        assert len(page["logGroups"]) <= 3
        seen.extend(g["logGroupName"] for g in page["logGroups"])
        if "nextToken" not in page:
            break
        kwargs["nextToken"] = page["nextToken"]
    assert seen == names and pages == 3
    token_name = base.rsplit("/", 1)[-1].upper()  # the pattern is case-insensitive
    found = logs.describe_log_groups(logGroupNamePattern=token_name)["logGroups"]
    assert [g["logGroupName"] for g in found] == names
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.describe_log_groups(logGroupNamePrefix=base, logGroupNamePattern="x")
    assert _error(info)[0] == "InvalidParameterException"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.describe_log_groups(limit=51)
    assert _error(info)[0] == "InvalidParameterException"


def test_retention_values_and_removal(logs: Any) -> None:
    name = unique_name("ret")
    logs.create_log_group(logGroupName=name)
    logs.put_retention_policy(logGroupName=name, retentionInDays=14)
    assert _group(logs, name)["retentionInDays"] == 14
    logs.put_retention_policy(logGroupName=name, retentionInDays=3653)
    assert _group(logs, name)["retentionInDays"] == 3653
    for bad in (2, 0, 4000):
        with pytest.raises(botocore.exceptions.ClientError) as info:
            logs.put_retention_policy(logGroupName=name, retentionInDays=bad)
        code, message = _error(info)
        assert code == "InvalidParameterException"
        if bad == 2:
            assert "Member must satisfy enum value set" in message
    assert _group(logs, name)["retentionInDays"] == 3653  # nothing changed
    logs.delete_retention_policy(logGroupName=name)
    assert "retentionInDays" not in _group(logs, name)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.put_retention_policy(logGroupName=unique_name("none"), retentionInDays=1)
    assert _error(info)[0] == "ResourceNotFoundException"


def test_retention_hides_then_deletes_older_events(logs: Any) -> None:
    name = unique_name("expire")
    logs.create_log_group(logGroupName=name)
    logs.create_log_stream(logGroupName=name, logStreamName="s")
    now = int(time.time() * 1000)
    old = now - 3 * 86_400_000
    logs.put_log_events(
        logGroupName=name,
        logStreamName="s",
        logEvents=[{"timestamp": old, "message": "three days old"}],
    )
    logs.put_log_events(
        logGroupName=name, logStreamName="s", logEvents=[{"timestamp": now, "message": "fresh"}]
    )
    assert _group(logs, name)["storedBytes"] == len("three days old") + len("fresh")
    logs.put_retention_policy(logGroupName=name, retentionInDays=1)
    messages = [e["message"] for e in logs.filter_log_events(logGroupName=name)["events"]]
    assert messages == ["fresh"]
    got = logs.get_log_events(logGroupName=name, logStreamName="s", startFromHead=True)
    assert [e["message"] for e in got["events"]] == ["fresh"]
    # Deleted from the store too (storedBytes counts what is stored), not only hidden.
    assert _group(logs, name)["storedBytes"] == len("fresh")
    logs.delete_retention_policy(logGroupName=name)
    messages = [e["message"] for e in logs.filter_log_events(logGroupName=name)["events"]]
    assert messages == ["fresh"]
    # Events older than the retention are rejected as expired by PutLogEvents.
    logs.put_retention_policy(logGroupName=name, retentionInDays=1)
    answer = logs.put_log_events(
        logGroupName=name,
        logStreamName="s",
        logEvents=[
            {"timestamp": old, "message": "expired"},
            {"timestamp": now, "message": "kept"},
        ],
    )
    assert answer["rejectedLogEventsInfo"] == {"expiredLogEventEndIndex": 1}


def test_tags_both_apis(logs: Any) -> None:
    name = unique_name("tags")
    logs.create_log_group(logGroupName=name)
    arn = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{name}"
    logs.tag_resource(resourceArn=arn, tags={"a": "1", "b": "2"})
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"a": "1", "b": "2"}
    logs.untag_resource(resourceArn=arn, tagKeys=["a"])
    logs.tag_log_group(logGroupName=name, tags={"c": "3"})
    assert logs.list_tags_log_group(logGroupName=name)["tags"] == {"b": "2", "c": "3"}
    logs.untag_log_group(logGroupName=name, tags=["b"])
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"c": "3"}
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.tag_resource(resourceArn=arn, tags={f"k{n}": "v" for n in range(50)})
    assert _error(info)[0] == "InvalidParameterException"
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"c": "3"}
    missing = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{unique_name('none')}"
    for call in (
        lambda: logs.list_tags_for_resource(resourceArn=missing),
        lambda: logs.tag_resource(resourceArn=missing, tags={"a": "1"}),
        lambda: logs.list_tags_log_group(logGroupName=missing.rsplit(":", 1)[-1]),
    ):
        with pytest.raises(botocore.exceptions.ClientError) as info:
            call()
        assert _error(info) == (
            "ResourceNotFoundException",
            "The specified log group does not exist.",
        )
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.list_tags_for_resource(resourceArn="arn:aws:sqs:us-east-1:000000000000:q")
    assert _error(info)[0] == "InvalidParameterException"


def test_accounts_do_not_see_each_others_groups(server: ServerProcess, logs: Any) -> None:
    name = unique_name("mine")
    logs.create_log_group(logGroupName=name)
    other = server.client("logs", access_key="111111111111")
    assert other.describe_log_groups(logGroupNamePrefix=name)["logGroups"] == []
    other.create_log_group(logGroupName=name)  # the same name is free there
    group = other.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]
    assert group["logGroupArn"] == f"arn:aws:logs:us-east-1:111111111111:log-group:{name}"
