"""Query and Scan: pagination, indexes (GSI and LSI, projections, backfill), segments;
batches and transactions; streams and TTL."""

from __future__ import annotations

import threading
import time
from typing import Any

from tests.aws.dynamodb.conftest import error_of, make_table

GSI_ATTRS = [
    {"AttributeName": "g", "AttributeType": "S"},
    {"AttributeName": "n", "AttributeType": "N"},
]


def _indexed(ddb: Any, **extra: Any) -> str:
    return make_table(
        ddb,
        ExtraAttributes=GSI_ATTRS,
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [
                    {"AttributeName": "g", "KeyType": "HASH"},
                    {"AttributeName": "n", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            },
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "by-n",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "n", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["extra"]},
            },
        ],
        **extra,
    )


def test_query_pagination_and_limit(ddb: Any, table: str) -> None:
    for i in range(25):
        ddb.put_item(TableName=table, Item={"pk": {"S": "p"}, "sk": {"S": f"{i:03d}"}})
    pages = list(
        ddb.get_paginator("query").paginate(
            TableName=table,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "p"}},
            PaginationConfig={"PageSize": 10},
        )
    )
    assert [p["Count"] for p in pages] == [10, 10, 5]
    assert [i["sk"]["S"] for p in pages for i in p["Items"]] == [f"{i:03d}" for i in range(25)]
    back = list(
        ddb.get_paginator("query").paginate(
            TableName=table,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "p"}},
            ScanIndexForward=False,
            PaginationConfig={"PageSize": 7},
        )
    )
    assert [i["sk"]["S"] for p in back for i in p["Items"]] == [
        f"{i:03d}" for i in reversed(range(25))
    ]
    scanned = list(
        ddb.get_paginator("scan").paginate(TableName=table, PaginationConfig={"PageSize": 4})
    )
    assert sum(p["Count"] for p in scanned) == 25


def test_one_megabyte_pages(ddb: Any, table: str) -> None:
    for i in range(6):
        ddb.put_item(
            TableName=table,
            Item={"pk": {"S": "mb"}, "sk": {"S": str(i)}, "v": {"S": "x" * 300_000}},
        )
    first = ddb.query(
        TableName=table,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "mb"}},
    )
    assert first["Count"] == 4 and "LastEvaluatedKey" in first


def test_parallel_scan_segments_cover_the_table(ddb: Any, table: str) -> None:
    for i in range(40):
        ddb.put_item(TableName=table, Item={"pk": {"S": f"s{i}"}, "sk": {"S": "1"}})
    seen: list[str] = []
    for segment in range(3):
        for page in ddb.get_paginator("scan").paginate(
            TableName=table, Segment=segment, TotalSegments=3
        ):
            seen.extend(i["pk"]["S"] for i in page["Items"])
    assert sorted(seen) == sorted(f"s{i}" for i in range(40))


def test_indexes_global_and_local(ddb: Any) -> None:
    name = _indexed(ddb)
    for i in range(5):
        ddb.put_item(
            TableName=name,
            Item={
                "pk": {"S": "a"},
                "sk": {"S": str(i)},
                "g": {"S": "G"},
                "n": {"N": str(10 - i)},
                "extra": {"S": "e"},
                "other": {"S": "o"},
            },
        )
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"S": "sparse"}})  # no index keys
    got = ddb.query(
        TableName=name,
        IndexName="by-g",
        KeyConditionExpression="g = :g AND n > :n",
        ExpressionAttributeValues={":g": {"S": "G"}, ":n": {"N": "6"}},
    )
    assert [i["n"]["N"] for i in got["Items"]] == ["7", "8", "9", "10"]
    assert set(got["Items"][0]) == {"pk", "sk", "g", "n"}  # KEYS_ONLY
    page = ddb.query(
        TableName=name,
        IndexName="by-g",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "G"}},
        Limit=2,
    )
    assert set(page["LastEvaluatedKey"]) == {"pk", "sk", "g", "n"}
    rest = ddb.query(
        TableName=name,
        IndexName="by-g",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "G"}},
        ExclusiveStartKey=page["LastEvaluatedKey"],
    )
    assert rest["Count"] == 3
    local = ddb.query(
        TableName=name,
        IndexName="by-n",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "a"}},
    )
    assert [i["n"]["N"] for i in local["Items"]] == ["6", "7", "8", "9", "10"]
    assert set(local["Items"][0]) == {"pk", "sk", "n", "extra"}
    # an update moving an item in the index, then a delete removing it
    ddb.update_item(
        TableName=name,
        Key={"pk": {"S": "a"}, "sk": {"S": "0"}},
        UpdateExpression="SET n = :n",
        ExpressionAttributeValues={":n": {"N": "1"}},
    )
    ddb.delete_item(TableName=name, Key={"pk": {"S": "a"}, "sk": {"S": "1"}})
    got = ddb.query(
        TableName=name,
        IndexName="by-g",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "G"}},
    )
    assert [i["n"]["N"] for i in got["Items"]] == ["1", "6", "7", "8"]
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["GlobalSecondaryIndexes"][0]["ItemCount"] == 4
    err = error_of(
        ddb.put_item, TableName=name, Item={"pk": {"S": "a"}, "sk": {"S": "x"}, "g": {"N": "1"}}
    )
    assert (
        err["Message"]
        == "One or more parameter values were invalid: Type mismatch for Index Key g Expected: S Actual: N IndexName: by-g"
    )


def test_update_table_adds_gsi_with_backfill_and_deletes_it(ddb: Any, table: str) -> None:
    for i in range(3):
        ddb.put_item(
            TableName=table, Item={"pk": {"S": f"p{i}"}, "sk": {"S": "1"}, "email": {"S": f"e{i}"}}
        )
    ddb.update_table(
        TableName=table,
        AttributeDefinitions=[{"AttributeName": "email", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[
            {
                "Create": {
                    "IndexName": "by-email",
                    "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            }
        ],
    )
    got = ddb.query(
        TableName=table,
        IndexName="by-email",
        KeyConditionExpression="email = :e",
        ExpressionAttributeValues={":e": {"S": "e1"}},
    )
    assert got["Items"][0]["pk"] == {"S": "p1"}
    ddb.update_table(
        TableName=table, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-email"}}]
    )
    assert "GlobalSecondaryIndexes" not in ddb.describe_table(TableName=table)["Table"]


def test_batch_write_and_get(ddb: Any, table: str) -> None:
    ddb.batch_write_item(
        RequestItems={
            table: [
                {"PutRequest": {"Item": {"pk": {"S": f"b{i}"}, "sk": {"S": "1"}}}}
                for i in range(25)
            ]
        }
    )
    got = ddb.batch_get_item(
        RequestItems={
            table: {"Keys": [{"pk": {"S": f"b{i}"}, "sk": {"S": "1"}} for i in range(30)]}
        }
    )
    assert len(got["Responses"][table]) == 25 and got["UnprocessedKeys"] == {}
    err = error_of(
        ddb.batch_write_item,
        RequestItems={
            table: [{"DeleteRequest": {"Key": {"pk": {"S": "b1"}, "sk": {"S": "1"}}}}] * 2
        },
    )
    assert err["Message"] == "Provided list of item keys contains duplicates"
    ddb.batch_write_item(
        RequestItems={
            table: [
                {"DeleteRequest": {"Key": {"pk": {"S": f"b{i}"}, "sk": {"S": "1"}}}}
                for i in range(25)
            ]
        }
    )
    assert ddb.scan(TableName=table)["Count"] == 0


def test_transactions_all_or_nothing(ddb: Any, table: str) -> None:
    k1, k2 = {"pk": {"S": "t1"}, "sk": {"S": "1"}}, {"pk": {"S": "t2"}, "sk": {"S": "1"}}
    ddb.put_item(TableName=table, Item={**k1, "n": {"N": "1"}})
    err = error_of(
        ddb.transact_write_items,
        TransactItems=[
            {
                "Update": {
                    "TableName": table,
                    "Key": k1,
                    "UpdateExpression": "SET n = n + :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
            {
                "Put": {
                    "TableName": table,
                    "Item": k2,
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
        ],
    )
    assert err["Code"] == "TransactionCanceledException"
    assert (
        err["Message"]
        == "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]"
    )
    assert [r["Code"] for r in err["_response"]["CancellationReasons"]] == [
        "None",
        "ConditionalCheckFailed",
    ]
    assert ddb.get_item(TableName=table, Key=k1)["Item"]["n"] == {"N": "1"}
    items = [
        {
            "Update": {
                "TableName": table,
                "Key": k1,
                "UpdateExpression": "SET n = n + :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        },
        {"Put": {"TableName": table, "Item": k2}},
        {
            "ConditionCheck": {
                "TableName": table,
                "Key": {"pk": {"S": "t3"}, "sk": {"S": "1"}},
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        },
    ]
    ddb.transact_write_items(TransactItems=items, ClientRequestToken="tok-1")
    ddb.transact_write_items(
        TransactItems=items, ClientRequestToken="tok-1"
    )  # idempotent: applied once
    got = ddb.transact_get_items(
        TransactItems=[
            {"Get": {"TableName": table, "Key": k1}},
            {"Get": {"TableName": table, "Key": k2}},
        ]
    )
    assert got["Responses"][0]["Item"]["n"] == {"N": "2"} and got["Responses"][1]["Item"] == k2
    err = error_of(ddb.transact_write_items, TransactItems=items[:1], ClientRequestToken="tok-1")
    assert err["Code"] == "IdempotentParameterMismatchException"
    err = error_of(
        ddb.transact_write_items,
        TransactItems=[
            {"Put": {"TableName": table, "Item": k1}},
            {"Delete": {"TableName": table, "Key": k1}},
        ],
    )
    assert err["Message"] == "Transaction request cannot include multiple operations on one item"


def test_concurrent_conflicting_transactions_serialize(server: Any, table: str) -> None:
    key = {"pk": {"S": "counter"}, "sk": {"S": "1"}}
    server.client("dynamodb").put_item(TableName=table, Item={**key, "n": {"N": "0"}})
    outcomes: list[str] = []

    def worker() -> None:
        client = server.client("dynamodb")
        for _ in range(10):
            current = client.get_item(TableName=table, Key=key)["Item"]["n"]
            try:
                client.transact_write_items(
                    TransactItems=[
                        {
                            "Update": {
                                "TableName": table,
                                "Key": key,
                                "UpdateExpression": "SET n = n + :one",
                                "ConditionExpression": "n = :seen",
                                "ExpressionAttributeValues": {":one": {"N": "1"}, ":seen": current},
                            }
                        }
                    ]
                )
                outcomes.append("ok")
            except client.exceptions.TransactionCanceledException:
                outcomes.append("lost")

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    final = server.client("dynamodb").get_item(TableName=table, Key=key)["Item"]["n"]["N"]
    assert int(final) == outcomes.count("ok")  # no lost update


def _records(streams: Any, arn: str) -> list[dict[str, Any]]:
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    return list(streams.get_records(ShardIterator=iterator)["Records"])


def test_stream_records_every_view_type(ddb: Any, streams: Any) -> None:
    expected = {
        "KEYS_ONLY": (set(), set()),
        "NEW_IMAGE": ({"NewImage"}, set()),
        "OLD_IMAGE": (set(), {"OldImage"}),
        "NEW_AND_OLD_IMAGES": ({"NewImage"}, {"OldImage"}),
    }
    for view, (on_insert, on_remove) in expected.items():
        name = make_table(ddb, StreamSpecification={"StreamEnabled": True, "StreamViewType": view})
        key = {"pk": {"S": "s"}, "sk": {"S": "1"}}
        ddb.put_item(TableName=name, Item={**key, "v": {"N": "1"}})
        ddb.put_item(TableName=name, Item={**key, "v": {"N": "1"}})  # no change: no record
        ddb.update_item(
            TableName=name,
            Key=key,
            UpdateExpression="SET v = :v",
            ExpressionAttributeValues={":v": {"N": "2"}},
        )
        ddb.delete_item(TableName=name, Key=key)
        arn = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
        assert any(s["StreamArn"] == arn for s in streams.list_streams(TableName=name)["Streams"])
        records = _records(streams, arn)
        assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
        assert [int(r["dynamodb"]["SequenceNumber"]) for r in records] == sorted(
            int(r["dynamodb"]["SequenceNumber"]) for r in records
        )
        first = records[0]
        assert first["eventSource"] == "aws:dynamodb" and first["awsRegion"] == "us-east-1"
        assert first["dynamodb"]["Keys"] == key and first["dynamodb"]["StreamViewType"] == view
        assert {"NewImage", "OldImage"} & set(first["dynamodb"]) == on_insert
        assert {"NewImage", "OldImage"} & set(records[2]["dynamodb"]) == on_remove


def test_stream_iterator_types(ddb: Any, streams: Any) -> None:
    name = make_table(
        ddb, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    )
    for i in range(3):
        ddb.put_item(TableName=name, Item={"pk": {"S": str(i)}, "sk": {"S": "1"}})
    arn = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    records = _records(streams, arn)
    second = records[1]["dynamodb"]["SequenceNumber"]
    for kind, count in (("AT_SEQUENCE_NUMBER", 2), ("AFTER_SEQUENCE_NUMBER", 1)):
        it = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType=kind, SequenceNumber=second
        )["ShardIterator"]
        assert len(streams.get_records(ShardIterator=it)["Records"]) == count
    latest = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="LATEST"
    )["ShardIterator"]
    assert streams.get_records(ShardIterator=latest)["Records"] == []
    ddb.put_item(TableName=name, Item={"pk": {"S": "late"}, "sk": {"S": "1"}})
    assert len(streams.get_records(ShardIterator=latest)["Records"]) == 1


def test_ttl_expires_items_with_service_stream_records(ddb: Any, streams: Any) -> None:
    name = make_table(
        ddb, StreamSpecification={"StreamEnabled": True, "StreamViewType": "OLD_IMAGE"}
    )
    ddb.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"}
    )
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED",
        "AttributeName": "expires",
    }
    now = int(time.time())
    ddb.put_item(
        TableName=name, Item={"pk": {"S": "old"}, "sk": {"S": "1"}, "expires": {"N": str(now - 10)}}
    )
    ddb.put_item(
        TableName=name,
        Item={"pk": {"S": "new"}, "sk": {"S": "1"}, "expires": {"N": str(now + 3600)}},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and ddb.scan(TableName=name)["Count"] != 1:
        time.sleep(0.2)
    assert [i["pk"]["S"] for i in ddb.scan(TableName=name)["Items"]] == ["new"]
    arn = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    removal = [r for r in _records(streams, arn) if r["eventName"] == "REMOVE"]
    assert removal[0]["userIdentity"] == {
        "Type": "Service",
        "PrincipalId": "dynamodb.amazonaws.com",
    }
