"""PutEvents delivered to real targets: queues, functions, topics, other buses."""

from __future__ import annotations

import datetime
import json
import time
from pathlib import Path
from typing import Any

from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent

from tests.aws.events.conftest import aws_error, name, new_queue, quiet, receive, rule_to_queue
from tests.conftest import CONFORMANCE, ServerProcess, create_function

EVENT_KEYS = [
    "version",
    "id",
    "detail-type",
    "source",
    "account",
    "time",
    "region",
    "resources",
    "detail",
]


def _put(
    events: Any, source: str, detail: dict[str, Any], bus: str = "default", **extra: Any
) -> str:
    answer = events.put_events(
        Entries=[
            {
                "Source": source,
                "DetailType": "signup",
                "Detail": json.dumps(detail),
                "EventBusName": bus,
                **extra,
            }
        ]
    )
    assert answer["FailedEntryCount"] == 0, answer
    return str(answer["Entries"][0]["EventId"])


def test_event_reaches_queue_in_aws_shape(events: Any, sqs: Any) -> None:
    source = name("app.users")
    _, url = rule_to_queue(events, sqs, {"source": [source]})
    event_id = _put(events, source, {"user": "ada"}, Resources=["arn:aws:s3:::b"])
    [event] = receive(sqs, url)
    assert list(event) == EVENT_KEYS
    assert event["id"] == event_id
    assert event["detail"] == {"user": "ada"}
    assert event["resources"] == ["arn:aws:s3:::b"]
    assert event["account"] == "000000000000" and event["region"] == "us-east-1"
    sample_path = CONFORMANCE / "events" / "powertools" / "eventBridgeEvent.json"
    if sample_path.exists():
        sample = json.loads(sample_path.read_text())
        for key in EVENT_KEYS:
            assert type(event[key]) is type(sample[key]), key
        assert len(event["time"]) == len(sample["time"])


def test_event_of_900_kb_reaches_its_queue_whole(events: Any, sqs: Any) -> None:
    source = name("app.big")
    _, url = rule_to_queue(events, sqs, {"source": [source]})
    pad = "x" * (900 * 1024)  # past the old 256 KB limit
    event_id = _put(events, source, {"pad": pad})
    [event] = receive(sqs, url)
    assert event["id"] == event_id
    assert event["detail"]["pad"] == pad


def test_non_matching_event_is_not_delivered(events: Any, sqs: Any) -> None:
    source = name("app")
    _, url = rule_to_queue(
        events, sqs, {"source": [source], "detail": {"n": [{"numeric": [">", 5]}]}}
    )
    _put(events, source, {"n": 3})
    _put(events, source, {"n": 9})
    assert [e["detail"]["n"] for e in receive(sqs, url)] == [9]
    assert quiet(sqs, url, 1)


def test_disabled_rule_delivers_nothing(events: Any, sqs: Any) -> None:
    source = name("app")
    rule, url = rule_to_queue(events, sqs, {"source": [source]})
    events.disable_rule(Name=rule)
    _put(events, source, {})
    assert quiet(sqs, url)
    events.enable_rule(Name=rule)
    _put(events, source, {"again": True})
    assert receive(sqs, url)[0]["detail"] == {"again": True}


def test_custom_bus(events: Any, sqs: Any) -> None:
    bus = name("bus")
    events.create_event_bus(Name=bus)
    source = name("app")
    _, url = rule_to_queue(events, sqs, {"source": [source]}, bus=bus)
    _, default_url = rule_to_queue(events, sqs, {"source": [source]})
    _put(events, source, {"on": "custom"}, bus=bus)
    assert receive(sqs, url)[0]["detail"] == {"on": "custom"}
    assert quiet(sqs, default_url, 1)


def test_bus_to_bus_forwarding_keeps_the_event(events: Any, sqs: Any) -> None:
    bus = name("bus")
    bus_arn = events.create_event_bus(Name=bus)["EventBusArn"]
    source = name("app")
    rule = name()
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": [source]}))
    events.put_targets(
        Rule=rule,
        Targets=[{"Id": "bus", "Arn": bus_arn, "RoleArn": "arn:aws:iam::000000000000:role/x"}],
    )
    _, url = rule_to_queue(events, sqs, {"source": [source]}, bus=bus)
    event_id = _put(events, source, {"hop": 1})
    [event] = receive(sqs, url)
    assert event["id"] == event_id


def test_fifo_queue_target_with_group(events: Any, sqs: Any) -> None:
    source = name("app")
    rule = name()
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": [source]}))
    url, arn = new_queue(sqs, fifo=True)
    code, message = aws_error(
        lambda: events.put_targets(Rule=rule, Targets=[{"Id": "f", "Arn": arn}])
    )
    assert code == "ValidationException"
    assert "SqsParameters" in message
    events.put_targets(
        Rule=rule, Targets=[{"Id": "f", "Arn": arn, "SqsParameters": {"MessageGroupId": "g1"}}]
    )
    for index in range(3):
        _put(events, source, {"i": index})
    # A batch: ten deliveries due at once still reach the group in order.
    events.put_events(
        Entries=[
            {"Source": source, "DetailType": "t", "Detail": json.dumps({"i": index})}
            for index in range(3, 13)
        ]
    )
    answer: list[int] = []
    deadline = time.monotonic() + 20
    while len(answer) < 13 and time.monotonic() < deadline:
        got = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=1,
            AttributeNames=["MessageGroupId"],
        )
        for message in got.get("Messages", []):
            assert message["Attributes"]["MessageGroupId"] == "g1"
            answer.append(json.loads(message["Body"])["detail"]["i"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert answer == list(range(13))


def test_topic_target(events: Any, sqs: Any, server: ServerProcess) -> None:
    sns = server.client("sns")
    topic = sns.create_topic(Name=name("t"))["TopicArn"]
    url, queue_arn = new_queue(sqs)
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "true"},
    )
    source = name("app")
    rule = name()
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": [source]}))
    events.put_targets(Rule=rule, Targets=[{"Id": "t", "Arn": topic}])
    _put(events, source, {"via": "sns"})
    assert receive(sqs, url)[0]["detail"] == {"via": "sns"}


def test_lambda_target_gets_the_event(events: Any, server: ServerProcess, tmp_path: Path) -> None:
    lam = server.client("lambda")
    out = tmp_path / "seen.json"
    function = create_function(
        lam,
        "import json\n"
        "def handler(event, context):\n"
        f"    open({str(out)!r}, 'w').write(json.dumps(event))\n",
    )
    arn = lam.get_function(FunctionName=function)["Configuration"]["FunctionArn"]
    source = name("app")
    rule = name()
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": [source]}))
    events.put_targets(Rule=rule, Targets=[{"Id": "fn", "Arn": arn}])
    event_id = _put(events, source, {"to": "lambda"})
    deadline = time.monotonic() + 30
    while not out.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    seen = json.loads(out.read_text())
    assert seen["id"] == event_id and seen["detail"] == {"to": "lambda"}
    assert list(seen) == EVENT_KEYS
    # Powertools' data class reads it unmodified.
    parsed = EventBridgeEvent(seen)
    assert parsed.get_id == event_id and parsed.source == source
    assert parsed.detail_type == "signup" and parsed.detail == {"to": "lambda"}
    assert parsed.account == "000000000000" and parsed.region == "us-east-1"
    assert parsed.time == seen["time"] and parsed.resources == []


def test_entry_time_is_the_event_time(events: Any, sqs: Any) -> None:
    source = name("app")
    _, url = rule_to_queue(events, sqs, {"source": [source]})
    when = datetime.datetime(2024, 2, 29, 12, 30, 5, tzinfo=datetime.UTC)
    _put(events, source, {}, Time=when)
    assert receive(sqs, url)[0]["time"] == "2024-02-29T12:30:05Z"


def test_a_loop_of_buses_stops(events: Any, sqs: Any) -> None:
    """Rules sending an event A -> B -> A ... forward it a bounded number of times."""
    source = name("loop")
    a, b = name("bus"), name("bus")
    arns = {bus: events.create_event_bus(Name=bus)["EventBusArn"] for bus in (a, b)}
    for here, there in ((a, b), (b, a)):
        rule = name()
        events.put_rule(Name=rule, EventBusName=here, EventPattern=json.dumps({"source": [source]}))
        events.put_targets(
            Rule=rule, EventBusName=here, Targets=[{"Id": "next", "Arn": arns[there]}]
        )
    _, url = rule_to_queue(events, sqs, {"source": [source]}, bus=b)
    _put(events, source, {}, bus=a)
    # B is entered after 1, 3 and 5 crossings; the 6th would exceed the guard.
    arrived = receive(sqs, url, count=3)
    assert len(arrived) == 3 and len({e["id"] for e in arrived}) == 1
    assert quiet(sqs, url, 1)
