"""Queue operations through boto3: create (idempotent or QueueAlreadyExists), URLs, lists,
attributes, tags, permissions, dead-letter sources, purge, delete; and AWS's error for
each bad input, with nothing stored."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.aws.sqs.conftest import attributes, error_of, unique
from tests.conftest import ServerProcess


def test_create_is_idempotent_and_refuses_other_attributes(sqs: Any) -> None:
    name = unique()
    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "10"})["QueueUrl"]
    assert url.endswith(f"/000000000000/{name}")
    again = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "10"})
    assert again["QueueUrl"] == url
    assert sqs.create_queue(QueueName=name)["QueueUrl"] == url
    error = error_of(sqs.create_queue, QueueName=name, Attributes={"VisibilityTimeout": "11"})
    assert error["Code"] == "QueueAlreadyExists"
    assert error["QueryErrorCode"] == "QueueNameExists"
    assert "VisibilityTimeout" in error["Message"]
    assert attributes(sqs, url, "VisibilityTimeout") == {"VisibilityTimeout": "10"}


def test_every_attribute_is_accepted_and_reported(sqs: Any) -> None:
    dlq = sqs.create_queue(QueueName=unique("dlq"))["QueueUrl"]
    dlq_arn = attributes(sqs, dlq, "QueueArn")["QueueArn"]
    policy = json.dumps({"Version": "2012-10-17", "Statement": []})
    given = {
        "VisibilityTimeout": "45",
        "DelaySeconds": "3",
        "MessageRetentionPeriod": "600",
        "MaximumMessageSize": "2048",
        "ReceiveMessageWaitTimeSeconds": "2",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 4}),
        "RedriveAllowPolicy": json.dumps({"redrivePermission": "allowAll"}),
        "Policy": policy,
        "KmsMasterKeyId": "alias/aws/sqs",
        "KmsDataKeyReusePeriodSeconds": "300",
        "SqsManagedSseEnabled": "false",
    }
    url = sqs.create_queue(QueueName=unique(), Attributes=given)["QueueUrl"]
    reported = attributes(sqs, url)
    for name, value in given.items():
        if name == "RedrivePolicy":
            assert json.loads(reported[name]) == {
                "deadLetterTargetArn": dlq_arn,
                "maxReceiveCount": 4,
            }
        else:
            assert reported[name] == value, name
    for computed in (
        "QueueArn",
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
        "CreatedTimestamp",
        "LastModifiedTimestamp",
    ):
        assert computed in reported
    assert reported["QueueArn"].endswith(url.rsplit("/", 1)[1])


def test_defaults(sqs: Any, queue: str) -> None:
    reported = attributes(sqs, queue)
    assert reported["VisibilityTimeout"] == "30"
    assert reported["MaximumMessageSize"] == "1048576"
    assert reported["MessageRetentionPeriod"] == "345600"
    assert reported["DelaySeconds"] == "0"
    assert reported["ReceiveMessageWaitTimeSeconds"] == "0"
    assert "FifoQueue" not in reported


def test_fifo_defaults(sqs: Any, fifo: str) -> None:
    reported = attributes(sqs, fifo)
    assert reported["FifoQueue"] == "true"
    assert reported["ContentBasedDeduplication"] == "false"
    assert reported["DeduplicationScope"] == "queue"
    assert reported["FifoThroughputLimit"] == "perQueue"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("VisibilityTimeout", "43201"),
        ("VisibilityTimeout", "-1"),
        ("DelaySeconds", "901"),
        ("MaximumMessageSize", "1023"),
        ("MaximumMessageSize", "1048577"),
        ("MessageRetentionPeriod", "59"),
        ("MessageRetentionPeriod", "1209601"),
        ("ReceiveMessageWaitTimeSeconds", "21"),
        ("VisibilityTimeout", "ten"),
        ("SqsManagedSseEnabled", "maybe"),
    ],
)
def test_bad_attribute_values(sqs: Any, name: str, value: str) -> None:
    queue_name = unique()
    error = error_of(sqs.create_queue, QueueName=queue_name, Attributes={name: value})
    assert error["Code"] == "InvalidAttributeValue"
    assert error["Message"] == f"Invalid value for the parameter {name}."
    assert error_of(sqs.get_queue_url, QueueName=queue_name)["Code"] == (
        "AWS.SimpleQueueService.NonExistentQueue"
    )


def test_fifo_attributes_on_a_standard_queue(sqs: Any) -> None:
    error = error_of(
        sqs.create_queue, QueueName=unique(), Attributes={"ContentBasedDeduplication": "true"}
    )
    assert error["Code"] == "InvalidAttributeName"
    assert error["Message"] == "Unknown Attribute ContentBasedDeduplication."


@pytest.mark.parametrize(
    ("name", "attributes_given", "message"),
    [
        (
            "a" * 81,
            {},
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
        ),
        (
            "has space",
            {},
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
        ),
        (
            "dot.ted",
            {},
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
        ),
        ("plain", {"FifoQueue": "true"}, None),
        ("x.fifo", {}, None),
        ("a" * 76 + ".fifo", {"FifoQueue": "true"}, None),
    ],
    ids=[
        "too-long",
        "space",
        "dot",
        "fifo-attribute-without-suffix",
        "suffix-without-attribute",
        "fifo-too-long",
    ],
)
def test_queue_name_rules(
    sqs: Any, name: str, attributes_given: dict[str, str], message: str | None
) -> None:
    error = error_of(sqs.create_queue, QueueName=name, Attributes=attributes_given)
    assert error["Code"] == "InvalidParameterValue"
    if message:
        assert error["Message"] == message
    assert name not in str(sqs.list_queues(QueueNamePrefix=name[:10]).get("QueueUrls", []))


def test_eighty_character_names_are_fine(sqs: Any) -> None:
    name = "n" * 70 + unique("")[-10:]
    assert len(name) == 80
    assert sqs.create_queue(QueueName=name)["QueueUrl"].endswith(name)


def test_get_queue_url_and_owner(sqs: Any, server: ServerProcess) -> None:
    name = unique()
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    assert sqs.get_queue_url(QueueName=name)["QueueUrl"] == url
    assert (
        sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId="000000000000")["QueueUrl"] == url
    )
    other = server.client("sqs", access_key="111111111111")
    error = error_of(other.get_queue_url, QueueName=name)
    assert error["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert error["Message"] == "The specified queue does not exist."
    # another account's queue exists for a caller only once its policy grants the caller
    for call, kwargs in (
        (other.get_queue_url, {"QueueName": name, "QueueOwnerAWSAccountId": "000000000000"}),
        (other.send_message, {"QueueUrl": url, "MessageBody": "x"}),
    ):
        assert error_of(call, **kwargs)["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    sqs.add_permission(
        QueueUrl=url, Label="other", AWSAccountIds=["111111111111"], Actions=["SendMessage"]
    )
    granted = other.get_queue_url(QueueName=name, QueueOwnerAWSAccountId="000000000000")
    assert granted["QueueUrl"] == url
    other.send_message(QueueUrl=url, MessageBody="from 111111111111")
    (message,) = sqs.receive_message(QueueUrl=url, AttributeNames=["SenderId"])["Messages"]
    assert message["Attributes"]["SenderId"] == "111111111111"


def test_queues_are_scoped_by_region(sqs: Any, server: ServerProcess) -> None:
    name = unique()
    sqs.create_queue(QueueName=name)
    west = server.client("sqs", region="us-west-2")
    assert error_of(west.get_queue_url, QueueName=name)["Code"] == (
        "AWS.SimpleQueueService.NonExistentQueue"
    )
    west_url = west.create_queue(QueueName=name)["QueueUrl"]
    assert attributes(west, west_url, "QueueArn")["QueueArn"].startswith("arn:aws:sqs:us-west-2:")


def test_list_queues_prefix_and_pages(sqs: Any) -> None:
    prefix = unique("list")
    urls = sorted(sqs.create_queue(QueueName=f"{prefix}-{i}")["QueueUrl"] for i in range(5))
    assert sorted(sqs.list_queues(QueueNamePrefix=prefix)["QueueUrls"]) == urls
    seen: list[str] = []
    kwargs: dict[str, Any] = {"QueueNamePrefix": prefix, "MaxResults": 2}
    while True:
        page = sqs.list_queues(**kwargs)
        assert len(page["QueueUrls"]) <= 2
        seen.extend(page["QueueUrls"])
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert seen == urls
    paginated = [
        url
        for page in sqs.get_paginator("list_queues").paginate(
            QueueNamePrefix=prefix, PaginationConfig={"PageSize": 3}
        )
        for url in page["QueueUrls"]
    ]
    assert paginated == urls
    assert "QueueUrls" not in sqs.list_queues(QueueNamePrefix=unique("none"))


def test_set_queue_attributes_changes_modified_time_and_values(sqs: Any, queue: str) -> None:
    sqs.set_queue_attributes(
        QueueUrl=queue, Attributes={"VisibilityTimeout": "5", "DelaySeconds": "1"}
    )
    reported = attributes(sqs, queue)
    assert reported["VisibilityTimeout"] == "5"
    assert reported["DelaySeconds"] == "1"
    error = error_of(sqs.set_queue_attributes, QueueUrl=queue, Attributes={"FifoQueue": "true"})
    assert error["Code"] == "InvalidAttributeName"
    error = error_of(sqs.set_queue_attributes, QueueUrl=queue, Attributes={"DelaySeconds": "9000"})
    assert error["Code"] == "InvalidAttributeValue"
    assert attributes(sqs, queue, "DelaySeconds") == {"DelaySeconds": "1"}


def test_get_some_attributes(sqs: Any, queue: str) -> None:
    got = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn", "DelaySeconds"])
    assert set(got["Attributes"]) == {"QueueArn", "DelaySeconds"}
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=queue)


def test_delete_queue(sqs: Any) -> None:
    name = unique()
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x")
    sqs.delete_queue(QueueUrl=url)
    for call, kwargs in (
        (sqs.get_queue_url, {"QueueName": name}),
        (sqs.send_message, {"QueueUrl": url, "MessageBody": "x"}),
        (sqs.receive_message, {"QueueUrl": url}),
        (sqs.delete_queue, {"QueueUrl": url}),
        (sqs.get_queue_attributes, {"QueueUrl": url}),
    ):
        error = error_of(call, **kwargs)
        assert error["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
        assert error["QueryErrorCode"] == "QueueDoesNotExist"
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


def test_any_host_in_the_queue_url(sqs: Any, queue: str) -> None:
    path = queue.split("/", 3)[3]
    sqs.send_message(QueueUrl=f"https://sqs.us-east-1.amazonaws.com/{path}", MessageBody="x")
    assert attributes(sqs, queue, "ApproximateNumberOfMessages") == {
        "ApproximateNumberOfMessages": "1"
    }


def test_purge(sqs: Any, queue: str) -> None:
    sqs.send_message_batch(
        QueueUrl=queue, Entries=[{"Id": str(i), "MessageBody": "m"} for i in range(5)]
    )
    sqs.receive_message(QueueUrl=queue)
    sqs.purge_queue(QueueUrl=queue)
    counts = attributes(sqs, queue)
    assert counts["ApproximateNumberOfMessages"] == "0"
    assert counts["ApproximateNumberOfMessagesNotVisible"] == "0"
    error = error_of(sqs.purge_queue, QueueUrl=queue)
    assert error["Code"] == "AWS.SimpleQueueService.PurgeQueueInProgress"
    assert error["Message"] == (
        f"Only one PurgeQueue operation on {queue.rsplit('/', 1)[1]} is allowed every 60 seconds."
    )
    sqs.send_message(QueueUrl=queue, MessageBody="after")
    assert sqs.receive_message(QueueUrl=queue)["Messages"][0]["Body"] == "after"


def test_tags(sqs: Any) -> None:
    url = sqs.create_queue(QueueName=unique(), tags={"team": "a"})["QueueUrl"]
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "a"}
    sqs.tag_queue(QueueUrl=url, Tags={"env": "dev", "team": "b"})
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "b", "env": "dev"}
    sqs.untag_queue(QueueUrl=url, TagKeys=["team", "absent"])
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"env": "dev"}
    sqs.untag_queue(QueueUrl=url, TagKeys=["env"])
    assert "Tags" not in sqs.list_queue_tags(QueueUrl=url)


@pytest.mark.parametrize(
    "tags",
    [
        {f"k{i}": "v" for i in range(51)},
        {"k" * 129: "v"},
        {"k": "v" * 257},
        {"aws:reserved": "v"},
    ],
    ids=["51-tags", "long-key", "long-value", "aws-prefix"],
)
def test_tag_limits(sqs: Any, queue: str, tags: dict[str, str]) -> None:
    error = error_of(sqs.tag_queue, QueueUrl=queue, Tags=tags)
    assert error["Code"] == "InvalidParameterValue"
    assert "Tags" not in sqs.list_queue_tags(QueueUrl=queue)


def test_permissions_are_stored_in_the_policy(sqs: Any, queue: str) -> None:
    sqs.add_permission(
        QueueUrl=queue, Label="send", AWSAccountIds=["111111111111"], Actions=["SendMessage"]
    )
    policy = json.loads(attributes(sqs, queue, "Policy")["Policy"])
    (statement,) = policy["Statement"]
    assert statement["Sid"] == "send"
    assert statement["Action"] == "SQS:SendMessage"
    assert statement["Principal"] == {"AWS": "arn:aws:iam::111111111111:root"}
    error = error_of(
        sqs.add_permission,
        QueueUrl=queue,
        Label="send",
        AWSAccountIds=["111111111111"],
        Actions=["SendMessage"],
    )
    assert error["Code"] == "InvalidParameterValue"
    sqs.remove_permission(QueueUrl=queue, Label="send")
    assert "Policy" not in attributes(sqs, queue)
    error = error_of(sqs.remove_permission, QueueUrl=queue, Label="send")
    assert error["Code"] == "InvalidParameterValue"


def test_dead_letter_sources(sqs: Any) -> None:
    dlq = sqs.create_queue(QueueName=unique("dlq"))["QueueUrl"]
    arn = attributes(sqs, dlq, "QueueArn")["QueueArn"]
    policy = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": "2"})
    sources = sorted(
        sqs.create_queue(QueueName=unique("src"), Attributes={"RedrivePolicy": policy})["QueueUrl"]
        for _ in range(3)
    )
    assert sorted(sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"]) == sources
    page = sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=2)
    assert len(page["queueUrls"]) == 2 and "NextToken" in page
    rest = sqs.list_dead_letter_source_queues(
        QueueUrl=dlq, MaxResults=2, NextToken=page["NextToken"]
    )
    assert sorted(page["queueUrls"] + rest["queueUrls"]) == sources


@pytest.mark.parametrize(
    ("policy", "reason"),
    [
        (
            {"maxReceiveCount": 3},
            "Redrive policy does not contain mandatory attribute: deadLetterTargetArn.",
        ),
        (
            {
                "deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:nope",
                "maxReceiveCount": 3,
            },
            "Dead-letter target does not exist.",
        ),
        (
            {"deadLetterTargetArn": "TARGET", "maxReceiveCount": 0},
            "Invalid value for maxReceiveCount: 0, valid values are from 1 to 1000 both inclusive.",
        ),
    ],
    ids=["no-target", "missing-target", "zero-count"],
)
def test_bad_redrive_policies(sqs: Any, policy: dict[str, Any], reason: str) -> None:
    dlq = sqs.create_queue(QueueName=unique("dlq"))["QueueUrl"]
    arn = attributes(sqs, dlq, "QueueArn")["QueueArn"]
    if policy.get("deadLetterTargetArn") == "TARGET":
        policy["deadLetterTargetArn"] = arn
    text = json.dumps(policy)
    error = error_of(sqs.create_queue, QueueName=unique(), Attributes={"RedrivePolicy": text})
    assert error["Code"] == "InvalidParameterValue"
    assert (
        error["Message"] == f"Value {text} for parameter RedrivePolicy is invalid. Reason: {reason}"
    )


def test_fifo_source_needs_a_fifo_dead_letter_queue(sqs: Any) -> None:
    dlq = sqs.create_queue(QueueName=unique("dlq"))["QueueUrl"]
    arn = attributes(sqs, dlq, "QueueArn")["QueueArn"]
    error = error_of(
        sqs.create_queue,
        QueueName=f"{unique()}.fifo",
        Attributes={
            "FifoQueue": "true",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 1}),
        },
    )
    assert error["Code"] == "InvalidParameterValue"
    assert error["Message"].endswith("Dead-letter queue must be same type of queue as the source.")


def test_redrive_allow_policy_deny_all(sqs: Any) -> None:
    dlq = sqs.create_queue(
        QueueName=unique("dlq"),
        Attributes={"RedriveAllowPolicy": json.dumps({"redrivePermission": "denyAll"})},
    )["QueueUrl"]
    arn = attributes(sqs, dlq, "QueueArn")["QueueArn"]
    error = error_of(
        sqs.create_queue,
        QueueName=unique(),
        Attributes={
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 1})
        },
    )
    assert error["Code"] == "InvalidParameterValue"


def test_unknown_attribute_names(sqs: Any, queue: str) -> None:
    error = error_of(sqs.get_queue_attributes, QueueUrl=queue, AttributeNames=["Nope"])
    assert error["Code"] == "InvalidAttributeName"
    assert error["Message"] == "Unknown Attribute Nope."
    error = error_of(sqs.set_queue_attributes, QueueUrl=queue, Attributes={"Nope": "1"})
    assert error["Code"] == "InvalidAttributeName"
