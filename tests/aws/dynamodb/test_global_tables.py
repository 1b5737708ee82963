"""Global tables version 2019.11.21 through boto3 clients in two regions: UpdateTable's
ReplicaUpdates, DescribeTable's Replicas, writes replicated between the regions' tables,
AWS's refusals, and the group surviving a restart."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.aws.dynamodb.conftest import error_of, make_table
from tests.conftest import ServerProcess

WEST = "us-west-2"
EAST_ACTIVE = {"RegionName": "us-east-1", "ReplicaStatus": "ACTIVE"}
WEST_ACTIVE = {"RegionName": WEST, "ReplicaStatus": "ACTIVE"}
LOCAL = (
    "Cannot add or delete the local region through ReplicaUpdates. Use CreateTable, "
    "DeleteTable, or UpdateTable as required."
)


@pytest.fixture(scope="module")
def west(server: ServerProcess) -> Any:
    return server.client("dynamodb", region=WEST)


@pytest.fixture(scope="module")
def west_streams(server: ServerProcess) -> Any:
    return server.client("dynamodbstreams", region=WEST)


def add_replica(ddb: Any, name: str, region: str = WEST, **settings: Any) -> dict[str, Any]:
    answer = ddb.update_table(
        TableName=name, ReplicaUpdates=[{"Create": {"RegionName": region, **settings}}]
    )
    return dict(answer["TableDescription"])


def test_create_replica_describes_in_both_regions(ddb: Any, west: Any) -> None:
    name = make_table(ddb)
    ddb.put_item(TableName=name, Item={"pk": {"S": "before"}, "sk": {"S": "1"}})
    answer = add_replica(ddb, name)
    assert answer["TableStatus"] == "UPDATING"
    assert answer["GlobalTableVersion"] == "2019.11.21"
    assert answer["Replicas"] == [{"RegionName": WEST, "ReplicaStatus": "CREATING"}]
    # AWS turns the stream on for a table that gets a replica
    assert answer["StreamSpecification"] == {
        "StreamEnabled": True,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }

    source = ddb.describe_table(TableName=name)["Table"]
    assert source["TableStatus"] == "ACTIVE"
    assert source["GlobalTableVersion"] == "2019.11.21"
    # the other regions (AWS lists them only; terraform reads them as its `replica` blocks)
    assert source["Replicas"] == [WEST_ACTIVE]

    replica = west.describe_table(TableName=name)["Table"]
    assert replica["TableArn"] == f"arn:aws:dynamodb:{WEST}:000000000000:table/{name}"
    assert replica["GlobalTableVersion"] == "2019.11.21"
    assert replica["Replicas"] == [EAST_ACTIVE]
    assert replica["KeySchema"] == source["KeySchema"]
    assert replica["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert name in west.list_tables()["TableNames"]
    # the items the table had are copied into the replica
    item = west.get_item(TableName=name, Key={"pk": {"S": "before"}, "sk": {"S": "1"}})
    assert item["Item"] == {"pk": {"S": "before"}, "sk": {"S": "1"}}


def test_writes_replicate_both_ways_without_rep_attributes(ddb: Any, west: Any) -> None:
    name = make_table(
        ddb,
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        ExtraAttributes=[{"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    add_replica(ddb, name)
    key = {"pk": {"S": "a"}, "sk": {"S": "1"}}
    ddb.put_item(TableName=name, Item={**key, "g": {"S": "x"}, "n": {"N": "1"}})
    assert west.get_item(TableName=name, Key=key)["Item"] == {
        **key,
        "g": {"S": "x"},
        "n": {"N": "1"},
    }
    # the replica's index holds the replicated item
    found = west.query(
        TableName=name,
        IndexName="by-g",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "x"}},
    )
    assert found["Count"] == 1

    west.update_item(
        TableName=name,
        Key=key,
        UpdateExpression="SET n = n + :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    assert ddb.get_item(TableName=name, Key=key)["Item"]["n"] == {"N": "2"}
    assert not [a for a in ddb.get_item(TableName=name, Key=key)["Item"] if a.startswith("aws:rep")]

    ddb.batch_write_item(
        RequestItems={name: [{"PutRequest": {"Item": {"pk": {"S": "b"}, "sk": {"S": "2"}}}}]}
    )
    west.transact_write_items(
        TransactItems=[{"Put": {"TableName": name, "Item": {"pk": {"S": "c"}, "sk": {"S": "3"}}}}]
    )
    assert ddb.scan(TableName=name)["Count"] == 3
    assert west.scan(TableName=name)["Count"] == 3

    # so do PartiQL's writes
    west.execute_statement(Statement=f"INSERT INTO \"{name}\" VALUE {{'pk': 'p', 'sk': '5'}}")
    assert ddb.get_item(TableName=name, Key={"pk": {"S": "p"}, "sk": {"S": "5"}})["Item"]
    ddb.execute_statement(Statement=f"DELETE FROM \"{name}\" WHERE pk = 'p' AND sk = '5'")
    assert "Item" not in west.get_item(TableName=name, Key={"pk": {"S": "p"}, "sk": {"S": "5"}})

    # a cancelled transaction writes nowhere
    error = error_of(
        ddb.transact_write_items,
        TransactItems=[
            {"Put": {"TableName": name, "Item": {"pk": {"S": "d"}, "sk": {"S": "4"}}}},
            {
                "ConditionCheck": {
                    "TableName": name,
                    "Key": key,
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ],
    )
    assert error["Code"] == "TransactionCanceledException"
    assert "Item" not in west.get_item(TableName=name, Key={"pk": {"S": "d"}, "sk": {"S": "4"}})

    west.delete_item(TableName=name, Key=key)
    assert "Item" not in ddb.get_item(TableName=name, Key=key)
    assert ddb.describe_table(TableName=name)["Table"]["ItemCount"] == 2


def test_replica_stream_records_replicated_writes(ddb: Any, west: Any, west_streams: Any) -> None:
    name = make_table(ddb)
    add_replica(ddb, name)
    ddb.put_item(TableName=name, Item={"pk": {"S": "s"}, "sk": {"S": "1"}})
    arn = west.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    shard = west_streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    iterator = west_streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = west_streams.get_records(ShardIterator=iterator)["Records"]
    assert [r["eventName"] for r in records] == ["INSERT"]
    assert records[0]["awsRegion"] == WEST
    assert records[0]["dynamodb"]["NewImage"] == {"pk": {"S": "s"}, "sk": {"S": "1"}}


def test_three_regions_and_replica_settings(ddb: Any, west: Any, server: ServerProcess) -> None:
    eu = server.client("dynamodb", region="eu-west-1")
    name = make_table(ddb)
    add_replica(ddb, name)
    answer = add_replica(
        west,
        name,
        "eu-west-1",
        KMSMasterKeyId="alias/mine",
        TableClassOverride="STANDARD_INFREQUENT_ACCESS",
    )
    assert [r["RegionName"] for r in answer["Replicas"]] == ["eu-west-1", "us-east-1"]
    source = ddb.describe_table(TableName=name)["Table"]
    assert source["Replicas"] == [
        {
            "RegionName": "eu-west-1",
            "ReplicaStatus": "ACTIVE",
            "KMSMasterKeyId": "alias/mine",
            "ReplicaTableClassSummary": {"TableClass": "STANDARD_INFREQUENT_ACCESS"},
        },
        WEST_ACTIVE,
    ]
    third = eu.describe_table(TableName=name)["Table"]
    assert [r["RegionName"] for r in third["Replicas"]] == ["us-east-1", WEST]
    assert third["TableClassSummary"] == {"TableClass": "STANDARD_INFREQUENT_ACCESS"}
    eu.put_item(TableName=name, Item={"pk": {"S": "eu"}, "sk": {"S": "1"}})
    assert ddb.scan(TableName=name)["Count"] == west.scan(TableName=name)["Count"] == 1

    answer = ddb.update_table(
        TableName=name,
        ReplicaUpdates=[{"Update": {"RegionName": WEST, "TableClassOverride": "STANDARD"}}],
    )["TableDescription"]
    assert {r["RegionName"]: r["ReplicaStatus"] for r in answer["Replicas"]}[WEST] == "UPDATING"
    replicas = {r["RegionName"]: r for r in eu.describe_table(TableName=name)["Table"]["Replicas"]}
    assert replicas[WEST]["ReplicaTableClassSummary"] == {"TableClass": "STANDARD"}


def test_delete_replica(ddb: Any, west: Any) -> None:
    name = make_table(ddb)
    add_replica(ddb, name)
    answer = ddb.update_table(TableName=name, ReplicaUpdates=[{"Delete": {"RegionName": WEST}}])
    assert answer["TableDescription"]["Replicas"] == [
        {"RegionName": WEST, "ReplicaStatus": "DELETING"}
    ]
    assert error_of(west.describe_table, TableName=name)["Code"] == "ResourceNotFoundException"
    table = ddb.describe_table(TableName=name)["Table"]
    assert "Replicas" not in table and "GlobalTableVersion" not in table
    # the stream the replica turned on stays, and may be turned off now
    assert table["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    ddb.put_item(TableName=name, Item={"pk": {"S": "alone"}, "sk": {"S": "1"}})
    # a replica can come back, with the items of now
    add_replica(ddb, name)
    assert west.scan(TableName=name)["Count"] == 1


def test_delete_table_of_a_replica_leaves_the_group(ddb: Any, west: Any) -> None:
    name = make_table(ddb)
    add_replica(ddb, name)
    west.delete_table(TableName=name)
    assert "Replicas" not in ddb.describe_table(TableName=name)["Table"]
    ddb.put_item(TableName=name, Item={"pk": {"S": "x"}, "sk": {"S": "1"}})
    assert ddb.scan(TableName=name)["Count"] == 1


def test_refusals(ddb: Any, west: Any) -> None:
    name = make_table(ddb)
    for action in ("Create", "Update", "Delete"):
        error = error_of(
            ddb.update_table,
            TableName=name,
            ReplicaUpdates=[{action: {"RegionName": "us-east-1"}}],
        )
        assert (error["Code"], error["Message"]) == ("ValidationException", LOCAL)
    missing = (
        "Replica specified in the Replica Update or Replica Delete action of the request was "
        "not found."
    )
    for action in ("Update", "Delete"):
        error = error_of(
            ddb.update_table, TableName=name, ReplicaUpdates=[{action: {"RegionName": WEST}}]
        )
        assert (error["Code"], error["Message"]) == ("ValidationException", missing)
    # a table of that name in the region already
    west.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    exists = (
        f"Failed to create a the new replica of table with name: '{name}' because one or more "
        "replicas already existed as tables."
    )
    error = error_of(
        ddb.update_table, TableName=name, ReplicaUpdates=[{"Create": {"RegionName": WEST}}]
    )
    assert (error["Code"], error["Message"]) == ("ValidationException", exists)
    table = ddb.describe_table(TableName=name)["Table"]
    assert "Replicas" not in table and "StreamSpecification" not in table
    assert west.describe_table(TableName=name)["Table"]["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"}
    ]

    other = make_table(ddb)
    add_replica(ddb, other)
    error = error_of(
        west.update_table, TableName=other, ReplicaUpdates=[{"Create": {"RegionName": "us-east-1"}}]
    )
    assert (error["Code"], error["Message"]) == ("ValidationException", exists.replace(name, other))

    missing_table = error_of(
        ddb.update_table, TableName="nope-nope", ReplicaUpdates=[{"Create": {"RegionName": WEST}}]
    )
    assert missing_table["Code"] == "ResourceNotFoundException"


def test_a_keys_only_stream_stays_and_replicates(ddb: Any, west: Any, west_streams: Any) -> None:
    """AWS keeps a stream of another view type than NEW_AND_OLD_IMAGES (and replicates)."""
    name = make_table(
        ddb, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    )
    add_replica(ddb, name)
    spec = ddb.describe_table(TableName=name)["Table"]["StreamSpecification"]
    assert spec == {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    ddb.put_item(TableName=name, Item={"pk": {"S": "k"}, "sk": {"S": "1"}, "v": {"S": "x"}})
    assert west.get_item(TableName=name, Key={"pk": {"S": "k"}, "sk": {"S": "1"}})["Item"]["v"] == {
        "S": "x"
    }
    arn = west.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    shard = west_streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    iterator = west_streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    (record,) = west_streams.get_records(ShardIterator=iterator)["Records"]
    assert "NewImage" not in record["dynamodb"]
    assert record["dynamodb"]["Keys"] == {"pk": {"S": "k"}, "sk": {"S": "1"}}


def test_refused_update_changes_nothing(ddb: Any, west: Any) -> None:
    name = make_table(ddb)
    add_replica(ddb, name)
    error = error_of(
        ddb.update_table,
        TableName=name,
        DeletionProtectionEnabled=True,
        ReplicaUpdates=[{"Delete": {"RegionName": "eu-central-1"}}],
    )
    assert error["Code"] == "ValidationException"
    assert ddb.describe_table(TableName=name)["Table"]["DeletionProtectionEnabled"] is False
    stream = error_of(
        ddb.update_table, TableName=name, StreamSpecification={"StreamEnabled": False}
    )
    assert (stream["Code"], stream["Message"]) == (
        "ValidationException",
        "One or more parameter values were invalid: Disabling Stream is not allowed for a Global "
        "Table replica.",
    )
    assert ddb.describe_table(TableName=name)["Table"]["StreamSpecification"]["StreamEnabled"]
    # a protected replica is not dropped
    west.update_table(TableName=name, DeletionProtectionEnabled=True)
    error = error_of(
        ddb.update_table, TableName=name, ReplicaUpdates=[{"Delete": {"RegionName": WEST}}]
    )
    assert error["Code"] == "ValidationException"
    assert "protected against deletion" in error["Message"]
    assert ddb.describe_table(TableName=name)["Table"]["Replicas"] == [WEST_ACTIVE]


def test_group_survives_restart(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        east, west = server.client("dynamodb"), server.client("dynamodb", region=WEST)
        name = make_table(east)
        add_replica(east, name)
        east.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"S": "1"}})
        server.stop()
        server.start()
        east, west = server.client("dynamodb"), server.client("dynamodb", region=WEST)
        assert west.describe_table(TableName=name)["Table"]["Replicas"] == [EAST_ACTIVE]
        assert east.describe_table(TableName=name)["Table"]["GlobalTableVersion"] == "2019.11.21"
        assert west.scan(TableName=name)["Count"] == 1
        west.put_item(TableName=name, Item={"pk": {"S": "b"}, "sk": {"S": "2"}})
        assert east.scan(TableName=name)["Count"] == 2
    finally:
        server.stop()


def test_indexes_ttl_and_capacity_mode_are_the_same_everywhere(ddb: Any, west: Any) -> None:
    name = make_table(ddb)
    add_replica(ddb, name)
    west.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "g": {"S": "x"}})
    ddb.update_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[
            {
                "Create": {
                    "IndexName": "by-g",
                    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                }
            }
        ],
    )
    found = west.query(
        TableName=name,
        IndexName="by-g",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "x"}},
    )
    assert found["Items"] == [{"pk": {"S": "a"}, "sk": {"S": "1"}, "g": {"S": "x"}}]
    west.update_table(
        TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-g"}}]
    )
    assert "GlobalSecondaryIndexes" not in ddb.describe_table(TableName=name)["Table"]

    west.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"}
    )
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED",
        "AttributeName": "expires",
    }

    ddb.update_table(
        TableName=name,
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4},
    )
    throughput = west.describe_table(TableName=name)["Table"]["ProvisionedThroughput"]
    assert (throughput["ReadCapacityUnits"], throughput["WriteCapacityUnits"]) == (3, 4)


def test_writes_racing_the_replica_creation_all_arrive(
    ddb: Any, west: Any, server: ServerProcess
) -> None:
    name = make_table(ddb)
    for i in range(200):
        ddb.put_item(TableName=name, Item={"pk": {"S": f"old{i}"}, "sk": {"S": "1"}})
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        client = server.client("dynamodb")
        i = 0
        while not stop.is_set():
            client.put_item(TableName=name, Item={"pk": {"S": f"new{i}"}, "sk": {"S": "1"}})
            client.delete_item(TableName=name, Key={"pk": {"S": f"old{i}"}, "sk": {"S": "1"}})
            i += 1
        written.append(i)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        add_replica(ddb, name)
    finally:
        time.sleep(0.2)
        stop.set()
        thread.join()
    assert written[0] > 0

    def everything(client: Any) -> list[dict[str, Any]]:
        pages = client.get_paginator("scan").paginate(TableName=name)
        return sorted((i for p in pages for i in p["Items"]), key=lambda i: i["pk"]["S"])

    assert everything(west) == everything(ddb)
    assert len(everything(ddb)) == max(200, written[0])


def test_actions_of_one_request_are_checked_in_order(
    ddb: Any, west: Any, server: ServerProcess
) -> None:
    eu = server.client("dynamodb", region="eu-west-1")
    name = make_table(ddb)
    error = error_of(
        ddb.update_table,
        TableName=name,
        ReplicaUpdates=[
            {"Create": {"RegionName": WEST}},
            {"Create": {"RegionName": WEST}},
        ],
    )
    assert (error["Code"], error["Message"]) == (
        "ValidationException",
        f"Failed to create a the new replica of table with name: '{name}' because one or more "
        "replicas already existed as tables.",
    )
    assert error_of(west.describe_table, TableName=name)["Code"] == "ResourceNotFoundException"
    assert "Replicas" not in ddb.describe_table(TableName=name)["Table"]

    answer = ddb.update_table(
        TableName=name,
        ReplicaUpdates=[
            {"Create": {"RegionName": WEST}},
            {"Create": {"RegionName": "eu-west-1"}},
        ],
    )["TableDescription"]
    assert {r["RegionName"]: r["ReplicaStatus"] for r in answer["Replicas"]} == {
        "eu-west-1": "CREATING",
        WEST: "CREATING",
    }
    assert [r["RegionName"] for r in eu.describe_table(TableName=name)["Table"]["Replicas"]] == [
        "us-east-1",
        WEST,
    ]
