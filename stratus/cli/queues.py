"""``stratus queues``: every queue with its depth (visible), in-flight and delayed messages,
and the depth of its dead-letter queue, read through the SQS API like any client."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import boto3
import botocore.config

from stratus.cli.client import aws_call

COLUMNS = ("NAME", "VISIBLE", "IN_FLIGHT", "DELAYED", "DLQ", "DLQ_VISIBLE")


def sqs_client(endpoint: str, region: str) -> Any:
    return boto3.client(
        "sqs",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="stratus",
        aws_secret_access_key="stratus",
        config=botocore.config.Config(retries={"max_attempts": 1}, connect_timeout=5),
    )


def list_queues(endpoint: str, region: str = "us-east-1") -> int:
    client = sqs_client(endpoint, region)
    urls: list[str] = []
    kwargs: dict[str, Any] = {"MaxResults": 1000}
    while True:
        page = aws_call(endpoint, client.list_queues, **kwargs)
        urls.extend(page.get("QueueUrls", []))
        if not page.get("NextToken"):
            break
        kwargs["NextToken"] = page["NextToken"]
    if not urls:
        print("no queues")
        return 0
    described: dict[str, dict[str, str]] = {}
    for url in urls:
        attributes = aws_call(
            endpoint, client.get_queue_attributes, QueueUrl=url, AttributeNames=["All"]
        )
        described[attributes["Attributes"]["QueueArn"]] = attributes["Attributes"]
    rows: list[tuple[str, ...]] = [COLUMNS]
    for arn, attributes in sorted(described.items()):
        dead = "-"
        dead_depth = "-"
        if attributes.get("RedrivePolicy"):
            target = json.loads(attributes["RedrivePolicy"])["deadLetterTargetArn"]
            dead = target.rsplit(":", 1)[-1]
            dead_depth = described.get(target, {}).get("ApproximateNumberOfMessages", "?")
        rows.append(
            (
                arn.rsplit(":", 1)[-1],
                attributes["ApproximateNumberOfMessages"],
                attributes["ApproximateNumberOfMessagesNotVisible"],
                attributes["ApproximateNumberOfMessagesDelayed"],
                dead,
                dead_depth,
            )
        )
    _table(rows)
    return 0


def _table(rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
