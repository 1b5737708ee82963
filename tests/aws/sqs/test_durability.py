"""What SQS acknowledged survives ``kill -9``: every message whose send was answered is
received (at least once) after a restart on the same data directory, and no message
whose delete was answered comes back."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import botocore.exceptions
import pytest

from tests.aws.sqs.conftest import receive_all
from tests.conftest import ServerProcess

_GONE = (
    botocore.exceptions.EndpointConnectionError,
    botocore.exceptions.ConnectionClosedError,
    botocore.exceptions.ReadTimeoutError,
    ConnectionError,
)


@pytest.mark.slow  # two server starts and a few hundred calls: about 10 s
def test_acknowledged_sends_and_deletes_survive_kill_9(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    sqs = server.client("sqs", read_timeout=5, connect_timeout=2)
    url = sqs.create_queue(QueueName="durable", Attributes={"VisibilityTimeout": "1"})["QueueUrl"]
    sent: set[str] = set()  # bodies whose send was acknowledged
    deleted: set[str] = set()  # message ids whose delete was acknowledged
    received: set[str] = set()  # bodies received before the kill
    stop = threading.Event()

    def produce() -> None:
        client = server.client("sqs", read_timeout=5, connect_timeout=2)
        i = 0
        while not stop.is_set():
            entries = [{"Id": str(n), "MessageBody": f"m{i + n}"} for n in range(5)]
            try:
                result = client.send_message_batch(QueueUrl=url, Entries=entries)
            except _GONE:
                return
            for entry in result["Successful"]:
                sent.add(f"m{i + int(entry['Id'])}")
            i += 5
            body = f"single{i}"
            try:
                client.send_message(QueueUrl=url, MessageBody=body)
            except _GONE:
                return
            sent.add(body)

    def consume() -> None:
        client = server.client("sqs", read_timeout=5, connect_timeout=2)
        while not stop.is_set():
            try:
                messages = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
                    "Messages", []
                )
                for message in messages:
                    received.add(message["Body"])
                if messages:
                    client.delete_message_batch(
                        QueueUrl=url,
                        Entries=[
                            {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]}
                            for n, m in enumerate(messages)
                        ],
                    )
                    deleted.update(m["MessageId"] for m in messages)
            except _GONE:
                return

    threads = [threading.Thread(target=produce), threading.Thread(target=consume)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while len(sent) < 600 and time.monotonic() < deadline:
        time.sleep(0.01)
    server.kill()  # mid-way: both threads are in the middle of calls
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert len(sent) >= 600, server.log()

    server.start()
    try:
        again = server.client("sqs")
        # Messages in flight at the kill come back once their 1 s visibility timeout ends,
        # within the 2 s each empty-handed wait lasts; what is received stays hidden.
        after = receive_all(again, url, WaitTimeSeconds=2, VisibilityTimeout=600)
        bodies_after = {m["Body"] for m in after}
        lost = sent - received - bodies_after
        assert not lost, f"{len(lost)} acknowledged messages lost, e.g. {sorted(lost)[:5]}"
        resurrected = {m["MessageId"] for m in after} & deleted
        assert not resurrected, f"{len(resurrected)} deleted messages came back"
    finally:
        server.stop()
