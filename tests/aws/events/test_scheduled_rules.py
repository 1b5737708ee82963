"""Scheduled rules over the API: stored and described; the slow test waits for a real
firing of ``rate(1 minute)`` and checks AWS's "Scheduled Event" field by field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.aws.events.conftest import name, new_queue, receive
from tests.conftest import CONFORMANCE


def test_scheduled_rule_is_described(events: Any) -> None:
    rule = name()
    events.put_rule(Name=rule, ScheduleExpression="cron(0 3 * * ? *)")
    described = events.describe_rule(Name=rule)
    assert described["ScheduleExpression"] == "cron(0 3 * * ? *)"
    assert "EventPattern" not in described


@pytest.mark.slow
def test_rate_rule_fires_a_scheduled_event(events: Any, sqs: Any) -> None:
    rule = name()
    rule_arn = events.put_rule(Name=rule, ScheduleExpression="rate(1 minute)")["RuleArn"]
    url, arn = new_queue(sqs)
    events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": arn}])
    [event] = receive(sqs, url, timeout=90)
    events.remove_targets(Rule=rule, Ids=["q"])
    events.delete_rule(Name=rule)
    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.events"
    assert event["resources"] == [rule_arn]
    assert event["detail"] == {}
    assert event["time"].endswith("Z") and len(event["time"]) == 20
    template = (
        CONFORMANCE / "events" / "aws-sam-cli-templates" / "cloudwatch" / "ScheduledEvent.json"
    )
    if template.exists():
        sample = json.loads(template.read_text())
        assert set(sample) <= set(event)
        assert set(event) - set(sample) == {"version"}
