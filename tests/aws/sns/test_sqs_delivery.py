"""SQS subscriptions end to end: the notification envelope (or the raw message and its
attributes) in the queue, FIFO topics into FIFO queues, and dead-letter queues."""

from __future__ import annotations

import json
from typing import Any

import botocore.exceptions
import pytest

from tests.aws.sns.conftest import Endpoint, confirm, new_topic, wait_for
from tests.conftest import CONFORMANCE, ServerProcess, unique_name


@pytest.fixture(scope="module")
def sqs(server: ServerProcess) -> Any:
    client = server.client("sqs")
    try:
        client.list_queues()
    except botocore.exceptions.ClientError as error:
        pytest.skip(f"needs the sqs component ({error.response['Error']['Code']})")
    return client


def _queue(sqs: Any, fifo: bool = False) -> tuple[str, str]:
    name = unique_name("q") + (".fifo" if fifo else "")
    attributes = {"FifoQueue": "true"} if fifo else {}
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn


def _receive(sqs: Any, url: str, count: int = 1) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []

    def more() -> bool:
        answer = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, MessageAttributeNames=["All"]
        )
        messages.extend(answer.get("Messages", []))
        return len(messages) >= count

    wait_for(more)
    return messages


def test_sqs_receives_the_notification_envelope(sns: Any, sqs: Any) -> None:
    url, queue_arn = _queue(sqs)
    topic = new_topic(sns)
    subscription = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)[
        "SubscriptionArn"
    ]
    message_id = sns.publish(
        TopicArn=topic,
        Message="hello",
        Subject="s",
        MessageAttributes={"a": {"DataType": "String", "StringValue": "1"}},
    )["MessageId"]
    body = _receive(sqs, url)[0]["Body"]
    assert body.startswith('{\n  "Type" : "Notification",\n  "MessageId" : ')
    document = json.loads(body)
    assert list(document) == [
        "Type",
        "MessageId",
        "TopicArn",
        "Subject",
        "Message",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
        "UnsubscribeURL",
        "MessageAttributes",
    ]
    assert document["MessageId"] == message_id
    assert document["UnsubscribeURL"].endswith(f"SubscriptionArn={subscription}")
    assert document["MessageAttributes"] == {"a": {"Type": "String", "Value": "1"}}


def test_raw_delivery_to_sqs(sns: Any, sqs: Any) -> None:
    url, queue_arn = _queue(sqs)
    topic = new_topic(sns)
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "true"},
    )
    sns.publish(
        TopicArn=topic,
        Message="raw body",
        MessageAttributes={"n": {"DataType": "Number", "StringValue": "7"}},
    )
    message = _receive(sqs, url)[0]
    assert message["Body"] == "raw body"
    assert message["MessageAttributes"]["n"] == {"DataType": "Number", "StringValue": "7"}


def test_fifo_topic_to_fifo_queue_in_order(sns: Any, sqs: Any) -> None:
    url, queue_arn = _queue(sqs, fifo=True)
    topic = new_topic(sns, Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true"})
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    for index in range(5):
        sns.publish(TopicArn=topic, Message=f"m{index}", MessageGroupId="g")
    sns.publish(TopicArn=topic, Message="m0", MessageGroupId="g")  # a duplicate
    messages: list[dict[str, Any]] = []

    def all_five() -> bool:
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in answer.get("Messages", []):
            messages.append(message)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return len(messages) >= 5

    wait_for(all_five)
    documents = [json.loads(m["Body"]) for m in messages]
    assert [d["Message"] for d in documents] == [f"m{i}" for i in range(5)]
    assert all("SequenceNumber" in d and "Signature" not in d for d in documents)


def test_failed_deliveries_go_to_the_dead_letter_queue(
    sns: Any, sqs: Any, endpoint: Endpoint
) -> None:
    dlq_url, dlq_arn = _queue(sqs)
    topic = new_topic(sns)
    sns.subscribe(
        TopicArn=topic,
        Protocol="http",
        Endpoint=endpoint.url,
        Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn})},
    )
    confirm(sns, endpoint, topic)
    endpoint.status = 403  # a client error: not retried, dead-lettered at once
    message_id = sns.publish(TopicArn=topic, Message="undeliverable")["MessageId"]
    document = json.loads(_receive(sqs, dlq_url)[0]["Body"])
    assert document["MessageId"] == message_id
    assert document["Message"] == "undeliverable"


SAMPLES = CONFORMANCE / "events" / "powertools"


@pytest.mark.parametrize("fifo", [False, True], ids=["standard", "fifo"])
def test_envelope_keys_match_aws_samples(sns: Any, sqs: Any, fifo: bool) -> None:
    """The body SNS puts in SQS has the keys, order and types of AWS's recorded samples."""
    sample_file = SAMPLES / ("snsSqsFifoEvent.json" if fifo else "snsSqsEvent.json")
    if not sample_file.exists():
        pytest.skip(f"conformance material not found at {sample_file}")
    sample = json.loads(json.loads(sample_file.read_text())["Records"][0]["body"])
    url, queue_arn = _queue(sqs, fifo=fifo)
    attributes = {"FifoTopic": "true", "ContentBasedDeduplication": "true"} if fifo else {}
    topic = new_topic(sns, Attributes=attributes)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    extra = {"MessageGroupId": "g"} if fifo else {}
    sns.publish(TopicArn=topic, Message=json.dumps({"message": "hello world"}), **extra)
    body = _receive(sqs, url)[0]["Body"]
    document = json.loads(body)
    assert list(document) == list(sample)
    assert {k: type(v) for k, v in document.items()} == {k: type(v) for k, v in sample.items()}
    # AWS's layout: two-space indent and " : " between key and value.
    assert body.splitlines()[1].startswith('  "Type" : ')
