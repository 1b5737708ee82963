"""AWS::DynamoDB::Table's PointInTimeRecoverySpecification, ContributorInsightsSpecification,
ResourcePolicy and KinesisStreamSpecification, read back through the DynamoDB API."""

from __future__ import annotations

import json
from typing import Any

from tests.aws.cloudformation.conftest import stack_name, wait_stack
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
