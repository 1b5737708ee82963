"""Resource policies, contributor insights and Kinesis streaming destinations: state kept
on the table, through boto3 against the real server."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.aws.dynamodb.conftest import error_of, make_table

POLICY = json.dumps(
    {
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
)
KINESIS = "arn:aws:kinesis:us-east-1:000000000000:stream/orders-feed"


def _arn(name: str) -> str:
    return f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}"


# -- resource policies ------------------------------------------------------------------
def test_put_get_delete_resource_policy(ddb: Any) -> None:
    name = make_table(ddb)
    arn = _arn(name)
    error = error_of(ddb.get_resource_policy, ResourceArn=arn)
    assert (error["Code"], error["Message"]) == (
        "PolicyNotFoundException",
        f"Resource-based policy not found for the provided ResourceArn: {arn}",
    )
    first = ddb.put_resource_policy(ResourceArn=arn, Policy=POLICY, ExpectedRevisionId="NO_POLICY")
    got = ddb.get_resource_policy(ResourceArn=arn)
    assert got["Policy"] == POLICY
    assert got["RevisionId"] == first["RevisionId"]
    # the same policy again changes nothing
    assert (
        ddb.put_resource_policy(ResourceArn=arn, Policy=POLICY)["RevisionId"] == first["RevisionId"]
    )

    error = error_of(
        ddb.put_resource_policy, ResourceArn=arn, Policy=POLICY, ExpectedRevisionId="NO_POLICY"
    )
    assert error["Code"] == "PolicyNotFoundException"
    assert f"a policy exists with revision id {first['RevisionId']}" in error["Message"]
    changed = POLICY.replace("GetItem", "Query")
    error = error_of(
        ddb.put_resource_policy, ResourceArn=arn, Policy=changed, ExpectedRevisionId="1"
    )
    assert (error["Code"], error["Message"]) == (
        "PolicyNotFoundException",
        "Resource-based policy not found for the provided ResourceArn: Requested update for "
        f"policy with revision id 1, but the policy associated to target table {name} has "
        f"revision id {first['RevisionId']}.",
    )
    second = ddb.put_resource_policy(
        ResourceArn=arn, Policy=changed, ExpectedRevisionId=first["RevisionId"]
    )
    assert int(second["RevisionId"]) > int(first["RevisionId"])
    assert ddb.get_resource_policy(ResourceArn=arn)["Policy"] == changed

    error = error_of(
        ddb.delete_resource_policy, ResourceArn=arn, ExpectedRevisionId=first["RevisionId"]
    )
    assert error["Code"] == "PolicyNotFoundException"
    deleted = ddb.delete_resource_policy(ResourceArn=arn, ExpectedRevisionId=second["RevisionId"])
    assert deleted["RevisionId"] == second["RevisionId"]
    assert error_of(ddb.get_resource_policy, ResourceArn=arn)["Code"] == "PolicyNotFoundException"
    assert (
        error_of(ddb.delete_resource_policy, ResourceArn=arn)["Code"] == "PolicyNotFoundException"
    )


def test_stream_resource_policy(ddb: Any) -> None:
    name = make_table(
        ddb, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    )
    stream = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    revision = ddb.put_resource_policy(ResourceArn=stream, Policy=POLICY)["RevisionId"]
    assert ddb.get_resource_policy(ResourceArn=stream)["RevisionId"] == revision
    # the table's own policy is another one
    assert (
        error_of(ddb.get_resource_policy, ResourceArn=_arn(name))["Code"]
        == "PolicyNotFoundException"
    )


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ("{not json", "Invalid policy document: the policy is not valid JSON"),
        ('["a"]', "Invalid policy document: a policy must have a Statement"),
        (
            json.dumps({"Statement": [], "Pad": "x" * 21000}),
            "Policy size 21028 bytes exceeds the maximum of 20480 bytes",
        ),
    ],
    ids=["malformed", "not-an-object", "too-large"],
)
def test_bad_policies_are_refused_and_not_stored(ddb: Any, policy: str, message: str) -> None:
    name = make_table(ddb)
    error = error_of(ddb.put_resource_policy, ResourceArn=_arn(name), Policy=policy)
    assert (error["Code"], error["Message"]) == ("ValidationException", message)
    assert (
        error_of(ddb.get_resource_policy, ResourceArn=_arn(name))["Code"]
        == "PolicyNotFoundException"
    )


def test_policy_of_a_missing_table(ddb: Any) -> None:
    error = error_of(ddb.get_resource_policy, ResourceArn=_arn("no-such-table"))
    assert (error["Code"], error["Message"]) == (
        "ResourceNotFoundException",
        "Requested resource not found: Table: no-such-table not found",
    )


# -- contributor insights ---------------------------------------------------------------
def test_contributor_insights(ddb: Any) -> None:
    name = make_table(
        ddb,
        ExtraAttributes=[{"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    assert (
        ddb.describe_contributor_insights(TableName=name)["ContributorInsightsStatus"] == "DISABLED"
    )
    updated = ddb.update_contributor_insights(TableName=name, ContributorInsightsAction="ENABLE")
    assert updated["ContributorInsightsStatus"] == "ENABLING"
    described = ddb.describe_contributor_insights(TableName=name)
    assert described["ContributorInsightsStatus"] == "ENABLED"
    assert described["ContributorInsightsMode"] == "ACCESSED_AND_THROTTLED_KEYS"
    assert [r.split("-")[1] for r in described["ContributorInsightsRuleList"]] == [
        "PKC",
        "PKT",
        "SKC",
        "SKT",
    ]
    ddb.update_contributor_insights(
        TableName=name, IndexName="by-g", ContributorInsightsAction="ENABLE"
    )
    listed = ddb.list_contributor_insights(TableName=name)["ContributorInsightsSummaries"]
    assert [(s.get("IndexName"), s["ContributorInsightsStatus"]) for s in listed] == [
        (None, "ENABLED"),
        ("by-g", "ENABLED"),
    ]
    page = ddb.list_contributor_insights(TableName=name, MaxResults=1)
    assert len(page["ContributorInsightsSummaries"]) == 1
    rest = ddb.list_contributor_insights(TableName=name, NextToken=page["NextToken"])
    assert rest["ContributorInsightsSummaries"][0]["IndexName"] == "by-g"
    off = ddb.update_contributor_insights(TableName=name, ContributorInsightsAction="DISABLE")
    assert off["ContributorInsightsStatus"] == "DISABLING"
    assert (
        ddb.describe_contributor_insights(TableName=name)["ContributorInsightsStatus"] == "DISABLED"
    )

    error = error_of(ddb.describe_contributor_insights, TableName=name, IndexName="nope")
    assert (error["Code"], error["Message"]) == (
        "ResourceNotFoundException",
        "Requested resource not found: Index: nope not found",
    )
    error = error_of(ddb.describe_contributor_insights, TableName="no-such-table")
    assert error["Code"] == "ResourceNotFoundException"


# -- Kinesis streaming destinations -----------------------------------------------------
def test_kinesis_streaming_destination_state(ddb: Any) -> None:
    name = make_table(ddb)
    described = ddb.describe_kinesis_streaming_destination(TableName=name)
    assert described == {"TableName": name, "KinesisDataStreamDestinations": []} | {
        "ResponseMetadata": described["ResponseMetadata"]
    }
    enabled = ddb.enable_kinesis_streaming_destination(TableName=name, StreamArn=KINESIS)
    assert enabled["DestinationStatus"] == "ENABLING"
    destinations = ddb.describe_kinesis_streaming_destination(TableName=name)[
        "KinesisDataStreamDestinations"
    ]
    assert destinations == [
        {
            "StreamArn": KINESIS,
            "DestinationStatus": "ACTIVE",
            "ApproximateCreationDateTimePrecision": "MILLISECOND",
        }
    ]
    error = error_of(ddb.enable_kinesis_streaming_destination, TableName=name, StreamArn=KINESIS)
    assert error["Code"] == "ResourceInUseException"
    updated = ddb.update_kinesis_streaming_destination(
        TableName=name,
        StreamArn=KINESIS,
        UpdateKinesisStreamingConfiguration={"ApproximateCreationDateTimePrecision": "MICROSECOND"},
    )
    assert updated["DestinationStatus"] == "UPDATING"
    disabled = ddb.disable_kinesis_streaming_destination(TableName=name, StreamArn=KINESIS)
    assert disabled["DestinationStatus"] == "DISABLING"
    destinations = ddb.describe_kinesis_streaming_destination(TableName=name)[
        "KinesisDataStreamDestinations"
    ]
    assert destinations[0]["DestinationStatus"] == "DISABLED"
    error = error_of(ddb.disable_kinesis_streaming_destination, TableName=name, StreamArn=KINESIS)
    assert error["Code"] == "ResourceNotFoundException"


def test_kinesis_destination_must_be_a_kinesis_stream(ddb: Any) -> None:
    name = make_table(ddb)
    bogus = "arn:aws:sqs:us-east-1:000000000000:not-a-kinesis-stream-at-all"
    error = error_of(ddb.enable_kinesis_streaming_destination, TableName=name, StreamArn=bogus)
    assert (error["Code"], error["Message"]) == (
        "ValidationException",
        f"Invalid StreamArn: {bogus}",
    )
    assert (
        ddb.describe_kinesis_streaming_destination(TableName=name)["KinesisDataStreamDestinations"]
        == []
    )


def test_settings_outlive_other_table_updates(ddb: Any) -> None:
    """The settings are part of the stored definition: an UpdateTable that rewrites the
    definition keeps them."""
    name = make_table(ddb)
    ddb.update_contributor_insights(TableName=name, ContributorInsightsAction="ENABLE")
    ddb.put_resource_policy(ResourceArn=_arn(name), Policy=POLICY)
    ddb.update_table(TableName=name, DeletionProtectionEnabled=False)
    assert (
        ddb.describe_contributor_insights(TableName=name)["ContributorInsightsStatus"] == "ENABLED"
    )
    assert ddb.get_resource_policy(ResourceArn=_arn(name))["Policy"] == POLICY
