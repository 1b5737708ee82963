"""Topics through boto3: create (standard, FIFO, idempotent), attributes, list, delete,
tags, and AWS's error for each bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.aws.sns.conftest import aws_error, new_topic
from tests.conftest import ServerProcess


def test_create_get_delete(sns: Any) -> None:
    arn = new_topic(sns, Attributes={"DisplayName": "hello"})
    assert arn.startswith("arn:aws:sns:us-east-1:000000000000:t-")
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["DisplayName"] == "hello"
    assert attributes["TopicArn"] == arn
    assert attributes["Owner"] == "000000000000"
    assert attributes["SubscriptionsConfirmed"] == "0"
    assert attributes["SubscriptionsPending"] == "0"
    assert attributes["SubscriptionsDeleted"] == "0"
    policy = json.loads(attributes["Policy"])
    assert policy["Statement"][0]["Resource"] == arn
    effective = json.loads(attributes["EffectiveDeliveryPolicy"])
    assert effective["http"]["defaultHealthyRetryPolicy"]["numRetries"] == 3
    sns.delete_topic(TopicArn=arn)
    assert aws_error(lambda: sns.get_topic_attributes(TopicArn=arn)) == (
        "NotFound",
        "Topic does not exist",
        404,
    )
    sns.delete_topic(TopicArn=arn)  # deleting again succeeds, as on AWS


def test_create_is_idempotent_and_refuses_other_attributes(sns: Any) -> None:
    name = new_topic(sns).rpartition(":")[2]
    first = sns.create_topic(Name=name)["TopicArn"]
    assert sns.create_topic(Name=name)["TopicArn"] == first
    assert aws_error(lambda: sns.create_topic(Name=name, Attributes={"DisplayName": "other"})) == (
        "InvalidParameter",
        "Invalid parameter: Attributes Reason: Topic already exists with different attributes",
        400,
    )


def test_fifo_topic(sns: Any) -> None:
    arn = new_topic(sns, Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true"})
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["FifoTopic"] == "true"
    assert attributes["ContentBasedDeduplication"] == "true"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"Name": "has space"}, "Invalid parameter: Topic Name"),
        ({"Name": "x" * 257}, "Invalid parameter: Topic Name"),
        ({"Name": "plain.fifo"}, "Invalid parameter: Topic Name"),
        (
            {"Name": "nofifo", "Attributes": {"FifoTopic": "true"}},
            "Invalid parameter: Fifo Topic names must end with .fifo and must be made up of "
            "only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, "
            "and must be between 1 and 256 characters long.",
        ),
        ({"Name": "a", "Attributes": {"Bogus": "1"}}, "Invalid parameter: AttributeName"),
        (
            {"Name": "b", "Attributes": {"ContentBasedDeduplication": "true"}},
            "Invalid parameter: Attributes Reason: Content-based deduplication can only be set "
            "for FIFO topics",
        ),
        (
            {"Name": "c", "Attributes": {"Policy": "{not json"}},
            "Invalid parameter: Policy: failed to parse JSON",
        ),
        (
            {
                "Name": "d",
                "Attributes": {
                    "DeliveryPolicy": json.dumps(
                        {"http": {"defaultHealthyRetryPolicy": {"numRetries": 3}}}
                    )
                },
            },
            "Invalid parameter: DeliveryPolicy: http.defaultHealthyRetryPolicy.minDelayTarget must be specified",
        ),
    ],
    ids=[
        "space",
        "too-long",
        "fifo-name-standard",
        "fifo-without-suffix",
        "unknown-attribute",
        "dedup-on-standard",
        "bad-policy",
        "delivery-policy-incomplete",
    ],
)
def test_create_refusals(sns: Any, kwargs: dict[str, Any], message: str) -> None:
    assert aws_error(lambda: sns.create_topic(**kwargs)) == ("InvalidParameter", message, 400)
    arns = [t["TopicArn"] for t in sns.list_topics()["Topics"]]
    assert not any(a.endswith(f":{kwargs['Name']}") for a in arns)


def test_set_topic_attributes(sns: Any) -> None:
    arn = new_topic(sns)
    sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="shown")
    policy = {
        "http": {
            "defaultHealthyRetryPolicy": {"minDelayTarget": 1, "maxDelayTarget": 5, "numRetries": 4}
        }
    }
    sns.set_topic_attributes(
        TopicArn=arn, AttributeName="DeliveryPolicy", AttributeValue=json.dumps(policy)
    )
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["DisplayName"] == "shown"
    assert json.loads(attributes["DeliveryPolicy"]) == policy
    effective = json.loads(attributes["EffectiveDeliveryPolicy"])["http"]
    assert effective["defaultHealthyRetryPolicy"]["numRetries"] == 4
    assert aws_error(
        lambda: sns.set_topic_attributes(
            TopicArn=arn, AttributeName="FifoTopic", AttributeValue="true"
        )
    ) == ("InvalidParameter", "Invalid parameter: AttributeName", 400)


def test_not_found_and_malformed_arns(sns: Any) -> None:
    missing = "arn:aws:sns:us-east-1:000000000000:no-such-topic"
    assert aws_error(lambda: sns.get_topic_attributes(TopicArn=missing)) == (
        "NotFound",
        "Topic does not exist",
        404,
    )
    assert aws_error(lambda: sns.get_topic_attributes(TopicArn="not-an-arn")) == (
        "InvalidParameter",
        "Invalid parameter: TopicArn",
        400,
    )
    assert aws_error(lambda: sns.publish(TopicArn=missing, Message="x")) == (
        "NotFound",
        "Topic does not exist",
        404,
    )


def test_list_topics_pages_by_100(server: ServerProcess) -> None:
    # A fresh account keeps the count exact.
    client = server.client("sns", access_key="222222222222")
    created = {new_topic(client, "page") for _ in range(105)}
    first = client.list_topics()
    assert len(first["Topics"]) == 100
    second = client.list_topics(NextToken=first["NextToken"])
    assert "NextToken" not in second
    listed = {t["TopicArn"] for t in first["Topics"] + second["Topics"]}
    assert listed == created
    assert aws_error(lambda: client.list_topics(NextToken="garbage!")) == (
        "InvalidParameter",
        "Invalid parameter: NextToken",
        400,
    )


def test_topics_are_per_account(server: ServerProcess, sns: Any) -> None:
    other = server.client("sns", access_key="333333333333")
    arn = new_topic(sns)
    assert arn not in {t["TopicArn"] for t in other.list_topics()["Topics"]}
    code, _, status = aws_error(lambda: other.publish(TopicArn=arn, Message="x"))
    assert (code, status) == ("AuthorizationError", 403)


def test_tags(sns: Any) -> None:
    arn = new_topic(sns, Tags=[{"Key": "team", "Value": "a"}])
    sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "dev"}])
    tags = {t["Key"]: t["Value"] for t in sns.list_tags_for_resource(ResourceArn=arn)["Tags"]}
    assert tags == {"team": "a", "env": "dev"}
    sns.untag_resource(ResourceArn=arn, TagKeys=["team"])
    tags = {t["Key"]: t["Value"] for t in sns.list_tags_for_resource(ResourceArn=arn)["Tags"]}
    assert tags == {"env": "dev"}
    assert (
        aws_error(
            lambda: sns.tag_resource(
                ResourceArn=arn, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(51)]
            )
        )[0]
        == "TagLimitExceeded"
    )
    assert aws_error(
        lambda: sns.tag_resource(
            ResourceArn=arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]
        )
    ) == ("InvalidParameter", "Invalid parameter: Duplicated keys are not allowed.", 400)
    missing = "arn:aws:sns:us-east-1:000000000000:nope"
    assert aws_error(lambda: sns.list_tags_for_resource(ResourceArn=missing)) == (
        "NotFound",
        "Resource does not exist",
        404,
    )
