"""Helpers for the EventBridge suite: clients, queues to deliver to, waiting."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import botocore.exceptions
import pytest

from tests.conftest import ServerProcess


@pytest.fixture(scope="session")
def events(server: ServerProcess) -> Any:
    return server.client("events")


@pytest.fixture(scope="session")
def sqs(server: ServerProcess) -> Any:
    return server.client("sqs")


def name(prefix: str = "r") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def aws_error(call: Callable[[], Any]) -> tuple[str, str]:
    """Code and message of the error ``call`` raises."""
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call()
    error = raised.value.response["Error"]
    return error["Code"], error["Message"]


def new_queue(sqs: Any, fifo: bool = False) -> tuple[str, str]:
    """A fresh queue: (url, arn)."""
    queue = name("q") + (".fifo" if fifo else "")
    attributes = {"FifoQueue": "true", "ContentBasedDeduplication": "true"} if fifo else {}
    url = sqs.create_queue(QueueName=queue, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn


def receive(
    sqs: Any, url: str, count: int = 1, timeout: float = 20.0, attributes: bool = False
) -> list[dict[str, Any]]:
    """Wait until ``count`` messages arrived; their bodies parsed (and attributes)."""
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while len(found) < count and time.monotonic() < deadline:
        answer = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, MessageAttributeNames=["All"]
        )
        for message in answer.get("Messages", []):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            try:
                body = json.loads(message["Body"])
            except ValueError:
                body = message["Body"]
            found.append(
                {"body": body, "attributes": message.get("MessageAttributes", {})}
                if attributes
                else body
            )
    return found


def quiet(sqs: Any, url: str, wait: int = 2) -> bool:
    """Whether nothing arrives within ``wait`` seconds."""
    answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait)
    return not answer.get("Messages")


def rule_to_queue(
    events: Any, sqs: Any, pattern: dict[str, Any], bus: str = "default", **target: Any
) -> tuple[str, str]:
    """A rule with ``pattern`` whose one target is a fresh queue: (rule name, queue url)."""
    rule = name()
    events.put_rule(Name=rule, EventPattern=json.dumps(pattern), EventBusName=bus)
    url, arn = new_queue(sqs)
    events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "q", "Arn": arn, **target}])
    return rule, url
