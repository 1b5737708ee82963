"""``stratus tables``: each table with its items, size, indexes, stream and TTL."""

from __future__ import annotations

from typing import Any

from stratus.cli.client import aws_call, aws_client
from stratus.cli.topics import _table


def _names(client: Any) -> list[str]:
    names: list[str] = []
    for page in client.get_paginator("list_tables").paginate():
        names.extend(page.get("TableNames", []))
    return names


def list_tables(endpoint: str, region: str) -> int:
    client = aws_client("dynamodb", endpoint, region)
    names = aws_call(endpoint, lambda: _names(client))
    if not names:
        print("no tables")
        return 0
    rows = [("NAME", "ITEMS", "SIZE", "KEYS", "INDEXES", "STREAM", "TTL")]
    for name in names:
        table = aws_call(endpoint, lambda n=name: client.describe_table(TableName=n)["Table"])
        ttl = aws_call(
            endpoint,
            lambda n=name: client.describe_time_to_live(TableName=n)["TimeToLiveDescription"],
        )
        keys = ",".join(k["AttributeName"] for k in table["KeySchema"])
        indexes = [
            f"{i['IndexName']}({i['ItemCount']})"
            for i in table.get("GlobalSecondaryIndexes", [])
            + table.get("LocalSecondaryIndexes", [])
        ]
        stream = table.get("StreamSpecification", {}).get("StreamViewType", "-")
        rows.append(
            (
                name,
                str(table["ItemCount"]),
                _size(table["TableSizeBytes"]),
                keys,
                ",".join(indexes) or "-",
                stream,
                ttl.get("AttributeName", "-") if ttl["TimeToLiveStatus"] == "ENABLED" else "-",
            )
        )
    _table(rows)
    return 0


def _size(size: int) -> str:
    if size < 1024:
        return f"{size}B"
    value = float(size)
    for unit in ("KB", "MB", "GB"):
        value /= 1024
        if value < 1024 or unit == "GB":
            break
    return f"{value:.1f}{unit}"
