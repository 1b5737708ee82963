"""``stratus queues``: every queue with its depth (visible), in-flight and delayed messages,
and the depth of its dead-letter queue, read through the SQS API like any client."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from stratus.cli.client import aws_call, aws_client

COLUMNS = ("NAME", "VISIBLE", "IN_FLIGHT", "DELAYED", "DLQ", "DLQ_VISIBLE")


def list_queues(endpoint: str, region: str = "us-east-1") -> int:
    client = aws_client("sqs", endpoint, region)
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
