"""FIFO queues through boto3: order per message group, a group blocked while one of its
messages is in flight, deduplication (by id, by content, per group), sequence numbers, and
the FIFO-only and standard-only parameter errors."""

from __future__ import annotations

import hashlib
from typing import Any

from tests.aws.sqs.conftest import error_of, receive_all, unique


def fifo_queue(sqs: Any, **attributes: str) -> str:
    return str(
        sqs.create_queue(
            QueueName=f"{unique('f')}.fifo", Attributes={"FifoQueue": "true", **attributes}
        )["QueueUrl"]
    )


def test_order_within_a_group_and_sequence_numbers(sqs: Any, fifo: str) -> None:
    numbers = []
    for i in range(20):
        sent = sqs.send_message(
            QueueUrl=fifo, MessageBody=f"m{i}", MessageGroupId="g", MessageDeduplicationId=f"d{i}"
        )
        numbers.append(int(sent["SequenceNumber"]))
    assert numbers == sorted(numbers) and len(set(numbers)) == 20
    bodies = []
    while len(bodies) < 20:
        messages = sqs.receive_message(
            QueueUrl=fifo, MaxNumberOfMessages=3, AttributeNames=["All"]
        )["Messages"]
        for message in messages:
            assert message["Attributes"]["MessageGroupId"] == "g"
            assert "SequenceNumber" in message["Attributes"]
            bodies.append(message["Body"])
        sqs.delete_message_batch(
            QueueUrl=fifo,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)
            ],
        )
    assert bodies == [f"m{i}" for i in range(20)]


def test_a_group_waits_while_its_message_is_in_flight(sqs: Any, fifo: str) -> None:
    for i, group in enumerate(["a", "a", "b"]):
        sqs.send_message(
            QueueUrl=fifo,
            MessageBody=f"{group}{i}",
            MessageGroupId=group,
            MessageDeduplicationId=str(i),
        )
    first = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=1)["Messages"][0]
    assert first["Body"] == "a0"
    # a1 must wait behind a0 (in flight); b2 is free
    second = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in second] == ["b2"]
    assert "Messages" not in sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10)
    sqs.delete_message(QueueUrl=fifo, ReceiptHandle=first["ReceiptHandle"])
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=fifo)["Messages"]] == ["a1"]


def test_a_returned_message_comes_first_again(sqs: Any, fifo: str) -> None:
    for i in range(3):
        sqs.send_message(
            QueueUrl=fifo, MessageBody=f"m{i}", MessageGroupId="g", MessageDeduplicationId=str(i)
        )
    messages = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=2)["Messages"]
    assert [m["Body"] for m in messages] == ["m0", "m1"]
    for message in messages:
        sqs.change_message_visibility(
            QueueUrl=fifo, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
        )
    again = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in again] == ["m0", "m1", "m2"]


def test_deduplication_by_id(sqs: Any, fifo: str) -> None:
    first = sqs.send_message(
        QueueUrl=fifo, MessageBody="one", MessageGroupId="g", MessageDeduplicationId="same"
    )
    second = sqs.send_message(
        QueueUrl=fifo, MessageBody="two", MessageGroupId="g", MessageDeduplicationId="same"
    )
    assert second["MessageId"] == first["MessageId"]
    assert second["SequenceNumber"] == first["SequenceNumber"]
    # even once the first is received and deleted, the id stays used for five minutes
    message = sqs.receive_message(QueueUrl=fifo)["Messages"][0]
    sqs.delete_message(QueueUrl=fifo, ReceiptHandle=message["ReceiptHandle"])
    sqs.send_message(
        QueueUrl=fifo, MessageBody="three", MessageGroupId="g", MessageDeduplicationId="same"
    )
    assert receive_all(sqs, fifo) == []


def test_deduplication_within_a_batch(sqs: Any, fifo: str) -> None:
    result = sqs.send_message_batch(
        QueueUrl=fifo,
        Entries=[
            {"Id": "a", "MessageBody": "x", "MessageGroupId": "g", "MessageDeduplicationId": "d"},
            {"Id": "b", "MessageBody": "y", "MessageGroupId": "g", "MessageDeduplicationId": "d"},
        ],
    )
    ids = {s["Id"]: s["MessageId"] for s in result["Successful"]}
    assert ids["a"] == ids["b"]
    assert [m["Body"] for m in receive_all(sqs, fifo)] == ["x"]


def test_content_based_deduplication(sqs: Any) -> None:
    url = fifo_queue(sqs, ContentBasedDeduplication="true")
    first = sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
    second = sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="other")
    assert first["MessageId"] == second["MessageId"]
    sqs.send_message(QueueUrl=url, MessageBody="different", MessageGroupId="g")
    messages = receive_all(sqs, url, AttributeNames=["All"])
    assert sorted(m["Body"] for m in messages) == ["different", "same"]
    same = next(m for m in messages if m["Body"] == "same")
    assert same["Attributes"]["MessageDeduplicationId"] == hashlib.sha256(b"same").hexdigest()


def test_deduplication_scope_message_group(sqs: Any) -> None:
    url = fifo_queue(
        sqs, DeduplicationScope="messageGroup", FifoThroughputLimit="perMessageGroupId"
    )
    a = sqs.send_message(
        QueueUrl=url, MessageBody="x", MessageGroupId="a", MessageDeduplicationId="d"
    )
    b = sqs.send_message(
        QueueUrl=url, MessageBody="x", MessageGroupId="b", MessageDeduplicationId="d"
    )
    again = sqs.send_message(
        QueueUrl=url, MessageBody="x", MessageGroupId="a", MessageDeduplicationId="d"
    )
    assert a["MessageId"] != b["MessageId"]
    assert again["MessageId"] == a["MessageId"]
    assert len(receive_all(sqs, url)) == 2


def test_fifo_parameter_errors(sqs: Any, fifo: str) -> None:
    error = error_of(sqs.send_message, QueueUrl=fifo, MessageBody="x", MessageDeduplicationId="d")
    assert error["Code"] == "MissingParameter"
    assert error["Message"] == "The request must contain the parameter MessageGroupId."
    error = error_of(sqs.send_message, QueueUrl=fifo, MessageBody="x", MessageGroupId="g")
    assert error["Code"] == "InvalidParameterValue"
    assert error["Message"] == (
        "The queue should either have ContentBasedDeduplication enabled or "
        "MessageDeduplicationId provided explicitly"
    )
    error = error_of(
        sqs.send_message,
        QueueUrl=fifo,
        MessageBody="x",
        MessageGroupId="g",
        MessageDeduplicationId="d",
        DelaySeconds=5,
    )
    assert error["Code"] == "InvalidParameterValue"
    assert error["Message"] == (
        "Value 5 for parameter DelaySeconds is invalid. Reason: The request include parameter "
        "that is not valid for this queue type."
    )
    error = error_of(
        sqs.send_message,
        QueueUrl=fifo,
        MessageBody="x",
        MessageGroupId="g" * 129,
        MessageDeduplicationId="d",
    )
    assert error["Code"] == "InvalidParameterValue"
    assert receive_all(sqs, fifo) == []


def test_standard_queues_take_a_group_id(sqs: Any, queue: str) -> None:
    sqs.send_message(QueueUrl=queue, MessageBody="x", MessageGroupId="tenant-1")
    (message,) = sqs.receive_message(QueueUrl=queue, AttributeNames=["All"])["Messages"]
    assert message["Attributes"]["MessageGroupId"] == "tenant-1"
    assert "SequenceNumber" not in message["Attributes"]
