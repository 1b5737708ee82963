"""Lambda subscriptions: the function is invoked (Event) with SNS's ``aws:sns`` event,
which has the keys and types of AWS's recorded samples and parses with Powertools."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.aws.sns.conftest import aws_error, new_topic, wait_for
from tests.conftest import CONFORMANCE, create_function

RECORDER = """
import json, os
def handler(event, context):
    sns = event["Records"][0]["Sns"]
    path = os.path.join(os.environ["OUT"], sns["MessageId"])
    with open(path + ".part", "w") as f:
        json.dump(event, f)
    os.replace(path + ".part", path + ".json")  # whole, never seen half-written
"""

SAMPLES = [
    CONFORMANCE / "events" / "powertools" / "snsEvent.json",
    CONFORMANCE / "events" / "aws-lambda-go" / "sns-event.json",
]


def _events(directory: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(directory.glob("*.json"))]


@pytest.fixture
def recorder(lambda_client: Any, tmp_path: Path) -> tuple[str, Path]:
    out = tmp_path / "events"
    out.mkdir()
    out.chmod(0o777)
    name = create_function(lambda_client, RECORDER, Environment={"Variables": {"OUT": str(out)}})
    arn = lambda_client.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    return arn, out


def _shape(value: Any) -> Any:
    """Keys and JSON types, recursively (values aside)."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__


def test_lambda_receives_the_sns_event(sns: Any, recorder: tuple[str, Path]) -> None:
    function_arn, out = recorder
    topic = new_topic(sns)
    subscription = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=function_arn)[
        "SubscriptionArn"
    ]
    assert subscription.startswith(f"{topic}:")  # confirmed at once
    message_id = sns.publish(
        TopicArn=topic,
        Message="Hello from SNS!",
        Subject="TestInvoke",
        MessageAttributes={
            "Test": {"DataType": "String", "StringValue": "TestString"},
            "TestBinary": {"DataType": "Binary", "BinaryValue": b"TestBinary"},
        },
    )["MessageId"]
    event = wait_for(lambda: _events(out))[0]
    record = event["Records"][0]
    assert record["EventSource"] == "aws:sns"
    assert record["EventVersion"] == "1.0"
    assert record["EventSubscriptionArn"] == subscription
    assert record["Sns"]["MessageId"] == message_id
    assert record["Sns"]["TopicArn"] == topic
    assert record["Sns"]["Message"] == "Hello from SNS!"
    assert record["Sns"]["Subject"] == "TestInvoke"
    assert record["Sns"]["MessageAttributes"] == {
        "Test": {"Type": "String", "Value": "TestString"},
        "TestBinary": {"Type": "Binary", "Value": "VGVzdEJpbmFyeQ=="},
    }
    for sample in SAMPLES:
        if sample.exists():
            assert _shape(event) == _shape(json.loads(sample.read_text())), sample.name


def test_powertools_parses_our_event(sns: Any, recorder: tuple[str, Path]) -> None:
    data_classes = pytest.importorskip("aws_lambda_powertools.utilities.data_classes")
    function_arn, out = recorder
    topic = new_topic(sns)
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=function_arn)
    sns.publish(
        TopicArn=topic,
        Message='{"order": 1}',
        MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}},
    )
    event = data_classes.SNSEvent(wait_for(lambda: _events(out))[0])
    assert event.sns_message == '{"order": 1}'
    record = event.record
    assert record.event_source == "aws:sns"
    assert record.sns.topic_arn == topic
    assert record.sns.message_attributes["k"].value == "v"
    assert record.sns.subject is None


def test_lambda_subscriptions_are_filtered_and_not_raw(
    sns: Any, recorder: tuple[str, Path]
) -> None:
    function_arn, out = recorder
    topic = new_topic(sns)
    sns.subscribe(
        TopicArn=topic,
        Protocol="lambda",
        Endpoint=function_arn,
        Attributes={"FilterPolicy": json.dumps({"n": [{"numeric": [">", 10]}]})},
    )
    for n in (5, 50):
        sns.publish(
            TopicArn=topic,
            Message=f"n={n}",
            MessageAttributes={"n": {"DataType": "Number", "StringValue": str(n)}},
        )
    events = wait_for(lambda: _events(out))
    assert [e["Records"][0]["Sns"]["Message"] for e in events] == ["n=50"]
    assert aws_error(
        lambda: sns.subscribe(
            TopicArn=topic,
            Protocol="lambda",
            Endpoint=function_arn + ":1",
            Attributes={"RawMessageDelivery": "true"},
        )
    ) == (
        "InvalidParameter",
        "Invalid parameter: Attributes Reason: Delivery protocol [lambda] does not support raw "
        "message delivery.",
        400,
    )
    assert aws_error(
        lambda: sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint="my-function")
    ) == (
        "InvalidParameter",
        "Invalid parameter: Lambda endpoint ARN",
        400,
    )
