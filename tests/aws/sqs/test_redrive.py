"""Dead-letter queues and message move tasks through boto3."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.aws.sqs.conftest import attributes, error_of, receive_all, unique


def with_dead_letter_queue(sqs: Any, max_receives: int, fifo: bool = False) -> tuple[str, str]:
    suffix = ".fifo" if fifo else ""
    extra = {"FifoQueue": "true"} if fifo else {}
    dlq = sqs.create_queue(QueueName=unique("dlq") + suffix, Attributes=extra)["QueueUrl"]
    arn = attributes(sqs, dlq, "QueueArn")["QueueArn"]
    policy = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": max_receives})
    source = sqs.create_queue(
        QueueName=unique("src") + suffix, Attributes={"RedrivePolicy": policy, **extra}
    )["QueueUrl"]
    return source, dlq


def test_a_message_moves_after_max_receive_count(sqs: Any) -> None:
    source, dlq = with_dead_letter_queue(sqs, 2)
    sent = sqs.send_message(QueueUrl=source, MessageBody="poison")
    for count in (1, 2):
        (message,) = sqs.receive_message(
            QueueUrl=source, VisibilityTimeout=0, AttributeNames=["All"]
        )["Messages"]
        assert message["Attributes"]["ApproximateReceiveCount"] == str(count)
    # the third receive would exceed maxReceiveCount: the message is in the DLQ instead
    assert "Messages" not in sqs.receive_message(QueueUrl=source)
    (dead,) = sqs.receive_message(QueueUrl=dlq, AttributeNames=["All"])["Messages"]
    assert dead["MessageId"] == sent["MessageId"]
    assert dead["Body"] == "poison"
    source_arn = attributes(sqs, source, "QueueArn")["QueueArn"]
    assert dead["Attributes"]["DeadLetterQueueSourceArn"] == source_arn


def test_fifo_dead_letter_queue(sqs: Any) -> None:
    source, dlq = with_dead_letter_queue(sqs, 1, fifo=True)
    sqs.send_message(
        QueueUrl=source, MessageBody="a", MessageGroupId="g", MessageDeduplicationId="1"
    )
    sqs.send_message(
        QueueUrl=source, MessageBody="b", MessageGroupId="g", MessageDeduplicationId="2"
    )
    assert sqs.receive_message(QueueUrl=source, VisibilityTimeout=0)["Messages"][0]["Body"] == "a"
    # "a" goes to the DLQ; "b" is next in its group
    assert sqs.receive_message(QueueUrl=source)["Messages"][0]["Body"] == "b"
    assert [m["Body"] for m in receive_all(sqs, dlq)] == ["a"]


def wait_for_task(sqs: Any, source_arn: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        (task,) = sqs.list_message_move_tasks(SourceArn=source_arn)["Results"]
        if task["Status"] != "RUNNING" or time.monotonic() > deadline:
            return dict(task)
        time.sleep(0.05)


def test_move_task_back_to_the_source(sqs: Any) -> None:
    source, dlq = with_dead_letter_queue(sqs, 1)
    for i in range(25):
        sqs.send_message(QueueUrl=source, MessageBody=f"m{i}")
    while receive_all(sqs, source, VisibilityTimeout=0):
        pass
    assert attributes(sqs, dlq)["ApproximateNumberOfMessages"] == "25"
    dlq_arn = attributes(sqs, dlq, "QueueArn")["QueueArn"]
    handle = sqs.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
    assert handle
    task = wait_for_task(sqs, dlq_arn)
    assert task["Status"] == "COMPLETED"
    assert task["ApproximateNumberOfMessagesMoved"] == 25
    assert task["ApproximateNumberOfMessagesToMove"] == 25
    assert attributes(sqs, dlq)["ApproximateNumberOfMessages"] == "0"
    moved = receive_all(sqs, source, AttributeNames=["All"])
    assert sorted(m["Body"] for m in moved) == sorted(f"m{i}" for i in range(25))
    assert {m["Attributes"]["ApproximateReceiveCount"] for m in moved} == {"1"}


def test_move_task_to_a_destination_with_a_rate(sqs: Any) -> None:
    source, dlq = with_dead_letter_queue(sqs, 1)
    target = sqs.create_queue(QueueName=unique("target"))["QueueUrl"]
    target_arn = attributes(sqs, target, "QueueArn")["QueueArn"]
    sqs.send_message(QueueUrl=source, MessageBody="x")
    sqs.receive_message(QueueUrl=source, VisibilityTimeout=0)
    sqs.receive_message(QueueUrl=source)
    dlq_arn = attributes(sqs, dlq, "QueueArn")["QueueArn"]
    sqs.start_message_move_task(
        SourceArn=dlq_arn, DestinationArn=target_arn, MaxNumberOfMessagesPerSecond=100
    )
    task = wait_for_task(sqs, dlq_arn)
    assert task["Status"] == "COMPLETED"
    assert task["DestinationArn"] == target_arn
    assert task["MaxNumberOfMessagesPerSecond"] == 100
    assert [m["Body"] for m in receive_all(sqs, target)] == ["x"]


def test_cancel_a_move_task(sqs: Any) -> None:
    source, dlq = with_dead_letter_queue(sqs, 1)
    sqs.send_message_batch(
        QueueUrl=source, Entries=[{"Id": str(i), "MessageBody": "x"} for i in range(10)]
    )
    receive_all(sqs, source, VisibilityTimeout=0)
    receive_all(sqs, source)
    dlq_arn = attributes(sqs, dlq, "QueueArn")["QueueArn"]
    handle = sqs.start_message_move_task(SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=1)[
        "TaskHandle"
    ]
    error = error_of(sqs.start_message_move_task, SourceArn=dlq_arn)
    assert error["Code"] == "AWS.SimpleQueueService.UnsupportedOperation"
    moved = sqs.cancel_message_move_task(TaskHandle=handle)["ApproximateNumberOfMessagesMoved"]
    task = wait_for_task(sqs, dlq_arn)
    assert task["Status"] in ("CANCELLED", "CANCELLING")
    assert moved < 10
    error = error_of(sqs.cancel_message_move_task, TaskHandle=handle)
    assert error["Code"] == "ResourceNotFoundException"


@pytest.mark.parametrize("case", ["not-a-dlq", "missing-source", "missing-destination", "rate"])
def test_move_task_errors(sqs: Any, case: str) -> None:
    plain = sqs.create_queue(QueueName=unique())["QueueUrl"]
    plain_arn = attributes(sqs, plain, "QueueArn")["QueueArn"]
    _, dlq = with_dead_letter_queue(sqs, 1)
    dlq_arn = attributes(sqs, dlq, "QueueArn")["QueueArn"]
    missing = plain_arn + "-missing"
    kwargs: dict[str, Any] = {
        "not-a-dlq": {"SourceArn": plain_arn},
        "missing-source": {"SourceArn": missing},
        "missing-destination": {"SourceArn": dlq_arn, "DestinationArn": missing},
        "rate": {"SourceArn": dlq_arn, "MaxNumberOfMessagesPerSecond": 501},
    }[case]
    error = error_of(sqs.start_message_move_task, **kwargs)
    expected = {
        "not-a-dlq": "InvalidParameterValue",
        "missing-source": "ResourceNotFoundException",
        "missing-destination": "ResourceNotFoundException",
        "rate": "InvalidParameterValue",
    }[case]
    assert error["Code"] == expected
