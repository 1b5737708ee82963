"""Retry policy and dead-letter queues: a delivery that cannot succeed ends in the
target's DLQ with AWS's message attributes, or is dropped without one."""

from __future__ import annotations

import json
from typing import Any

from tests.aws.events.conftest import name, new_queue, quiet, receive


def test_missing_queue_goes_to_dead_letter_queue(events: Any, sqs: Any) -> None:
    source = name("app")
    rule = name()
    rule_arn = events.put_rule(Name=rule, EventPattern=json.dumps({"source": [source]}))["RuleArn"]
    dlq_url, dlq_arn = new_queue(sqs)
    missing = "arn:aws:sqs:us-east-1:000000000000:" + name("gone")
    events.put_targets(
        Rule=rule,
        Targets=[
            {
                "Id": "t",
                "Arn": missing,
                "DeadLetterConfig": {"Arn": dlq_arn},
                "RetryPolicy": {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 60},
                "Input": '{"transformed": true}',
            }
        ],
    )
    event_id = events.put_events(
        Entries=[{"Source": source, "DetailType": "t", "Detail": '{"k": 1}'}]
    )["Entries"][0]["EventId"]
    [dead] = receive(sqs, dlq_url, attributes=True)
    assert dead["body"]["id"] == event_id  # the event itself, not the transformed input
    attributes = {k: v["StringValue"] for k, v in dead["attributes"].items()}
    assert attributes["RULE_ARN"] == rule_arn
    assert attributes["TARGET_ARN"] == missing
    assert attributes["ERROR_CODE"] == "NO_RESOURCE"
    assert attributes["ERROR_MESSAGE"]
    assert attributes["RETRY_ATTEMPTS"] == "0"  # a missing target is not retried
    assert "EXHAUSTED_RETRY_CONDITION" not in attributes


def test_deleted_function_goes_to_dead_letter_queue(events: Any, sqs: Any) -> None:
    source = name("app")
    rule = name()
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": [source]}))
    dlq_url, dlq_arn = new_queue(sqs)
    function = "arn:aws:lambda:us-east-1:000000000000:function:" + name("gone")
    events.put_targets(
        Rule=rule, Targets=[{"Id": "t", "Arn": function, "DeadLetterConfig": {"Arn": dlq_arn}}]
    )
    events.put_events(Entries=[{"Source": source, "DetailType": "t", "Detail": "{}"}])
    [dead] = receive(sqs, dlq_url, attributes=True)
    assert dead["attributes"]["ERROR_CODE"]["StringValue"] == "NO_RESOURCE"


def test_without_dead_letter_queue_the_event_is_dropped(events: Any, sqs: Any) -> None:
    source = name("app")
    rule = name()
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": [source]}))
    url, arn = new_queue(sqs)
    missing = "arn:aws:sqs:us-east-1:000000000000:" + name("gone")
    events.put_targets(
        Rule=rule, Targets=[{"Id": "gone", "Arn": missing}, {"Id": "ok", "Arn": arn}]
    )
    events.put_events(Entries=[{"Source": source, "DetailType": "t", "Detail": "{}"}])
    assert len(receive(sqs, url)) == 1  # the healthy target is not held back
    assert quiet(sqs, url, 1)
