"""Bucket notifications through the shared outbox loop: a target that fails is retried
(with backoff) until it takes the event, while the bucket's other targets are served
meanwhile; nothing is lost and nothing is sent twice once delivered."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.aws.s3.conftest import unique
from tests.conftest import ServerProcess


@pytest.fixture(scope="module")
def sqs(server: ServerProcess) -> Any:
    return server.client("sqs")


def _queue(sqs: Any, name: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn


def _keys(sqs: Any, url: str, want: int, timeout: float = 30.0) -> list[str]:
    """Object keys of the notifications received (test events skipped)."""
    keys: list[str] = []
    deadline = time.monotonic() + timeout
    while len(keys) < want and time.monotonic() < deadline:
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in answer.get("Messages", []):
            body = json.loads(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            if "Records" in body:
                keys.extend(r["s3"]["object"]["key"] for r in body["Records"])
    return keys


def test_a_missing_queue_is_retried_until_it_exists(s3: Any, sqs: Any) -> None:
    bucket = unique()
    s3.create_bucket(Bucket=bucket)
    flaky_name = unique("flaky")
    flaky_url, flaky_arn = _queue(sqs, flaky_name)
    steady_url, steady_arn = _queue(sqs, unique("steady"))
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "Id": "flaky",
                    "QueueArn": flaky_arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "a/"}]}},
                },
                {
                    "Id": "steady",
                    "QueueArn": steady_arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "b/"}]}},
                },
            ]
        },
    )
    sqs.delete_queue(QueueUrl=flaky_url)  # the notifications to it now fail
    s3.put_object(Bucket=bucket, Key="a/1", Body=b"x")
    for n in range(5):
        s3.put_object(Bucket=bucket, Key=f"b/{n}", Body=b"x")
    # the other target is served while the first is being retried
    assert sorted(_keys(sqs, steady_url, 5)) == [f"b/{n}" for n in range(5)]
    time.sleep(1.5)  # at least one failed attempt and its retry
    flaky_url, _ = _queue(sqs, flaky_name)
    assert _keys(sqs, flaky_url, 1) == ["a/1"]
    s3.put_object(Bucket=bucket, Key="a/2", Body=b"x")
    assert _keys(sqs, flaky_url, 1) == ["a/2"]
    # delivered once: nothing more arrives on either queue
    assert _keys(sqs, flaky_url, 1, timeout=2) == []
    assert _keys(sqs, steady_url, 1, timeout=1) == []
