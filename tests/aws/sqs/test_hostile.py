"""Hostile input: heavy batches in a loop, oversized and malformed requests. Each gets
AWS's answer, the server keeps answering, and what was stored stays intact."""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
from typing import Any

from tests.aws.sqs.conftest import attributes, error_of, receive_all
from tests.conftest import ServerProcess


def test_batches_of_ten_256_kib_messages_in_a_loop(sqs: Any, queue: str) -> None:
    body = "b" * (256 * 1024 - 20)
    sent = 0
    for round_ in range(8):
        entries = [{"Id": f"e{i}", "MessageBody": f"{round_:04d}{i:04d}{body}"} for i in range(4)]
        result = sqs.send_message_batch(QueueUrl=queue, Entries=entries)
        assert not result["Failed"]
        sent += len(result["Successful"])
        # ten of them together exceed the 1 MiB batch limit: refused whole
        error = error_of(
            sqs.send_message_batch,
            QueueUrl=queue,
            Entries=[{"Id": f"e{i}", "MessageBody": body} for i in range(10)],
        )
        assert error["Code"] == "AWS.SimpleQueueService.BatchRequestTooLong"
    assert attributes(sqs, queue)["ApproximateNumberOfMessages"] == str(sent)
    received = receive_all(sqs, queue, VisibilityTimeout=600)
    assert len(received) == sent
    for message in received:
        assert message["MD5OfBody"] == hashlib.md5(message["Body"].encode()).hexdigest()
        assert message["Body"].endswith(body)


def raw_post(server: ServerProcess, target: str, body: bytes) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        server.endpoint,
        data=body,
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": f"AmazonSQS.{target}",
            "Authorization": "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sqs/"
            "aws4_request, SignedHeaders=host, Signature=0",
        },
    )
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_malformed_json_and_wrong_types(server: ServerProcess, sqs: Any, queue: str) -> None:
    status, answer = raw_post(server, "SendMessage", b"{not json")
    assert status == 400
    assert "SerializationException" in answer["__type"]
    status, answer = raw_post(
        server, "SendMessage", json.dumps({"QueueUrl": queue, "MessageBody": 42}).encode()
    )
    assert status == 400
    status, answer = raw_post(
        server,
        "ReceiveMessage",
        json.dumps({"QueueUrl": queue, "MaxNumberOfMessages": "ten"}).encode(),
    )
    assert status == 400
    status, answer = raw_post(server, "NoSuchThing", b"{}")
    assert status == 400
    # the queue still works
    sqs.send_message(QueueUrl=queue, MessageBody="fine")
    assert sqs.receive_message(QueueUrl=queue)["Messages"][0]["Body"] == "fine"


def test_a_rejected_batch_stores_nothing(raw_sqs: Any, queue: str) -> None:
    error = error_of(
        raw_sqs.send_message_batch,
        QueueUrl=queue,
        Entries=[{"Id": "ok", "MessageBody": "x"}, {"Id": "ok", "MessageBody": "y"}],
    )
    assert error["Code"] == "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"
    assert receive_all(raw_sqs, queue) == []


def test_missing_queue_everywhere(sqs: Any) -> None:
    url = "http://127.0.0.1:1/000000000000/does-not-exist"  # any host: the path names it
    for call, kwargs in (
        (sqs.send_message_batch, {"Entries": [{"Id": "a", "MessageBody": "x"}]}),
        (sqs.delete_message, {"ReceiptHandle": "x"}),
        (sqs.change_message_visibility, {"ReceiptHandle": "x", "VisibilityTimeout": 1}),
        (sqs.purge_queue, {}),
        (sqs.list_queue_tags, {}),
        (sqs.tag_queue, {"Tags": {"a": "b"}}),
        (sqs.set_queue_attributes, {"Attributes": {"DelaySeconds": "1"}}),
        (sqs.list_dead_letter_source_queues, {}),
    ):
        error = error_of(call, QueueUrl=url, **kwargs)
        assert error["Code"] == "AWS.SimpleQueueService.NonExistentQueue", call
        assert error["Message"] == "The specified queue does not exist."
    error = error_of(sqs.send_message, QueueUrl="http://x/not-a-queue-url", MessageBody="x")
    assert error["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
