"""``stratus tables`` against a real server."""

from __future__ import annotations

import uuid

from tests.cli.test_cli import stratus
from tests.conftest import ServerProcess


def test_tables_lists_items_indexes_stream_and_ttl(server: ServerProcess) -> None:
    ddb = server.client("dynamodb")
    name = f"cli-{uuid.uuid4().hex[:8]}"
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "g", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )
    ddb.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"}
    )
    for i in range(3):
        ddb.put_item(TableName=name, Item={"pk": {"S": str(i)}, "g": {"S": "x"}})
    listing = stratus(server, "tables")
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert lines[0].split() == ["NAME", "ITEMS", "SIZE", "KEYS", "INDEXES", "STREAM", "TTL"]
    row = next(line for line in lines if line.startswith(name))
    assert row.split() == [name, "3", "15B", "pk", "by-g(3)", "NEW_IMAGE", "exp"]
