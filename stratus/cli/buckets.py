"""``stratus buckets``: each bucket with its objects, bytes, versioning and notification
targets; ``stratus buckets NAME`` lists a bucket's objects."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from stratus.cli.client import aws_call, aws_client

_COUNT_LIMIT = 100_000  # past this many keys the listing says "100000+" rather than wait


def _size(count: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} TB"


def _usage(client: Any, bucket: str) -> tuple[str, int]:
    objects = size = 0
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            objects += 1
            size += item["Size"]
        if objects >= _COUNT_LIMIT:
            return f"{objects}+", size
    return str(objects), size


def _targets(config: dict[str, Any]) -> str:
    kinds = [
        ("LambdaFunctionConfigurations", "lambda"),
        ("QueueConfigurations", "sqs"),
        ("TopicConfigurations", "sns"),
    ]
    parts = [f"{len(config[name])} {label}" for name, label in kinds if config.get(name)]
    if "EventBridgeConfiguration" in config:
        parts.append("eventbridge")
    return ", ".join(parts) or "-"


def list_buckets(endpoint: str) -> int:
    client = aws_client("s3", endpoint)
    buckets = aws_call(endpoint, lambda: client.list_buckets()["Buckets"])
    if not buckets:
        print("no buckets")
        return 0
    rows = [("NAME", "REGION", "OBJECTS", "SIZE", "VERSIONING", "NOTIFICATIONS")]
    for bucket in buckets:
        name = bucket["Name"]
        objects, size = aws_call(endpoint, lambda n=name: _usage(client, n))
        versioning = aws_call(endpoint, lambda n=name: client.get_bucket_versioning(Bucket=n))
        notifications = aws_call(
            endpoint, lambda n=name: client.get_bucket_notification_configuration(Bucket=n)
        )
        rows.append(
            (
                name,
                bucket.get("BucketRegion", ""),
                objects,
                _size(size),
                versioning.get("Status", "-"),
                _targets(notifications),
            )
        )
    _table(rows)
    return 0


def list_objects(endpoint: str, bucket: str, prefix: str) -> int:
    client = aws_client("s3", endpoint)
    page = aws_call(
        endpoint, lambda: client.list_objects_v2(Bucket=bucket, Prefix=prefix, MaxKeys=1000)
    )
    contents = page.get("Contents", [])
    if not contents:
        print("no objects")
        return 0
    rows = [("KEY", "SIZE", "LAST MODIFIED", "ETAG")]
    for item in contents:
        rows.append(
            (
                item["Key"],
                _size(item["Size"]),
                item["LastModified"].strftime("%Y-%m-%d %H:%M:%S"),
                item["ETag"].strip('"'),
            )
        )
    _table(rows)
    if page.get("IsTruncated"):
        print("(first 1000 keys; narrow with --prefix)")
    return 0


def _table(rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
