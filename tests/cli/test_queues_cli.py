"""``stratus queues`` against a real server."""

from __future__ import annotations

import json

from tests.cli.test_cli import stratus
from tests.conftest import ServerProcess

REGION = "ap-southeast-2"  # a region of its own: the session server has other tests' queues


def test_queues_lists_depths(server: ServerProcess) -> None:
    sqs = server.client("sqs", region=REGION)
    assert stratus(server, "queues", "--region", REGION).stdout.strip() == "no queues"
    dlq = sqs.create_queue(QueueName="cli-dlq")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    policy = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 5})
    url = sqs.create_queue(QueueName="cli-orders", Attributes={"RedrivePolicy": policy})["QueueUrl"]
    for i in range(4):
        sqs.send_message(QueueUrl=url, MessageBody=str(i))
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=900)
    sqs.receive_message(QueueUrl=url, VisibilityTimeout=600)
    sqs.send_message(QueueUrl=dlq, MessageBody="dead")

    listing = stratus(server, "queues", "--region", REGION)
    assert listing.returncode == 0, listing.stderr
    header, *rows = (line.split() for line in listing.stdout.splitlines())
    assert header == ["NAME", "VISIBLE", "IN_FLIGHT", "DELAYED", "DLQ", "DLQ_VISIBLE"]
    assert ["cli-orders", "3", "1", "1", "cli-dlq", "1"] in rows
    assert ["cli-dlq", "1", "0", "0", "-", "-"] in rows
