"""Buses, rules and targets over boto3: each operation and AWS's error for each bad input."""

from __future__ import annotations

import json
from typing import Any

from tests.aws.events.conftest import aws_error, name
from tests.conftest import ServerProcess

QUEUE = "arn:aws:sqs:us-east-1:000000000000:somewhere"


def test_default_bus_exists(events: Any) -> None:
    bus = events.describe_event_bus()
    assert bus["Name"] == "default"
    assert bus["Arn"] == "arn:aws:events:us-east-1:000000000000:event-bus/default"
    assert "default" in [b["Name"] for b in events.list_event_buses()["EventBuses"]]


def test_custom_bus_lifecycle(events: Any) -> None:
    bus = name("bus")
    arn = events.create_event_bus(Name=bus, Description="orders")["EventBusArn"]
    assert arn.endswith(f":event-bus/{bus}")
    described = events.describe_event_bus(Name=bus)
    assert described["Description"] == "orders" and "CreationTime" in described
    assert events.describe_event_bus(Name=arn)["Name"] == bus
    assert [b["Name"] for b in events.list_event_buses(NamePrefix=bus)["EventBuses"]] == [bus]
    assert aws_error(lambda: events.create_event_bus(Name=bus)) == (
        "ResourceAlreadyExistsException",
        f"Event bus {bus} already exists.",
    )
    events.delete_event_bus(Name=bus)
    assert aws_error(lambda: events.describe_event_bus(Name=bus)) == (
        "ResourceNotFoundException",
        f"Event bus {bus} does not exist.",
    )
    events.delete_event_bus(Name=bus)  # idempotent
    assert aws_error(lambda: events.delete_event_bus(Name="default")) == (
        "ValidationException",
        "Cannot delete event bus default.",
    )


def test_rule_lifecycle(events: Any) -> None:
    rule = name()
    pattern = json.dumps({"source": ["app"]})
    arn = events.put_rule(Name=rule, EventPattern=pattern, Description="d")["RuleArn"]
    assert arn == f"arn:aws:events:us-east-1:000000000000:rule/{rule}"
    described = events.describe_rule(Name=rule)
    assert described["EventPattern"] == pattern
    assert described["State"] == "ENABLED" and described["EventBusName"] == "default"
    events.disable_rule(Name=rule)
    assert events.describe_rule(Name=rule)["State"] == "DISABLED"
    events.enable_rule(Name=rule)
    listed = events.list_rules(NamePrefix=rule)["Rules"]
    assert [r["Name"] for r in listed] == [rule]
    events.put_targets(Rule=rule, Targets=[{"Id": "a", "Arn": QUEUE}])
    assert events.list_rule_names_by_target(TargetArn=QUEUE)["RuleNames"].count(rule) == 1
    assert aws_error(lambda: events.delete_rule(Name=rule)) == (
        "ValidationException",
        "Rule can't be deleted since it has targets.",
    )
    events.remove_targets(Rule=rule, Ids=["a"])
    events.delete_rule(Name=rule)
    assert aws_error(lambda: events.describe_rule(Name=rule)) == (
        "ResourceNotFoundException",
        f"Rule {rule} does not exist on EventBus default.",
    )


def test_rule_on_custom_bus_arn(events: Any) -> None:
    bus = name("bus")
    events.create_event_bus(Name=bus)
    rule = name()
    arn = events.put_rule(Name=rule, EventBusName=bus, EventPattern='{"source": ["a"]}')["RuleArn"]
    assert arn.endswith(f":rule/{bus}/{rule}")
    assert events.list_rules(EventBusName=bus)["Rules"][0]["Name"] == rule
    assert aws_error(lambda: events.describe_rule(Name=rule))[0] == "ResourceNotFoundException"


def test_rule_errors(events: Any) -> None:
    rule = name()
    assert aws_error(lambda: events.put_rule(Name=rule)) == (
        "ValidationException",
        "Parameter(s) EventPattern or ScheduleExpression must be specified.",
    )
    assert aws_error(lambda: events.put_rule(Name=rule, ScheduleExpression="rate(1 minutes)")) == (
        "ValidationException",
        "Parameter ScheduleExpression is not valid.",
    )
    assert aws_error(
        lambda: events.put_rule(Name=rule, ScheduleExpression="cron(0 * * * * *)")
    ) == ("ValidationException", "Parameter ScheduleExpression is not valid.")
    code, message = aws_error(lambda: events.put_rule(Name=rule, EventPattern='{"source": "x"}'))
    assert code == "InvalidEventPatternException"
    assert message.startswith("Event pattern is not valid. Reason: ")
    assert aws_error(
        lambda: events.put_rule(Name=rule, EventPattern='{"a": [1]}', EventBusName="nope")
    ) == ("ResourceNotFoundException", "Event bus nope does not exist.")
    bus = name("bus")
    events.create_event_bus(Name=bus)
    assert aws_error(
        lambda: events.put_rule(Name=rule, EventBusName=bus, ScheduleExpression="rate(5 minutes)")
    ) == ("ValidationException", "ScheduleExpression is supported only on the default event bus.")
    assert aws_error(
        lambda: events.put_targets(Rule=rule, Targets=[{"Id": "a", "Arn": QUEUE}])
    ) == ("ResourceNotFoundException", f"Rule {rule} does not exist on EventBus default.")
    assert events.list_rules(NamePrefix=rule)["Rules"] == []


def test_targets(events: Any) -> None:
    rule = name()
    events.put_rule(Name=rule, EventPattern='{"source": ["a"]}')
    target = {
        "Id": "t1",
        "Arn": QUEUE,
        "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 120},
        "DeadLetterConfig": {"Arn": QUEUE},
        "InputPath": "$.detail",
    }
    answer = events.put_targets(Rule=rule, Targets=[target])
    assert answer["FailedEntryCount"] == 0 and answer["FailedEntries"] == []
    assert events.list_targets_by_rule(Rule=rule)["Targets"] == [target]
    many = [{"Id": f"x{i}", "Arn": QUEUE} for i in range(5)]
    assert aws_error(lambda: events.put_targets(Rule=rule, Targets=many)) == (
        "LimitExceededException",
        "The requested resource exceeds the maximum number allowed.",
    )
    assert len(events.list_targets_by_rule(Rule=rule)["Targets"]) == 1
    events.remove_targets(Rule=rule, Ids=["t1"])
    assert events.list_targets_by_rule(Rule=rule)["Targets"] == []


def test_put_events_per_entry_errors(events: Any) -> None:
    answer = events.put_events(
        Entries=[
            {"Source": "app", "DetailType": "t", "Detail": "{}"},
            {"DetailType": "t", "Detail": "{}"},
            {"Source": "app", "Detail": "{}"},
            {"Source": "app", "DetailType": "t"},
            {"Source": "app", "DetailType": "t", "Detail": "[1]"},
            {"Source": "app", "DetailType": "t", "Detail": "{oops"},
            {"Source": "app", "DetailType": "t", "Detail": "{}", "EventBusName": "nope"},
            {"Source": "aws.s3", "DetailType": "t", "Detail": "{}"},
        ]
    )
    assert answer["FailedEntryCount"] == 6
    entries = answer["Entries"]
    assert "EventId" in entries[0]
    assert entries[1] == {
        "ErrorCode": "InvalidArgument",
        "ErrorMessage": "Parameter Source is not valid. Reason: Source is a required argument.",
    }
    assert entries[2]["ErrorMessage"] == (
        "Parameter DetailType is not valid. Reason: DetailType is a required argument."
    )
    assert entries[3]["ErrorMessage"] == (
        "Parameter Detail is not valid. Reason: Detail is a required argument."
    )
    assert (
        entries[4]
        == entries[5]
        == {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}
    )
    assert "EventId" in entries[6]  # a missing bus: answered and dropped, as AWS does
    assert entries[7]["ErrorCode"] == "NotAuthorizedForSourceException"


def test_put_events_size_limit(events: Any) -> None:
    """1 MB since AWS raised it from 256 KB (AWS Compute Blog, 29 January 2026; the
    PutEvents documentation in botocore's model: "less than 1MB")."""
    big = json.dumps({"pad": "x" * (1024 * 1024)})
    assert aws_error(
        lambda: events.put_events(Entries=[{"Source": "app", "DetailType": "t", "Detail": big}])
    ) == ("ValidationException", "Total size of the entries in the request is over the limit.")
    # Just under: AWS counts Source + DetailType + Detail (+ Resources, 14 for a Time).
    fits = json.dumps({"p": "x" * (1024 * 1024 - 20)})
    assert len(fits) + len("app") + len("t") <= 1024 * 1024
    assert (
        events.put_events(Entries=[{"Source": "app", "DetailType": "t", "Detail": fits}])[
            "FailedEntryCount"
        ]
        == 0
    )


def test_too_many_entries_is_the_model_error(events: Any) -> None:
    entries = [{"Source": "a", "DetailType": "t", "Detail": "{}"}] * 11
    code, message = aws_error(lambda: events.put_events(Entries=entries))
    assert code == "ValidationException"
    assert "length less than or equal to 10" in message


def test_tags(events: Any) -> None:
    bus = name("bus")
    arn = events.create_event_bus(Name=bus, Tags=[{"Key": "team", "Value": "a"}])["EventBusArn"]
    events.tag_resource(ResourceARN=arn, Tags=[{"Key": "env", "Value": "dev"}])
    tags = {t["Key"]: t["Value"] for t in events.list_tags_for_resource(ResourceARN=arn)["Tags"]}
    assert tags == {"team": "a", "env": "dev"}
    events.untag_resource(ResourceARN=arn, TagKeys=["team"])
    assert events.list_tags_for_resource(ResourceARN=arn)["Tags"] == [
        {"Key": "env", "Value": "dev"}
    ]


def test_accounts_do_not_see_each_other(server: ServerProcess, events: Any) -> None:
    other = server.client("events", access_key="111111111111")
    rule = name()
    events.put_rule(Name=rule, EventPattern='{"source": ["a"]}')
    assert aws_error(lambda: other.describe_rule(Name=rule))[0] == "ResourceNotFoundException"
    assert other.list_rules(NamePrefix=rule)["Rules"] == []


def test_list_rules_pages(events: Any) -> None:
    prefix = name("page")
    for index in range(5):
        events.put_rule(Name=f"{prefix}-{index}", EventPattern='{"source": ["p"]}')
    first = events.list_rules(NamePrefix=prefix, Limit=2)
    assert [r["Name"] for r in first["Rules"]] == [f"{prefix}-0", f"{prefix}-1"]
    names = [r["Name"] for r in first["Rules"]]
    token = first.get("NextToken")
    while token:
        page = events.list_rules(NamePrefix=prefix, Limit=2, NextToken=token)
        names += [r["Name"] for r in page["Rules"]]
        token = page.get("NextToken")
    assert names == [f"{prefix}-{i}" for i in range(5)]


def test_hostile_inputs(events: Any) -> None:
    # A name that tries to be a path is refused by the model's pattern; nothing is stored.
    code, message = aws_error(lambda: events.put_rule(Name="../etc", EventPattern='{"a": ["b"]}'))
    assert code == "ValidationException" and "regular expression pattern" in message
    # Nesting past Event Ruler's limit is refused in AWS's words, not by a crash.
    deep = '{"a":' * 700 + '["x"]' + "}" * 700
    code, message = aws_error(lambda: events.put_rule(Name=name(), EventPattern=deep))
    assert code == "ValidationException"  # over the model's 4096 characters
    deep = '{"a":' * 600 + '["x"]' + "}" * 600
    assert (
        events.test_event_pattern(
            EventPattern=deep,
            Event=json.dumps(
                {
                    "id": "1",
                    "account": "1",
                    "source": "s",
                    "time": "t",
                    "region": "r",
                    "detail-type": "d",
                }
            ),
        )["Result"]
        is False
    )
    # An event nested without end is refused, not recursed into.
    event = (
        '{"id": "1", "account": "1", "source": "s", "time": "t", "region": "r", '
        '"detail-type": "d", "detail": ' + "[" * 5000 + "]" * 5000 + "}"
    )
    assert aws_error(
        lambda: events.test_event_pattern(EventPattern='{"source": ["s"]}', Event=event)
    ) == ("ValidationException", "Parameter Event is not valid.")
    detail = "[" * 5000 + "]" * 5000
    answer = events.put_events(Entries=[{"Source": "app", "DetailType": "t", "Detail": detail}])
    assert answer["Entries"][0]["ErrorCode"] == "MalformedDetail"


def test_tags_of_missing_resources_and_the_default_bus(events: Any) -> None:
    prefix = "arn:aws:events:us-east-1:000000000000:"
    assert aws_error(lambda: events.list_tags_for_resource(ResourceARN=prefix + "rule/nope")) == (
        "ResourceNotFoundException",
        "Rule nope does not exist on EventBus default.",
    )
    assert aws_error(
        lambda: events.tag_resource(
            ResourceARN=prefix + "event-bus/nope", Tags=[{"Key": "k", "Value": "v"}]
        )
    ) == ("ResourceNotFoundException", "Event bus nope does not exist.")
    default = prefix + "event-bus/default"
    events.tag_resource(ResourceARN=default, Tags=[{"Key": "team", "Value": "core"}])
    assert {"Key": "team", "Value": "core"} in events.list_tags_for_resource(ResourceARN=default)[
        "Tags"
    ]
    events.untag_resource(ResourceARN=default, TagKeys=["team"])
