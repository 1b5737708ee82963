"""The legacy global table operations (version 2017.11.29, which AWS creates no more) and
replica auto scaling settings, through boto3 clients in two regions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.aws.dynamodb.conftest import error_of, make_table
from tests.conftest import ServerProcess

WEST = "us-west-2"
ROLE = (
    "arn:aws:iam::000000000000:role/aws-service-role/dynamodb.application-autoscaling."
    "amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"
)
DISABLED = {"AutoScalingDisabled": True}


@pytest.fixture(scope="module")
def west(server: ServerProcess) -> Any:
    return server.client("dynamodb", region=WEST)


def provisioned(ddb: Any, **extra: Any) -> str:
    name = make_table(ddb, **extra)
    ddb.update_table(
        TableName=name,
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
    )
    return name


def replicate(ddb: Any, name: str) -> None:
    ddb.update_table(TableName=name, ReplicaUpdates=[{"Create": {"RegionName": WEST}}])


# -- version 2017.11.29 (Legacy) ------------------------------------------------------------
def test_create_global_table_is_refused_as_aws_does(ddb: Any, west: Any) -> None:
    name = make_table(
        ddb, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    )
    error = error_of(
        ddb.create_global_table,
        GlobalTableName=name,
        ReplicationGroup=[{"RegionName": "us-east-1"}, {"RegionName": WEST}],
    )
    assert (error["Code"], error["Message"]) == (
        "ValidationException",
        "DynamoDB global tables version 2017.11.29 is not supported. We recommend using "
        "DynamoDB global tables version 2019.11.21, instead of version 2017.11.29 (Legacy).",
    )
    assert "Replicas" not in ddb.describe_table(TableName=name)["Table"]
    listed = ddb.list_global_tables()
    assert listed["GlobalTables"] == [] and "LastEvaluatedGlobalTableName" not in listed


def test_legacy_operations_see_no_global_table(ddb: Any, west: Any) -> None:
    name = make_table(ddb)
    replicate(ddb, name)  # a 2019.11.21 global table: invisible to the legacy operations
    message = f"Global table with name '{name}' does not exist."
    calls: list[tuple[Any, dict[str, Any]]] = [
        (ddb.describe_global_table, {"GlobalTableName": name}),
        (
            ddb.update_global_table,
            {"GlobalTableName": name, "ReplicaUpdates": [{"Delete": {"RegionName": WEST}}]},
        ),
        (ddb.describe_global_table_settings, {"GlobalTableName": name}),
        (
            ddb.update_global_table_settings,
            {"GlobalTableName": name, "GlobalTableBillingMode": "PAY_PER_REQUEST"},
        ),
    ]
    for call, kwargs in calls:
        error = error_of(call, **kwargs)
        assert (error["Code"], error["Message"]) == ("GlobalTableNotFoundException", message)
        assert error["_response"]["ResponseMetadata"]["HTTPStatusCode"] == 400
    for kwargs in ({}, {"RegionName": WEST}, {"ExclusiveStartGlobalTableName": "abc", "Limit": 5}):
        assert west.list_global_tables(**kwargs)["GlobalTables"] == []
    # the replica is untouched by the refused legacy calls
    assert [r["RegionName"] for r in ddb.describe_table(TableName=name)["Table"]["Replicas"]] == [
        WEST
    ]


def test_legacy_bad_input_is_the_model_s(server: ServerProcess) -> None:
    raw = server.client("dynamodb", parameter_validation=False)
    error = error_of(raw.list_global_tables, Limit=0)
    assert (error["Code"], error["Message"]) == (
        "ValidationException",
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1",
    )
    error = error_of(raw.describe_global_table, GlobalTableName="ab")
    assert error["Code"] == "ValidationException"


# -- replica auto scaling -------------------------------------------------------------------
def test_describe_without_settings(ddb: Any, west: Any) -> None:
    name = provisioned(ddb)
    answer = ddb.describe_table_replica_auto_scaling(TableName=name)["TableAutoScalingDescription"]
    assert answer == {
        "TableName": name,
        "TableStatus": "ACTIVE",
        "Replicas": [
            {
                "RegionName": "us-east-1",
                "GlobalSecondaryIndexes": [],
                "ReplicaProvisionedReadCapacityAutoScalingSettings": DISABLED,
                "ReplicaProvisionedWriteCapacityAutoScalingSettings": DISABLED,
                "ReplicaStatus": "ACTIVE",
            }
        ],
    }
    error = error_of(ddb.describe_table_replica_auto_scaling, TableName="missing-table")
    assert (error["Code"], error["Message"]) == (
        "ResourceNotFoundException",
        "Requested resource not found: Table: missing-table not found",
    )


def test_update_write_and_per_replica_read_settings(ddb: Any, west: Any) -> None:
    name = provisioned(
        ddb,
        ExtraAttributes=[{"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    replicate(ddb, name)
    write = {
        "MinimumUnits": 5,
        "MaximumUnits": 50,
        "ScalingPolicyUpdate": {"TargetTrackingScalingPolicyConfiguration": {"TargetValue": 70.0}},
    }
    answer = ddb.update_table_replica_auto_scaling(
        TableName=name,
        ProvisionedWriteCapacityAutoScalingUpdate=write,
        GlobalSecondaryIndexUpdates=[
            {
                "IndexName": "by-g",
                "ProvisionedWriteCapacityAutoScalingUpdate": {"MinimumUnits": 1, "MaximumUnits": 9},
            }
        ],
        ReplicaUpdates=[
            {
                "RegionName": WEST,
                "ReplicaProvisionedReadCapacityAutoScalingUpdate": {
                    "MinimumUnits": 2,
                    "MaximumUnits": 20,
                    "ScalingPolicyUpdate": {
                        "PolicyName": "reads",
                        "TargetTrackingScalingPolicyConfiguration": {
                            "TargetValue": 60.0,
                            "ScaleInCooldown": 30,
                        },
                    },
                },
            }
        ],
    )["TableAutoScalingDescription"]
    expected_write = {
        "MinimumUnits": 5,
        "MaximumUnits": 50,
        "AutoScalingDisabled": False,
        "AutoScalingRoleArn": ROLE,
        "ScalingPolicies": [
            {
                "PolicyName": f"DynamoDBWriteCapacityUtilization:table/{name}",
                "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 70.0},
            }
        ],
    }
    regions = {r["RegionName"]: r for r in answer["Replicas"]}
    assert list(regions) == ["us-east-1", WEST]
    for replica in regions.values():
        # write capacity scales alike everywhere
        assert replica["ReplicaProvisionedWriteCapacityAutoScalingSettings"] == expected_write
        (index,) = replica["GlobalSecondaryIndexes"]
        assert index["ProvisionedWriteCapacityAutoScalingSettings"]["MaximumUnits"] == 9
    assert regions["us-east-1"]["ReplicaProvisionedReadCapacityAutoScalingSettings"] == DISABLED
    read = regions[WEST]["ReplicaProvisionedReadCapacityAutoScalingSettings"]
    assert read["ScalingPolicies"] == [
        {
            "PolicyName": "reads",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 60.0,
                "ScaleInCooldown": 30,
            },
        }
    ]
    # the replica's region answers the same
    from_west = west.describe_table_replica_auto_scaling(TableName=name)
    assert from_west["TableAutoScalingDescription"]["Replicas"] == answer["Replicas"]

    # a later update merges into what is stored
    ddb.update_table_replica_auto_scaling(
        TableName=name, ProvisionedWriteCapacityAutoScalingUpdate={"MaximumUnits": 80}
    )
    stored = ddb.describe_table_replica_auto_scaling(TableName=name)["TableAutoScalingDescription"]
    settings = stored["Replicas"][0]["ReplicaProvisionedWriteCapacityAutoScalingSettings"]
    assert (settings["MinimumUnits"], settings["MaximumUnits"]) == (5, 80)
    assert len(settings["ScalingPolicies"]) == 1


def test_update_refusals_change_nothing(ddb: Any, west: Any) -> None:
    on_demand = make_table(ddb)
    error = error_of(
        ddb.update_table_replica_auto_scaling,
        TableName=on_demand,
        ProvisionedWriteCapacityAutoScalingUpdate={"MinimumUnits": 1, "MaximumUnits": 2},
    )
    assert error["Code"] == "ValidationException"
    assert "PAY_PER_REQUEST" in error["Message"]

    name = provisioned(ddb)
    error = error_of(
        ddb.update_table_replica_auto_scaling,
        TableName=name,
        ProvisionedWriteCapacityAutoScalingUpdate={"MinimumUnits": 1, "MaximumUnits": 2},
        ReplicaUpdates=[
            {
                "RegionName": WEST,
                "ReplicaProvisionedReadCapacityAutoScalingUpdate": {"MinimumUnits": 1},
            }
        ],
    )
    assert (error["Code"], error["Message"]) == (
        "ValidationException",
        "Replica specified in the Replica Update or Replica Delete action of the request was "
        "not found.",
    )
    error = error_of(
        ddb.update_table_replica_auto_scaling,
        TableName=name,
        GlobalSecondaryIndexUpdates=[
            {
                "IndexName": "nope",
                "ProvisionedWriteCapacityAutoScalingUpdate": {"MinimumUnits": 1},
            }
        ],
    )
    assert (error["Code"], error["Message"]) == (
        "ResourceNotFoundException",
        "Requested resource not found: Index: nope not found",
    )
    error = error_of(
        ddb.update_table_replica_auto_scaling,
        TableName=name,
        ProvisionedWriteCapacityAutoScalingUpdate={"MinimumUnits": 10, "MaximumUnits": 2},
    )
    assert error["Code"] == "ValidationException"
    assert "MinimumUnits" in error["Message"]
    replica = ddb.describe_table_replica_auto_scaling(TableName=name)[
        "TableAutoScalingDescription"
    ]["Replicas"][0]
    assert replica["ReplicaProvisionedWriteCapacityAutoScalingSettings"] == DISABLED


def test_settings_survive_restart(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        ddb = server.client("dynamodb")
        name = provisioned(ddb)
        replicate(ddb, name)
        ddb.update_table_replica_auto_scaling(
            TableName=name,
            ProvisionedWriteCapacityAutoScalingUpdate={"MinimumUnits": 3, "MaximumUnits": 30},
        )
        server.stop()
        server.start()
        west = server.client("dynamodb", region=WEST)
        answer = west.describe_table_replica_auto_scaling(TableName=name)
        for replica in answer["TableAutoScalingDescription"]["Replicas"]:
            settings = replica["ReplicaProvisionedWriteCapacityAutoScalingSettings"]
            assert (settings["MinimumUnits"], settings["MaximumUnits"]) == (3, 30)
    finally:
        server.stop()
