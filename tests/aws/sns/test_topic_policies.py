"""AddPermission, RemovePermission and the data protection policy over boto3: the topic's
``Policy`` as AWS writes it, AWS's error for each bad input (nothing stored), and both
policies kept across a restart."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.aws.sns.conftest import aws_error, new_topic
from tests.conftest import ServerProcess

DEFAULT_ACTIONS = [
    "SNS:GetTopicAttributes",
    "SNS:SetTopicAttributes",
    "SNS:AddPermission",
    "SNS:RemovePermission",
    "SNS:DeleteTopic",
    "SNS:Subscribe",
    "SNS:ListSubscriptionsByTopic",
    "SNS:Publish",
]
DATA_PROTECTION = {
    "Name": "basic",
    "Description": "audit emails",
    "Version": "2021-06-01",
    "Statement": [
        {
            "DataDirection": "Inbound",
            "Principal": ["*"],
            "DataIdentifier": ["arn:aws:dataprotection::aws:data-identifier/EmailAddress"],
            "Operation": {"Audit": {"SampleRate": "99", "FindingsDestination": {}}},
        }
    ],
}


def _policy(sns: Any, arn: str) -> dict[str, Any]:
    return dict(json.loads(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"]))


def test_statements_join_the_default_policy(sns: Any) -> None:
    arn = new_topic(sns)
    sns.add_permission(
        TopicArn=arn, Label="one", AWSAccountId=["111122223333"], ActionName=["Publish"]
    )
    sns.add_permission(
        TopicArn=arn,
        Label="many",
        AWSAccountId=["111122223333", "444455556666"],
        ActionName=["Publish", "Subscribe", "Receive"],
    )
    policy = _policy(sns, arn)
    assert policy["Version"] == "2008-10-17" and policy["Id"] == "__default_policy_ID"
    default, one, many = policy["Statement"]
    assert default["Sid"] == "__default_statement_ID" and default["Action"] == DEFAULT_ACTIONS
    assert one == {
        "Sid": "one",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "SNS:Publish",
        "Resource": arn,
    }
    assert many == {
        "Sid": "many",
        "Effect": "Allow",
        "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"]},
        "Action": ["SNS:Publish", "SNS:Subscribe", "SNS:Receive"],
        "Resource": arn,
    }
    assert list(one) == ["Sid", "Effect", "Principal", "Action", "Resource"]

    sns.remove_permission(TopicArn=arn, Label="one")
    assert [s["Sid"] for s in _policy(sns, arn)["Statement"]] == ["__default_statement_ID", "many"]
    sns.remove_permission(TopicArn=arn, Label="never-added")  # succeeds, as on AWS
    sns.remove_permission(TopicArn=arn, Label="__default_statement_ID")
    assert [s["Sid"] for s in _policy(sns, arn)["Statement"]] == ["many"]


def test_permissions_added_at_once_all_land(server: ServerProcess, sns: Any) -> None:
    arn = new_topic(sns)
    clients = [server.client("sns") for _ in range(8)]

    def add(index: int) -> None:
        clients[index % 8].add_permission(
            TopicArn=arn,
            Label=f"l{index:02d}",
            AWSAccountId=["111122223333"],
            ActionName=["Publish"],
        )

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(add, range(24)))
    labels = sorted(s["Sid"] for s in _policy(sns, arn)["Statement"])
    assert labels == ["__default_statement_ID", *[f"l{i:02d}" for i in range(24)]]


def test_statements_join_a_policy_that_was_set(sns: Any) -> None:
    arn = new_topic(sns)
    own = {"Version": "2012-10-17", "Statement": [{"Sid": "mine", "Effect": "Deny"}]}
    sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=json.dumps(own))
    sns.add_permission(
        TopicArn=arn, Label="added", AWSAccountId=["111122223333"], ActionName=["Subscribe"]
    )
    policy = _policy(sns, arn)
    assert policy["Version"] == "2012-10-17"
    assert [s["Sid"] for s in policy["Statement"]] == ["mine", "added"]


@pytest.mark.parametrize(
    ("label", "actions", "message"),
    [
        ("taken", ["Publish"], "Invalid parameter: Statement already exists"),
        (
            "fresh",
            ["Publish", "GetSubscriptionAttributes"],
            "Invalid parameter: Policy statement action out of service scope!",
        ),
        (
            "fresh",
            ["NotAnAction"],
            "Invalid parameter: Policy statement action out of service scope!",
        ),
        ("", ["Publish"], "Invalid parameter: Label"),
    ],
    ids=["duplicate-label", "subscription-action", "unknown-action", "empty-label"],
)
def test_add_permission_refusals(sns: Any, label: str, actions: list[str], message: str) -> None:
    arn = new_topic(sns)
    sns.add_permission(
        TopicArn=arn, Label="taken", AWSAccountId=["111122223333"], ActionName=["Publish"]
    )
    before = _policy(sns, arn)
    assert aws_error(
        lambda: sns.add_permission(
            TopicArn=arn, Label=label, AWSAccountId=["999988887777"], ActionName=actions
        )
    ) == ("InvalidParameter", message, 400)
    assert _policy(sns, arn) == before


def test_missing_parameters_and_topics(server: ServerProcess, sns: Any) -> None:
    unchecked = server.client("sns", parameter_validation=False)
    arn = new_topic(sns)
    assert aws_error(
        lambda: unchecked.add_permission(
            TopicArn=arn, AWSAccountId=["111122223333"], ActionName=["Publish"]
        )
    ) == (
        "ValidationError",
        "1 validation error detected: Value null at 'label' failed to satisfy constraint: "
        "Member must not be null",
        400,
    )
    assert aws_error(lambda: unchecked.remove_permission(TopicArn=arn)) == (
        "ValidationError",
        "1 validation error detected: Value null at 'label' failed to satisfy constraint: "
        "Member must not be null",
        400,
    )
    assert [s["Sid"] for s in _policy(sns, arn)["Statement"]] == ["__default_statement_ID"]
    missing = arn + "-gone"
    assert aws_error(
        lambda: sns.add_permission(
            TopicArn=missing, Label="x", AWSAccountId=["111122223333"], ActionName=["Publish"]
        )
    ) == ("NotFound", "Topic does not exist", 404)
    assert aws_error(lambda: sns.remove_permission(TopicArn=missing, Label="x")) == (
        "NotFound",
        "Topic does not exist",
        404,
    )


def test_data_protection_policy(sns: Any) -> None:
    arn = new_topic(sns)
    assert "DataProtectionPolicy" not in sns.get_data_protection_policy(ResourceArn=arn)
    document = json.dumps(DATA_PROTECTION)
    sns.put_data_protection_policy(ResourceArn=arn, DataProtectionPolicy=document)
    assert sns.get_data_protection_policy(ResourceArn=arn)["DataProtectionPolicy"] == document
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["DataProtectionPolicy"] == document
    assert aws_error(
        lambda: sns.put_data_protection_policy(ResourceArn=arn, DataProtectionPolicy="{oops")
    ) == ("InvalidParameter", "Invalid parameter: DataProtectionPolicy: failed to parse JSON", 400)
    assert aws_error(
        lambda: sns.put_data_protection_policy(ResourceArn=arn, DataProtectionPolicy="[1]")
    ) == ("InvalidParameter", "Invalid parameter: DataProtectionPolicy: must be a JSON object", 400)
    assert sns.get_data_protection_policy(ResourceArn=arn)["DataProtectionPolicy"] == document
    sns.put_data_protection_policy(ResourceArn=arn, DataProtectionPolicy="")
    assert "DataProtectionPolicy" not in sns.get_data_protection_policy(ResourceArn=arn)
    assert aws_error(lambda: sns.get_data_protection_policy(ResourceArn=arn + "-gone")) == (
        "NotFound",
        "Topic does not exist",
        404,
    )


def test_policies_survive_kill_9(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = ServerProcess(data).start()
    try:
        sns = first.client("sns")
        arn = sns.create_topic(Name="kept")["TopicArn"]
        sns.add_permission(
            TopicArn=arn, Label="partner", AWSAccountId=["111122223333"], ActionName=["Publish"]
        )
        sns.put_data_protection_policy(
            ResourceArn=arn, DataProtectionPolicy=json.dumps(DATA_PROTECTION)
        )
        written = _policy(sns, arn)
    finally:
        first.kill()
    second = ServerProcess(data).start()
    try:
        sns = second.client("sns")
        assert _policy(sns, arn) == written
        assert [s["Sid"] for s in written["Statement"]][-1] == "partner"
        kept = sns.get_data_protection_policy(ResourceArn=arn)["DataProtectionPolicy"]
        assert json.loads(kept) == DATA_PROTECTION
    finally:
        second.stop()
