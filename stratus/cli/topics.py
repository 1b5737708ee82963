"""``stratus topics``: each topic with its confirmed and pending subscriptions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from stratus.cli.client import aws_call, aws_client


def _topic_arns(client: Any) -> list[str]:
    arns: list[str] = []
    kwargs: dict[str, str] = {}
    while True:
        page = client.list_topics(**kwargs)
        arns.extend(topic["TopicArn"] for topic in page.get("Topics", []))
        if not page.get("NextToken"):
            return arns
        kwargs["NextToken"] = page["NextToken"]


def list_topics(endpoint: str) -> int:
    client = aws_client("sns", endpoint)
    arns = aws_call(endpoint, lambda: _topic_arns(client))
    if not arns:
        print("no topics")
        return 0
    rows = [("NAME", "TYPE", "CONFIRMED", "PENDING", "DISPLAY NAME")]
    for arn in arns:
        attributes = aws_call(
            endpoint, lambda a=arn: client.get_topic_attributes(TopicArn=a)["Attributes"]
        )
        rows.append(
            (
                arn.rpartition(":")[2],
                "FIFO" if attributes.get("FifoTopic") == "true" else "STANDARD",
                attributes.get("SubscriptionsConfirmed", "0"),
                attributes.get("SubscriptionsPending", "0"),
                attributes.get("DisplayName", ""),
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
