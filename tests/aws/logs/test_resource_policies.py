"""Resource policies through boto3: account-level ones by name (10 per region), a log
group's own with its revision id, pages, and AWS's errors for each bad input."""

from __future__ import annotations

import json
import random
import time
from typing import Any

import botocore.exceptions
import pytest

from tests.conftest import ServerProcess, unique_name

DOCUMENT = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "TrustEventsToStoreLogEvent",
                "Effect": "Allow",
                "Principal": {"Service": ["events.amazonaws.com", "delivery.logs.amazonaws.com"]},
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": "arn:aws:logs:us-east-1:111111111111:log-group:/aws/events/*:*",
            }
        ],
    }
)


def _account() -> str:
    return "".join(random.choice("0123456789") for _ in range(12))


@pytest.fixture
def account() -> str:
    """A fresh account per test: the 10-policy quota is the account's."""
    return _account()


@pytest.fixture
def logs(server: ServerProcess, account: str) -> Any:
    return server.client("logs", access_key=account)


def _error(info: pytest.ExceptionInfo[botocore.exceptions.ClientError]) -> tuple[str, str]:
    error = info.value.response["Error"]
    return error["Code"], error["Message"]


def test_put_describe_update_and_delete_an_account_policy(logs: Any) -> None:
    before = int(time.time() * 1000)
    put = logs.put_resource_policy(policyName="events", policyDocument=DOCUMENT)
    policy = put["resourcePolicy"]
    assert policy["policyName"] == "events" and policy["policyDocument"] == DOCUMENT
    assert policy["policyScope"] == "ACCOUNT"
    assert before <= policy["lastUpdatedTime"] <= int(time.time() * 1000)
    assert "revisionId" not in put and "resourceArn" not in policy
    assert logs.describe_resource_policies()["resourcePolicies"] == [policy]

    time.sleep(0.01)
    changed = json.dumps({"Statement": [{"Effect": "Allow", "Action": "logs:*"}]})
    updated = logs.put_resource_policy(policyName="events", policyDocument=changed)
    assert updated["resourcePolicy"]["policyDocument"] == changed
    assert updated["resourcePolicy"]["lastUpdatedTime"] > policy["lastUpdatedTime"]
    listed = logs.describe_resource_policies(policyScope="ACCOUNT")["resourcePolicies"]
    assert [p["policyDocument"] for p in listed] == [changed]

    logs.delete_resource_policy(policyName="events")
    assert logs.describe_resource_policies()["resourcePolicies"] == []


def test_policies_belong_to_their_account_and_region(server: ServerProcess, logs: Any) -> None:
    logs.put_resource_policy(policyName="mine", policyDocument=DOCUMENT)
    other = server.client("logs", access_key=_account())
    assert other.describe_resource_policies()["resourcePolicies"] == []
    west = server.client("logs", access_key="000000000000", region="us-west-2")
    assert all(
        p["policyName"] != "mine" for p in west.describe_resource_policies()["resourcePolicies"]
    )


def test_ten_policies_per_region_then_limit_exceeded_but_updates_still_work(logs: Any) -> None:
    for i in range(10):
        logs.put_resource_policy(policyName=f"p{i:02d}", policyDocument=DOCUMENT)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.put_resource_policy(policyName="eleventh", policyDocument=DOCUMENT)
    assert _error(info) == ("LimitExceededException", "Resource limit exceeded.")
    logs.put_resource_policy(policyName="p03", policyDocument="{}")
    names = [p["policyName"] for p in logs.describe_resource_policies()["resourcePolicies"]]
    assert names == [f"p{i:02d}" for i in range(10)]
    logs.delete_resource_policy(policyName="p00")
    logs.put_resource_policy(policyName="eleventh", policyDocument=DOCUMENT)


def test_pages_of_policies(logs: Any) -> None:
    for i in range(5):
        logs.put_resource_policy(policyName=f"p{i}", policyDocument=DOCUMENT)
    first = logs.describe_resource_policies(limit=2)
    assert [p["policyName"] for p in first["resourcePolicies"]] == ["p0", "p1"]
    second = logs.describe_resource_policies(limit=2, nextToken=first["nextToken"])
    assert [p["policyName"] for p in second["resourcePolicies"]] == ["p2", "p3"]
    third = logs.describe_resource_policies(limit=2, nextToken=second["nextToken"])
    assert [p["policyName"] for p in third["resourcePolicies"]] == ["p4"]
    assert "nextToken" not in third


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("not json", "Policy document is not a valid JSON document."),
        ('["a list"]', "Policy document is not a valid JSON document."),
        (
            json.dumps({"Statement": [], "Pad": "x" * 5120}),
            "Policy document exceeds the maximum length of 5120 characters.",
        ),
    ],
    ids=["not-json", "not-an-object", "too-long"],
)
def test_bad_documents_are_refused_and_nothing_is_stored(
    logs: Any, document: str, message: str
) -> None:
    logs.put_resource_policy(policyName="kept", policyDocument=DOCUMENT)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.put_resource_policy(policyName="kept", policyDocument=document)
    assert _error(info) == ("InvalidParameterException", message)
    listed = logs.describe_resource_policies()["resourcePolicies"]
    assert [p["policyDocument"] for p in listed] == [DOCUMENT]


def test_name_and_document_are_required(logs: Any) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.put_resource_policy(policyDocument=DOCUMENT)
    assert _error(info) == ("InvalidParameterException", "policyName is required.")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.put_resource_policy(policyName="p")
    assert _error(info) == ("InvalidParameterException", "policyDocument is required.")
    assert logs.describe_resource_policies()["resourcePolicies"] == []


def test_deleting_an_unknown_policy_is_refused(logs: Any) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.delete_resource_policy(policyName="non-existent")
    assert _error(info) == (
        "ResourceNotFoundException",
        "Policy with name [non-existent] does not exist",
    )


def test_a_log_groups_own_policy_is_guarded_by_its_revision(logs: Any, account: str) -> None:
    group = f"/app/{unique_name()}"
    logs.create_log_group(logGroupName=group)
    arn = f"arn:aws:logs:us-east-1:{account}:log-group:{group}"
    put = logs.put_resource_policy(policyName="own", policyDocument=DOCUMENT, resourceArn=arn)
    revision = put["revisionId"]
    assert put["resourcePolicy"]["policyScope"] == "RESOURCE"
    assert put["resourcePolicy"]["resourceArn"] == arn
    assert put["resourcePolicy"]["revisionId"] == revision
    # Not an account policy: the account's listing does not show it.
    assert logs.describe_resource_policies()["resourcePolicies"] == []
    mine = logs.describe_resource_policies(resourceArn=arn)["resourcePolicies"]
    assert [p["policyName"] for p in mine] == ["own"]
    # The group's ARN with ":*" (as DescribeLogGroups' "arn" shows it) names it too.
    assert logs.describe_resource_policies(resourceArn=arn + ":*")["resourcePolicies"] == mine
    assert logs.describe_resource_policies(policyScope="RESOURCE")["resourcePolicies"] == mine

    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.put_resource_policy(policyName="own", policyDocument="{}", resourceArn=arn)
    assert _error(info) == (
        "OperationAbortedException",
        "The expected revision id does not match the current revision id.",
    )
    again = logs.put_resource_policy(
        policyName="own", policyDocument="{}", resourceArn=arn, expectedRevisionId=revision
    )
    assert again["revisionId"] != revision
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.put_resource_policy(
            policyName="second",
            policyDocument="{}",
            resourceArn=arn,
            expectedRevisionId=again["revisionId"],
        )
    assert _error(info) == (
        "InvalidParameterException",
        "A resource can have only one resource policy.",
    )
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.describe_resource_policies(resourceArn=arn, policyScope="ACCOUNT")
    assert _error(info) == (
        "InvalidParameterException",
        "resourceArn cannot be specified with policyScope ACCOUNT.",
    )
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.delete_resource_policy(policyName="own", resourceArn=arn, expectedRevisionId=revision)
    assert _error(info)[0] == "OperationAbortedException"
    logs.delete_resource_policy(
        policyName="own", resourceArn=arn, expectedRevisionId=again["revisionId"]
    )
    assert logs.describe_resource_policies(resourceArn=arn)["resourcePolicies"] == []


def test_a_policy_for_a_missing_group_or_a_foreign_arn_is_refused(logs: Any, account: str) -> None:
    missing = f"arn:aws:logs:us-east-1:{account}:log-group:/nowhere"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.put_resource_policy(policyName="p", policyDocument=DOCUMENT, resourceArn=missing)
    assert _error(info) == (
        "ResourceNotFoundException",
        "The specified log group does not exist.",
    )
    foreign = "arn:aws:logs:us-east-1:999999999999:log-group:/theirs"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.put_resource_policy(policyName="p", policyDocument=DOCUMENT, resourceArn=foreign)
    assert _error(info) == ("InvalidParameterException", f"Invalid resourceArn: {foreign}")
    assert logs.describe_resource_policies(policyScope="RESOURCE")["resourcePolicies"] == []
