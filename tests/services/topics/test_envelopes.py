"""SNS's envelopes in AWS's exact layout (the text SQS and HTTP subscribers parse)."""

from __future__ import annotations

import json

from stratus.services.topics.envelopes import Envelopes, http_headers
from stratus.services.topics.model import Message, Subscription

TOPIC = "arn:aws:sns:us-east-1:000000000000:t"
SUBSCRIPTION = Subscription(
    f"{TOPIC}:0f0e0d0c-0b0a-0908-0706-050403020100",
    TOPIC,
    "sqs",
    "arn:aws:sqs:us-east-1:000000000000:q",
    "000000000000",
    {},
    True,
    "tok",
    0.0,
)
MESSAGE = Message(
    "11111111-2222-3333-4444-555555555555",
    TOPIC,
    'é "quoted"\n',
    None,
    None,
    {"a": {"Type": "String", "Value": "1"}},
    "2026-01-02T03:04:05.678Z",
)


def test_notification_layout() -> None:
    text = Envelopes("http://127.0.0.1:4566").notification(MESSAGE, SUBSCRIPTION)
    lines = text.splitlines()
    assert lines[0] == "{"
    assert lines[1] == '  "Type" : "Notification",'
    assert lines[2] == '  "MessageId" : "11111111-2222-3333-4444-555555555555",'
    assert lines[4] == '  "Message" : "é \\"quoted\\"\\n",'
    assert lines[-4:] == [
        '  "MessageAttributes" : {',
        '    "a" : {"Type":"String","Value":"1"}',
        "  }",
        "}",
    ]
    document = json.loads(text)
    assert document["UnsubscribeURL"] == (
        f"http://127.0.0.1:4566/?Action=Unsubscribe&SubscriptionArn={SUBSCRIPTION.arn}"
    )
    assert len(document["Signature"]) == len("x" * 344)  # base64 of 256 bytes, as RSA-2048


def test_fifo_notification_has_sequence_and_no_signature() -> None:
    fifo = Message(
        MESSAGE.message_id,
        TOPIC + ".fifo",
        "m",
        None,
        None,
        {},
        MESSAGE.timestamp,
        "g",
        "d",
        "10000000000000000001",
    )
    document = json.loads(Envelopes("http://x").notification(fifo, SUBSCRIPTION))
    assert list(document) == [
        "Type",
        "MessageId",
        "SequenceNumber",
        "TopicArn",
        "Message",
        "Timestamp",
        "UnsubscribeURL",
    ]


def test_signature_is_stable_and_depends_on_the_content() -> None:
    envelopes = Envelopes("http://x")
    first = json.loads(envelopes.notification(MESSAGE, SUBSCRIPTION))["Signature"]
    again = json.loads(envelopes.notification(MESSAGE, SUBSCRIPTION))["Signature"]
    other = Message(MESSAGE.message_id, TOPIC, "other", None, None, {}, MESSAGE.timestamp)
    changed = json.loads(envelopes.notification(other, SUBSCRIPTION))["Signature"]
    assert first == again != changed


def test_http_headers() -> None:
    headers = http_headers(
        "Notification", MESSAGE, SUBSCRIPTION, "text/plain; charset=UTF-8", raw=False
    )
    assert headers == {
        "x-amz-sns-message-type": "Notification",
        "x-amz-sns-message-id": MESSAGE.message_id,
        "x-amz-sns-topic-arn": TOPIC,
        "Content-Type": "text/plain; charset=UTF-8",
        "User-Agent": "Amazon Simple Notification Service Agent",
        "x-amz-sns-subscription-arn": SUBSCRIPTION.arn,
    }
