"""Export tasks through boto3: a group's events of [from, to) written to a real bucket of
our S3 in CloudWatch Logs' layout, the task's statuses, cancelling, and AWS's errors."""

from __future__ import annotations

import gzip
import random
import time
from typing import Any

import botocore.exceptions
import pytest

from tests.conftest import ServerProcess, unique_name

T0 = (int(time.time()) - 3600) * 1000  # an hour ago, on a whole second


def _account() -> str:
    return "".join(random.choice("0123456789") for _ in range(12))


@pytest.fixture
def account() -> str:
    """A fresh account per test: one export task may be active per account."""
    return _account()


@pytest.fixture
def logs(server: ServerProcess, account: str) -> Any:
    return server.client("logs", access_key=account)


@pytest.fixture
def s3(server: ServerProcess, account: str) -> Any:
    return server.client("s3", access_key=account)


@pytest.fixture
def bucket(s3: Any) -> str:
    name = unique_name("exports")
    s3.create_bucket(Bucket=name)
    return name


def _error(info: pytest.ExceptionInfo[botocore.exceptions.ClientError]) -> tuple[str, str]:
    error = info.value.response["Error"]
    return error["Code"], error["Message"]


def _put(logs: Any, group: str, stream: str, events: list[tuple[int, str]]) -> None:
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    if stream not in {s["logStreamName"] for s in streams}:
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
    logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": t, "message": m} for t, m in events],
    )


def _wait(logs: Any, task_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        task = dict(logs.describe_export_tasks(taskId=task_id)["exportTasks"][0])
        if task["status"]["code"] not in ("PENDING", "RUNNING"):
            return task
        time.sleep(0.05)
    raise AssertionError(f"export task {task_id} still running")


def _lines(s3: Any, bucket: str, key: str) -> list[str]:
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    return gzip.decompress(body).decode().splitlines()


def test_an_export_writes_each_streams_events_of_the_range(logs: Any, s3: Any, bucket: str) -> None:
    group = f"/app/{unique_name()}"
    logs.create_log_group(logGroupName=group)
    _put(logs, group, "web-1", [(T0, "before"), (T0 + 1000, "first"), (T0 + 2500, "second")])
    _put(logs, group, "web-2", [(T0 + 2000, "other stream"), (T0 + 3000, "at to: left out")])
    _put(logs, group, "batch", [(T0 + 1500, "not under the prefix")])
    before = int(time.time() * 1000)
    task_id = logs.create_export_task(
        taskName="nightly",
        logGroupName=group,
        logStreamNamePrefix="web-",
        fromTime=T0 + 1000,
        to=T0 + 3000,
        destination=bucket,
        destinationPrefix="exports/app",
    )["taskId"]
    task = _wait(logs, task_id)
    assert task["status"] == {"code": "COMPLETED", "message": "Completed successfully"}
    assert task["taskName"] == "nightly" and task["logGroupName"] == group
    assert (task["from"], task["to"]) == (T0 + 1000, T0 + 3000)
    assert (task["destination"], task["destinationPrefix"]) == (bucket, "exports/app")
    info = task["executionInfo"]
    assert before <= info["creationTime"] <= info["completionTime"] <= int(time.time() * 1000)

    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"])
    assert keys == sorted(
        [
            "exports/app/aws-logs-write-test",
            f"exports/app/{task_id}/web-1/000000.gz",
            f"exports/app/{task_id}/web-2/000000.gz",
        ]
    )
    keys.remove("exports/app/aws-logs-write-test")
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(T0 // 1000 + 1))
    assert _lines(s3, bucket, f"exports/app/{task_id}/web-1/000000.gz")[0] == (
        f"{stamp}.000Z first"
    )
    assert [line.split(" ", 1)[1] for line in _lines(s3, bucket, keys[0])] == ["first", "second"]
    assert [line.split(" ", 1)[1] for line in _lines(s3, bucket, keys[1])] == ["other stream"]


def test_the_default_prefix_and_listing_by_status(logs: Any, s3: Any, bucket: str) -> None:
    group = f"/app/{unique_name()}"
    logs.create_log_group(logGroupName=group)
    _put(logs, group, "s", [(T0, "only")])
    first = logs.create_export_task(logGroupName=group, fromTime=T0, to=T0 + 1, destination=bucket)[
        "taskId"
    ]
    _wait(logs, first)
    second = logs.create_export_task(
        logGroupName=group, fromTime=T0 + 1, to=T0 + 2, destination=bucket
    )["taskId"]
    _wait(logs, second)
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert (
        f"exportedlogs/{first}/s/000000.gz" in keys and "exportedlogs/aws-logs-write-test" in keys
    )
    assert not any(k.startswith(f"exportedlogs/{second}/") for k in keys)  # nothing in range
    done = logs.describe_export_tasks(statusCode="COMPLETED")["exportTasks"]
    assert [t["taskId"] for t in done] == [first, second]
    assert logs.describe_export_tasks(statusCode="FAILED")["exportTasks"] == []
    page = logs.describe_export_tasks(limit=1)
    assert [t["taskId"] for t in page["exportTasks"]] == [first]
    rest = logs.describe_export_tasks(limit=1, nextToken=page["nextToken"])
    assert [t["taskId"] for t in rest["exportTasks"]] == [second]


def test_bad_requests_are_refused_and_no_task_is_kept(
    server: ServerProcess, logs: Any, bucket: str
) -> None:
    group = f"/app/{unique_name()}"
    logs.create_log_group(logGroupName=group)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.create_export_task(logGroupName="/nowhere", fromTime=0, to=1, destination=bucket)
    assert _error(info) == ("ResourceNotFoundException", "The specified log group does not exist.")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.create_export_task(logGroupName=group, fromTime=5, to=5, destination=bucket)
    assert _error(info) == (
        "InvalidParameterException",
        "The value of parameter 'from' must be less than the value of parameter 'to'.",
    )
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.create_export_task(
            logGroupName=group, fromTime=0, to=1, destination=unique_name("missing")
        )
    assert _error(info) == ("InvalidParameterException", "The specified bucket does not exist.")
    theirs = unique_name("theirs")
    server.client("s3", access_key=_account()).create_bucket(Bucket=theirs)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.create_export_task(logGroupName=group, fromTime=0, to=1, destination=theirs)
    assert _error(info) == (
        "InvalidParameterException",
        "GetBucketAcl call on the given bucket failed. Please check if CloudWatch Logs has "
        "been granted permission to perform this operation.",
    )
    assert logs.describe_export_tasks()["exportTasks"] == []


def test_cancel_errors(logs: Any, bucket: str) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.cancel_export_task(taskId="00000000-0000-0000-0000-000000000000")
    assert _error(info) == (
        "ResourceNotFoundException",
        "The specified export task does not exist.",
    )
    group = f"/app/{unique_name()}"
    logs.create_log_group(logGroupName=group)
    task_id = logs.create_export_task(logGroupName=group, fromTime=0, to=1, destination=bucket)[
        "taskId"
    ]
    assert _wait(logs, task_id)["status"]["code"] == "COMPLETED"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.cancel_export_task(taskId=task_id)
    assert _error(info) == (
        "InvalidOperationException",
        "The specified export task has already finished.",
    )


def test_one_active_task_at_a_time_and_cancelling_it(
    server: ServerProcess, account: str, logs: Any, s3: Any, bucket: str
) -> None:
    # One attempt only: botocore retries LimitExceededException, and by its retry the
    # first export may have finished.
    once = server.client(
        "logs", access_key=account, retries={"total_max_attempts": 1, "mode": "standard"}
    )
    group = f"/app/{unique_name()}"
    logs.create_log_group(logGroupName=group)
    for batch in range(8):  # enough events that the copy takes a while
        base = T0 + batch * 10_000
        _put(logs, group, "big", [(base + i, f"line {i}") for i in range(10_000)])
    # Every one of them readable before the export starts (an export of what is stored
    # so far could finish before the next call arrives).
    deadline = time.monotonic() + 30
    while True:
        last = logs.get_log_events(
            logGroupName=group, logStreamName="big", limit=1, startFromHead=False
        )["events"]
        if last and last[0]["timestamp"] == T0 + 7 * 10_000 + 9_999:
            break
        assert time.monotonic() < deadline, "the events never became readable"
        time.sleep(0.05)
    task_id = logs.create_export_task(
        logGroupName=group, fromTime=T0, to=T0 + 100_000, destination=bucket
    )["taskId"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        once.create_export_task(logGroupName=group, fromTime=T0, to=T0 + 1, destination=bucket)
    assert _error(info) == ("LimitExceededException", "Resource limit exceeded.")
    logs.cancel_export_task(taskId=task_id)
    task = logs.describe_export_tasks(taskId=task_id)["exportTasks"][0]
    assert task["status"] == {"code": "CANCELLED", "message": "Cancelled by user"}
    time.sleep(0.5)  # the copy, stopped, does not finish it as COMPLETED after all
    assert logs.describe_export_tasks(taskId=task_id)["exportTasks"][0]["status"]["code"] == (
        "CANCELLED"
    )
    # The account may export again.
    again = logs.create_export_task(logGroupName=group, fromTime=T0, to=T0 + 3, destination=bucket)[
        "taskId"
    ]
    assert _wait(logs, again)["status"]["code"] == "COMPLETED"
    assert [
        line.split(" ", 1)[1] for line in _lines(s3, bucket, f"exportedlogs/{again}/big/000000.gz")
    ] == ["line 0", "line 1", "line 2"]
