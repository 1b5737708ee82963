"""Helpers for the SQS API suite: clients and fresh queues on the session's real server."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import botocore.exceptions
import pytest

from tests.conftest import ServerProcess


@pytest.fixture(scope="session")
def sqs(server: ServerProcess) -> Any:
    return server.client("sqs")


@pytest.fixture(scope="session")
def raw_sqs(server: ServerProcess) -> Any:
    """A client that skips botocore's own parameter checks, so the server sees bad input."""
    return server.client("sqs", parameter_validation=False)


def unique(prefix: str = "q") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def queue(sqs: Any) -> str:
    return str(sqs.create_queue(QueueName=unique())["QueueUrl"])


@pytest.fixture
def fifo(sqs: Any) -> str:
    return str(
        sqs.create_queue(QueueName=f"{unique('f')}.fifo", Attributes={"FifoQueue": "true"})[
            "QueueUrl"
        ]
    )


def error_of(call: Callable[..., Any], **kwargs: Any) -> dict[str, str]:
    """The error a call fails with (botocore's ``Error``: Code, Message, QueryErrorCode)."""
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**kwargs)
    return dict(info.value.response["Error"])


def attributes(sqs: Any, url: str, *names: str) -> dict[str, str]:
    return dict(
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(names) or ["All"])["Attributes"]
    )


def receive_all(sqs: Any, url: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Receive until the queue answers empty."""
    found: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, **kwargs).get(
            "Messages", []
        )
        if not messages:
            return found
        found.extend(messages)
