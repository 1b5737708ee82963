"""What S3 acknowledged survives ``kill -9``: every object whose PUT (or multipart
completion) was answered is there after a restart with its bytes matching its ETag, and
the notification of every acknowledged PUT reaches its queue."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from pathlib import Path

import botocore.exceptions

from tests.conftest import ServerProcess

_GONE = (
    botocore.exceptions.EndpointConnectionError,
    botocore.exceptions.ConnectionClosedError,
    botocore.exceptions.ReadTimeoutError,
    ConnectionError,
)


def test_acknowledged_objects_survive_kill_9(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    s3 = server.client("s3", read_timeout=10, connect_timeout=2)
    sqs = server.client("sqs", read_timeout=10, connect_timeout=2)
    url = sqs.create_queue(QueueName="events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    s3.create_bucket(Bucket="durable")
    s3.put_bucket_notification_configuration(
        Bucket="durable",
        NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]
        },
    )
    acknowledged: dict[str, str] = {}  # key -> ETag answered
    stop = threading.Event()

    def produce(worker: int) -> None:
        client = server.client("s3", read_timeout=10, connect_timeout=2)
        i = 0
        while not stop.is_set():
            key = f"w{worker}/{i:05d}"
            size = (1024, 64 * 1024, 1024 * 1024)[i % 3]
            body = os.urandom(size)
            try:
                etag = client.put_object(Bucket="durable", Key=key, Body=body)["ETag"]
            except _GONE:
                return
            assert etag == f'"{hashlib.md5(body).hexdigest()}"'
            acknowledged[key] = etag
            i += 1

    threads = [threading.Thread(target=produce, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 150 and time.monotonic() < deadline:
        time.sleep(0.01)
    server.kill()
    stop.set()
    for thread in threads:
        thread.join(10)
    assert len(acknowledged) >= 30, server.log()

    restarted = ServerProcess(server.data_dir)
    restarted.port, restarted.gateway_port = server.port, server.gateway_port
    restarted.start()
    try:
        s3 = restarted.client("s3")
        for key, etag in list(acknowledged.items()):
            got = s3.get_object(Bucket="durable", Key=key)
            assert got["ETag"] == etag
            assert f'"{hashlib.md5(got["Body"].read()).hexdigest()}"' == etag, key
        # Nothing half-written is left behind: every stored file is an object's.
        files = [p for p in (server.data_dir / "objects").rglob("*") if p.is_file()]
        listed = s3.list_objects_v2(Bucket="durable", MaxKeys=1000)
        keys = {o["Key"] for o in listed.get("Contents", [])}
        assert keys >= set(acknowledged)
        assert len(files) == len(keys) or len(files) == listed["KeyCount"]
        # Every acknowledged PUT's notification arrives (at least once).
        sqs = restarted.client("sqs")
        notified: set[str] = set()
        deadline = time.monotonic() + 30
        while not set(acknowledged) <= notified and time.monotonic() < deadline:
            for message in sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1
            ).get("Messages", []):
                for record in json.loads(message["Body"]).get("Records", []):
                    notified.add(record["s3"]["object"]["key"])
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        assert set(acknowledged) <= notified
    finally:
        restarted.stop()
