"""Long polling: a waiting receive returns as soon as a message is sent, many waiting
receivers leave the server responsive, and a wait ends empty when nothing comes."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.aws.sqs.conftest import unique
from tests.conftest import ServerProcess


def test_a_waiting_receive_wakes_on_send(sqs: Any, queue: str) -> None:
    got: list[Any] = []
    waiter = threading.Thread(
        target=lambda: got.append(sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=20))
    )
    waiter.start()
    sqs.send_message(QueueUrl=queue, MessageBody="wake up")
    # It would take the whole 20 s if the send did not wake it.
    waiter.join(timeout=15)
    assert not waiter.is_alive()
    assert got[0]["Messages"][0]["Body"] == "wake up"


def test_the_queue_default_wait_applies(sqs: Any) -> None:
    url = sqs.create_queue(QueueName=unique(), Attributes={"ReceiveMessageWaitTimeSeconds": "20"})[
        "QueueUrl"
    ]
    got: list[Any] = []
    waiter = threading.Thread(target=lambda: got.append(sqs.receive_message(QueueUrl=url)))
    waiter.start()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    waiter.join(timeout=15)
    assert got and got[0]["Messages"][0]["Body"] == "x"


def test_a_wait_with_nothing_sent_ends_empty(sqs: Any, queue: str) -> None:
    assert "Messages" not in sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1)


def test_each_message_goes_to_one_waiter(server: ServerProcess, queue: str) -> None:
    clients = [server.client("sqs") for _ in range(8)]
    with ThreadPoolExecutor(8) as pool:
        futures = [
            pool.submit(c.receive_message, QueueUrl=queue, WaitTimeSeconds=10) for c in clients
        ]
        sender = server.client("sqs")
        sender.send_message_batch(
            QueueUrl=queue, Entries=[{"Id": str(i), "MessageBody": str(i)} for i in range(8)]
        )
        bodies = [m["Body"] for f in futures for m in f.result(timeout=30).get("Messages", [])]
    assert sorted(bodies) == [str(i) for i in range(8)]


@pytest.mark.slow  # the 490 receivers nobody sends to wait their whole 20 s
def test_many_waiting_receivers_leave_the_server_responsive(server: ServerProcess) -> None:
    """500 receives waiting 20 s: other calls keep answering, and a send wakes one."""
    sqs = server.client("sqs", max_pool_connections=500)
    url = sqs.create_queue(QueueName=unique())["QueueUrl"]
    other = sqs.create_queue(QueueName=unique())["QueueUrl"]
    with ThreadPoolExecutor(500) as pool:
        waiting = [
            pool.submit(sqs.receive_message, QueueUrl=url, WaitTimeSeconds=20) for _ in range(500)
        ]
        caller = server.client("sqs")
        for i in range(20):
            caller.send_message(QueueUrl=other, MessageBody=str(i))
        assert caller.receive_message(QueueUrl=other, MaxNumberOfMessages=10)["Messages"]
        caller.send_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": "go"} for i in range(10)]
        )
        # every waiter leaves: ten with a message, the others when their wait ends
        received = sum(len(f.result(timeout=60).get("Messages", [])) for f in waiting)
    assert received == 10
