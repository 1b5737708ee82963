"""``stratus events rules`` and ``stratus schedules`` against a real server."""

from __future__ import annotations

import uuid

from tests.cli.test_cli import stratus
from tests.conftest import ROLE, ServerProcess


def test_events_rules_lists_triggers_and_targets(server: ServerProcess) -> None:
    events = server.client("events")
    rule = f"cli-{uuid.uuid4().hex[:8]}"
    events.put_rule(Name=rule, ScheduleExpression="cron(0 3 * * ? *)")
    events.put_targets(
        Rule=rule,
        Targets=[{"Id": "f", "Arn": "arn:aws:lambda:us-east-1:000000000000:function:nightly"}],
    )
    listing = stratus(server, "events", "rules")
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert lines[0].split() == ["BUS", "NAME", "STATE", "TRIGGER", "TARGETS"]
    row = next(line for line in lines if rule in line)
    assert row.split() == [
        "default",
        rule,
        "ENABLED",
        "cron(0",
        "3",
        "*",
        "*",
        "?",
        "*)",
        "function:nightly",
    ]


def test_schedules_lists_expressions(server: ServerProcess) -> None:
    scheduler = server.client("scheduler")
    name = f"cli-{uuid.uuid4().hex[:8]}"
    scheduler.create_schedule(
        Name=name,
        ScheduleExpression="rate(5 minutes)",
        ScheduleExpressionTimezone="Europe/Paris",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": "arn:aws:sqs:us-east-1:000000000000:q", "RoleArn": ROLE},
    )
    listing = stratus(server, "schedules")
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert lines[0].split() == ["GROUP", "NAME", "STATE", "EXPRESSION", "TIMEZONE", "TARGET"]
    row = next(line for line in lines if name in line)
    assert row.split() == ["default", name, "ENABLED", "rate(5", "minutes)", "Europe/Paris", "q"]
