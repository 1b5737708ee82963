"""EventBridge Scheduler over boto3: groups, schedules, AWS's errors, and one-time
schedules a few seconds ahead firing into real targets."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.aws.events.conftest import aws_error, name, new_queue, quiet, receive
from tests.conftest import ROLE, ServerProcess, create_function

QUEUE = "arn:aws:sqs:us-east-1:000000000000:somewhere"
OFF = {"Mode": "OFF"}


@pytest.fixture(scope="module")
def scheduler(server: ServerProcess) -> Any:
    return server.client("scheduler")


@pytest.fixture(scope="module")
def sqs(server: ServerProcess) -> Any:
    return server.client("sqs")


def _soon(seconds: int = 2) -> str:
    moment = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)
    return f"at({moment.strftime('%Y-%m-%dT%H:%M:%S')})"


def _target(arn: str, **extra: Any) -> dict[str, Any]:
    return {"Arn": arn, "RoleArn": ROLE, **extra}


def test_groups(scheduler: Any) -> None:
    group = name("g")
    arn = scheduler.create_schedule_group(Name=group, Tags=[{"Key": "k", "Value": "v"}])[
        "ScheduleGroupArn"
    ]
    assert arn == f"arn:aws:scheduler:us-east-1:000000000000:schedule-group/{group}"
    got = scheduler.get_schedule_group(Name=group)
    assert got["State"] == "ACTIVE" and got["Name"] == group
    names = [g["Name"] for g in scheduler.list_schedule_groups()["ScheduleGroups"]]
    assert "default" in names and group in names
    assert scheduler.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "k", "Value": "v"}]
    assert aws_error(lambda: scheduler.create_schedule_group(Name=group)) == (
        "ConflictException",
        f"Schedule group {group} already exists.",
    )
    scheduler.create_schedule(
        Name="s",
        GroupName=group,
        ScheduleExpression="rate(1 hour)",
        Target=_target(QUEUE),
        FlexibleTimeWindow=OFF,
    )
    scheduler.delete_schedule_group(Name=group)
    assert aws_error(lambda: scheduler.get_schedule_group(Name=group)) == (
        "ResourceNotFoundException",
        f"Schedule group {group} does not exist.",
    )
    assert aws_error(lambda: scheduler.get_schedule(Name="s", GroupName=group))[0] == (
        "ResourceNotFoundException"
    )
    assert aws_error(lambda: scheduler.delete_schedule_group(Name="default"))[0] == (
        "ValidationException"
    )


def test_schedule_lifecycle(scheduler: Any) -> None:
    schedule = name("s")
    start = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    arn = scheduler.create_schedule(
        Name=schedule,
        ScheduleExpression="cron(0 3 ? * MON#1 *)",
        ScheduleExpressionTimezone="Europe/Paris",
        StartDate=start,
        EndDate=start + dt.timedelta(days=365),
        Description="first monday",
        Target=_target(
            QUEUE,
            RetryPolicy={"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 600},
            DeadLetterConfig={"Arn": QUEUE},
            Input='{"a": 1}',
        ),
        FlexibleTimeWindow={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15},
    )["ScheduleArn"]
    assert arn == f"arn:aws:scheduler:us-east-1:000000000000:schedule/default/{schedule}"
    got = scheduler.get_schedule(Name=schedule)
    assert got["ScheduleExpression"] == "cron(0 3 ? * MON#1 *)"
    assert got["ScheduleExpressionTimezone"] == "Europe/Paris"
    assert got["StartDate"] == start
    assert got["State"] == "ENABLED" and got["ActionAfterCompletion"] == "NONE"
    assert got["Target"]["RetryPolicy"]["MaximumRetryAttempts"] == 3
    assert got["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15}
    scheduler.update_schedule(
        Name=schedule,
        ScheduleExpression="rate(5 minutes)",
        Target=_target(QUEUE),
        FlexibleTimeWindow=OFF,
        State="DISABLED",
    )
    got = scheduler.get_schedule(Name=schedule)
    assert got["ScheduleExpression"] == "rate(5 minutes)" and got["State"] == "DISABLED"
    assert got["Target"]["RetryPolicy"] == {
        "MaximumEventAgeInSeconds": 86400,
        "MaximumRetryAttempts": 185,
    }
    listed = scheduler.list_schedules(NamePrefix=schedule)["Schedules"]
    assert [s["Name"] for s in listed] == [schedule]
    assert listed[0]["Target"] == {"Arn": QUEUE}
    assert scheduler.list_schedules(NamePrefix=schedule, State="ENABLED")["Schedules"] == []
    scheduler.delete_schedule(Name=schedule)
    assert aws_error(lambda: scheduler.get_schedule(Name=schedule)) == (
        "ResourceNotFoundException",
        f"Schedule {schedule} does not exist.",
    )


def test_schedule_errors(scheduler: Any) -> None:
    schedule = name("s")

    def create(**changes: Any) -> Any:
        params = {
            "Name": schedule,
            "ScheduleExpression": "rate(1 hour)",
            "Target": _target(QUEUE),
            "FlexibleTimeWindow": OFF,
            **changes,
        }
        return lambda: scheduler.create_schedule(**params)

    for bad in ("cron(0 0 * * * *)", "rate(1 hours)", "at(2026-02-30T00:00:00)", "daily"):
        assert aws_error(create(ScheduleExpression=bad)) == (
            "ValidationException",
            f"Invalid Schedule Expression {bad}.",
        )
    assert aws_error(create(ScheduleExpressionTimezone="Mars/Base")) == (
        "ValidationException",
        "Invalid Schedule Expression Timezone Mars/Base.",
    )
    now = dt.datetime.now(dt.UTC)
    assert aws_error(create(StartDate=now + dt.timedelta(days=2), EndDate=now))[0] == (
        "ValidationException"
    )
    assert aws_error(create(FlexibleTimeWindow={"Mode": "FLEXIBLE"}))[0] == "ValidationException"
    assert aws_error(create(GroupName="nope")) == (
        "ResourceNotFoundException",
        "Schedule group nope does not exist.",
    )
    code, message = aws_error(create(FlexibleTimeWindow={"Mode": "SOMETIMES"}))
    assert code == "ValidationException" and "SOMETIMES" in message
    assert scheduler.list_schedules(NamePrefix=schedule)["Schedules"] == []
    create()()
    assert aws_error(create()) == ("ConflictException", f"Schedule {schedule} already exists.")
    assert (
        aws_error(
            lambda: scheduler.update_schedule(
                Name=name("s"),
                ScheduleExpression="rate(1 hour)",
                Target=_target(QUEUE),
                FlexibleTimeWindow=OFF,
            )
        )[0]
        == "ResourceNotFoundException"
    )
    scheduler.delete_schedule(Name=schedule)


def test_one_time_schedule_fires_into_a_queue_and_deletes_itself(scheduler: Any, sqs: Any) -> None:
    url, arn = new_queue(sqs)
    schedule = name("s")
    schedule_arn = scheduler.create_schedule(
        Name=schedule,
        ScheduleExpression=_soon(),
        FlexibleTimeWindow=OFF,
        ActionAfterCompletion="DELETE",
        Target=_target(
            arn,
            Input='{"arn": "<aws.scheduler.schedule-arn>", '
            '"at": "<aws.scheduler.scheduled-time>", '
            '"attempt": "<aws.scheduler.attempt-number>"}',
        ),
    )["ScheduleArn"]
    [body] = receive(sqs, url, timeout=20)
    assert body["arn"] == schedule_arn
    assert body["at"].endswith("Z") and body["attempt"] == "1"
    deadline = time.monotonic() + 10
    while (
        scheduler.list_schedules(NamePrefix=schedule)["Schedules"] and time.monotonic() < deadline
    ):
        time.sleep(0.1)
    assert scheduler.list_schedules(NamePrefix=schedule)["Schedules"] == []
    assert quiet(sqs, url, 1)


def test_timezone_of_at(scheduler: Any, sqs: Any) -> None:
    """at() is a wall time in ScheduleExpressionTimezone: Tokyo's "now + 2 s"."""
    url, arn = new_queue(sqs)
    moment = dt.datetime.now(dt.timezone(dt.timedelta(hours=9))) + dt.timedelta(seconds=2)
    scheduler.create_schedule(
        Name=name("s"),
        ScheduleExpression=f"at({moment.strftime('%Y-%m-%dT%H:%M:%S')})",
        ScheduleExpressionTimezone="Asia/Tokyo",
        FlexibleTimeWindow=OFF,
        Target=_target(arn, Input='{"tz": "tokyo"}'),
    )
    assert receive(sqs, url, timeout=20) == [{"tz": "tokyo"}]


def test_disabled_schedule_does_not_fire(scheduler: Any, sqs: Any) -> None:
    url, arn = new_queue(sqs)
    scheduler.create_schedule(
        Name=name("s"),
        ScheduleExpression=_soon(1),
        State="DISABLED",
        FlexibleTimeWindow=OFF,
        Target=_target(arn),
    )
    assert quiet(sqs, url, 3)


def test_templated_and_universal_targets(scheduler: Any, sqs: Any, server: ServerProcess) -> None:
    """SNS, an event bus (EventBridgeParameters) and a universal sqs:sendMessage target."""
    events = server.client("events")
    sns = server.client("sns")
    sns_url, sns_queue = new_queue(sqs)
    topic = sns.create_topic(Name=name("t"))["TopicArn"]
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=sns_queue,
        Attributes={"RawMessageDelivery": "true"},
    )
    bus_url, bus_queue = new_queue(sqs)
    source = name("sched")
    rule = name()
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": [source]}))
    events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": bus_queue}])
    sdk_url, _ = new_queue(sqs)
    when = _soon(2)
    scheduler.create_schedule(
        Name=name("s"),
        ScheduleExpression=when,
        FlexibleTimeWindow=OFF,
        Target=_target(topic, Input='{"via": "sns"}'),
    )
    scheduler.create_schedule(
        Name=name("s"),
        ScheduleExpression=when,
        FlexibleTimeWindow=OFF,
        Target=_target(
            "arn:aws:events:us-east-1:000000000000:event-bus/default",
            Input='{"via": "bus"}',
            EventBridgeParameters={"DetailType": "tick", "Source": source},
        ),
    )
    scheduler.create_schedule(
        Name=name("s"),
        ScheduleExpression=when,
        FlexibleTimeWindow=OFF,
        Target=_target(
            "arn:aws:scheduler:::aws-sdk:sqs:sendMessage",
            Input=json.dumps({"QueueUrl": sdk_url, "MessageBody": "universal"}),
        ),
    )
    assert receive(sqs, sns_url, timeout=20) == [{"via": "sns"}]
    [event] = receive(sqs, bus_url, timeout=20)
    assert event["detail"] == {"via": "bus"} and event["detail-type"] == "tick"
    assert receive(sqs, sdk_url, timeout=20) == ["universal"]


def test_failed_firing_goes_to_dead_letter_queue(scheduler: Any, sqs: Any) -> None:
    dlq_url, dlq_arn = new_queue(sqs)
    schedule = name("s")
    arn = scheduler.create_schedule(
        Name=schedule,
        ScheduleExpression=_soon(),
        FlexibleTimeWindow=OFF,
        Target=_target(
            "arn:aws:sqs:us-east-1:000000000000:" + name("gone"),
            Input='{"lost": true}',
            DeadLetterConfig={"Arn": dlq_arn},
            RetryPolicy={"MaximumRetryAttempts": 0},
        ),
    )["ScheduleArn"]
    [dead] = receive(sqs, dlq_url, timeout=20, attributes=True)
    assert dead["body"] == {"lost": True}
    attributes = {k: v["StringValue"] for k, v in dead["attributes"].items()}
    assert attributes["SCHEDULE_ARN"] == arn
    assert attributes["ERROR_CODE"] == "NO_RESOURCE"
    assert attributes["RETRY_ATTEMPTS"] == "0"
    assert attributes["IS_PAYLOAD_TRUNCATED"] == "false"
    assert attributes["SCHEDULED_TIME"].endswith("Z") and attributes["EXECUTION_ID"]
    assert set(attributes) == {
        "ERROR_CODE",
        "ERROR_MESSAGE",
        "EXECUTION_ID",
        "IS_PAYLOAD_TRUNCATED",
        "RETRY_ATTEMPTS",
        "SCHEDULED_TIME",
        "SCHEDULE_ARN",
        "TARGET_ARN",
    }


def test_lambda_target(scheduler: Any, server: ServerProcess, tmp_path: Path) -> None:
    lam = server.client("lambda")
    out = tmp_path / "seen.json"
    function = create_function(
        lam,
        "import json\n"
        "def handler(event, context):\n"
        f"    open({str(out)!r}, 'w').write(json.dumps(event))\n",
    )
    arn = lam.get_function(FunctionName=function)["Configuration"]["FunctionArn"]
    scheduler.create_schedule(
        Name=name("s"),
        ScheduleExpression=_soon(2),
        FlexibleTimeWindow=OFF,
        Target=_target(arn, Input='{"job": "nightly"}'),
    )
    deadline = time.monotonic() + 30
    while not out.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert json.loads(out.read_text()) == {"job": "nightly"}
