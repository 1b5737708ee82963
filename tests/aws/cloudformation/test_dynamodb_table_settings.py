"""AWS::DynamoDB::Table's PointInTimeRecoverySpecification, ContributorInsightsSpecification,
ResourcePolicy and KinesisStreamSpecification, read back through the DynamoDB API."""

from __future__ import annotations

import json
from typing import Any

from tests.aws.cloudformation.conftest import settle, stack_name, wait_stack
from tests.conftest import ServerProcess

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
            "Action": "dynamodb:GetItem",
            "Resource": "*",
        }
    ],
}
KINESIS = "arn:aws:kinesis:us-east-1:000000000000:stream/table-feed"


def _template(name: str, **extra: Any) -> str:
    props = {
        "TableName": name,
        "AttributeDefinitions": [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "g", "AttributeType": "S"},
        ],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "byG",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
                "ContributorInsightsSpecification": {"Enabled": True},
            }
        ],
        **extra,
    }
    return json.dumps(
        {"Resources": {"Table": {"Type": "AWS::DynamoDB::Table", "Properties": props}}}
    )


def test_table_settings_from_the_template(cfn: Any, server: ServerProcess) -> None:
    name = stack_name()
    table = f"{name}-table"
    ddb = server.client("dynamodb")
    arn = f"arn:aws:dynamodb:us-east-1:000000000000:table/{table}"
    cfn.create_stack(
        StackName=name,
        TemplateBody=_template(
            table,
            PointInTimeRecoverySpecification={
                "PointInTimeRecoveryEnabled": "true",
                "RecoveryPeriodInDays": 10,
            },
            ContributorInsightsSpecification={"Enabled": True},
            ResourcePolicy={"PolicyDocument": POLICY},
            KinesisStreamSpecification={"StreamArn": KINESIS},
        ),
    )
    assert wait_stack(cfn, name)["StackStatus"] == "CREATE_COMPLETE"
    recovery = ddb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"][
        "PointInTimeRecoveryDescription"
    ]
    assert recovery["PointInTimeRecoveryStatus"] == "ENABLED"
    assert recovery["RecoveryPeriodInDays"] == 10
    assert (
        ddb.describe_contributor_insights(TableName=table)["ContributorInsightsStatus"] == "ENABLED"
    )
    assert (
        ddb.describe_contributor_insights(TableName=table, IndexName="byG")[
            "ContributorInsightsStatus"
        ]
        == "ENABLED"
    )
    assert json.loads(ddb.get_resource_policy(ResourceArn=arn)["Policy"]) == POLICY
    destinations = ddb.describe_kinesis_streaming_destination(TableName=table)[
        "KinesisDataStreamDestinations"
    ]
    assert [(d["StreamArn"], d["DestinationStatus"]) for d in destinations] == [(KINESIS, "ACTIVE")]

    # an update that drops them turns them off
    cfn.update_stack(StackName=name, TemplateBody=_template(table))
    assert wait_stack(cfn, name, "stack_update_complete")["StackStatus"] == "UPDATE_COMPLETE"
    recovery = ddb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"][
        "PointInTimeRecoveryDescription"
    ]
    assert recovery["PointInTimeRecoveryStatus"] == "DISABLED"
    assert (
        ddb.describe_contributor_insights(TableName=table)["ContributorInsightsStatus"]
        == "DISABLED"
    )
    error = None
    try:
        ddb.get_resource_policy(ResourceArn=arn)
    except ddb.exceptions.PolicyNotFoundException as exc:
        error = exc
    assert error is not None
    destinations = ddb.describe_kinesis_streaming_destination(TableName=table)[
        "KinesisDataStreamDestinations"
    ]
    assert [d["DestinationStatus"] for d in destinations] == ["DISABLED"]


def _global_table(name: str, **replica: Any) -> str:
    props = {
        "TableName": name,
        "AttributeDefinitions": [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "g", "AttributeType": "S"},
        ],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
        "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "byG",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
        "Replicas": [{"Region": "us-east-1", **replica}, {"Region": "eu-west-1"}],
    }
    return json.dumps(
        {
            "Resources": {"Global": {"Type": "AWS::DynamoDB::GlobalTable", "Properties": props}},
            "Outputs": {
                "Arn": {"Value": {"Fn::GetAtt": ["Global", "Arn"]}},
                "StreamArn": {"Value": {"Fn::GetAtt": ["Global", "StreamArn"]}},
                "TableId": {"Value": {"Fn::GetAtt": ["Global", "TableId"]}},
            },
        }
    )


def test_global_table_is_the_stack_regions_replica(cfn: Any, server: ServerProcess) -> None:
    name = stack_name()
    table = f"{name}-global"
    ddb = server.client("dynamodb")
    cfn.create_stack(
        StackName=name,
        TemplateBody=_global_table(
            table,
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
            Tags=[{"Key": "team", "Value": "orders"}],
            GlobalSecondaryIndexes=[
                {"IndexName": "byG", "ContributorInsightsSpecification": {"Enabled": True}}
            ],
        ),
    )
    assert wait_stack(cfn, name)["StackStatus"] == "CREATE_COMPLETE"
    described = ddb.describe_table(TableName=table)["Table"]
    assert described["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert [i["IndexName"] for i in described["GlobalSecondaryIndexes"]] == ["byG"]
    outputs = {
        o["OutputKey"]: o["OutputValue"]
        for o in cfn.describe_stacks(StackName=name)["Stacks"][0]["Outputs"]
    }
    assert outputs == {
        "Arn": described["TableArn"],
        "StreamArn": described["LatestStreamArn"],
        "TableId": described["TableId"],
    }
    recovery = ddb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    assert recovery["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    insights = ddb.describe_contributor_insights(TableName=table, IndexName="byG")
    assert insights["ContributorInsightsStatus"] == "ENABLED"
    tags = ddb.list_tags_of_resource(ResourceArn=described["TableArn"])["Tags"]
    assert tags == [{"Key": "team", "Value": "orders"}]
    # the replica of another region is that region's table, with the items written here
    other = server.client("dynamodb", region="eu-west-1")
    assert [
        r["RegionName"] for r in other.describe_table(TableName=table)["Table"]["Replicas"]
    ] == ["us-east-1"]
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}})
    assert other.get_item(TableName=table, Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}


def test_global_table_replicas_follow_the_template(cfn: Any, server: ServerProcess) -> None:
    name = stack_name()
    table = f"{name}-global"
    ddb, other = server.client("dynamodb"), server.client("dynamodb", region="eu-west-1")
    template = json.loads(_global_table(table))
    template["Resources"]["Global"]["Properties"]["Replicas"][1]["TableClass"] = (
        "STANDARD_INFREQUENT_ACCESS"
    )
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))
    assert wait_stack(cfn, name)["StackStatus"] == "CREATE_COMPLETE"
    replicas = {
        r["RegionName"]: r for r in ddb.describe_table(TableName=table)["Table"]["Replicas"]
    }
    assert replicas["eu-west-1"]["ReplicaTableClassSummary"] == {
        "TableClass": "STANDARD_INFREQUENT_ACCESS"
    }
    # a replica dropped from the template is deleted; one added is created
    template["Resources"]["Global"]["Properties"]["Replicas"] = [
        {"Region": "us-east-1"},
        {"Region": "us-west-2"},
    ]
    cfn.update_stack(StackName=name, TemplateBody=json.dumps(template))
    assert settle(cfn, name)["StackStatus"] == "UPDATE_COMPLETE"
    assert table not in other.list_tables()["TableNames"]
    west = server.client("dynamodb", region="us-west-2")
    assert [r["RegionName"] for r in west.describe_table(TableName=table)["Table"]["Replicas"]] == [
        "us-east-1"
    ]
    # deleting the stack deletes every replica
    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(
        StackName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 600}
    )
    assert table not in west.list_tables()["TableNames"]
    assert table not in ddb.list_tables()["TableNames"]


def test_global_table_without_a_replica_here_fails(cfn: Any) -> None:
    name = stack_name()
    template = json.loads(_global_table(f"{name}-global"))
    template["Resources"]["Global"]["Properties"]["Replicas"] = [{"Region": "eu-west-1"}]
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))
    stack = settle(cfn, name)
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    reasons = [
        e.get("ResourceStatusReason", "") for e in events if e["LogicalResourceId"] == "Global"
    ]
    assert "Replicas must include a replica in the stack's region (us-east-1)" in reasons
