"""IAM's policy simulator through boto3: SimulateCustomPolicy, SimulatePrincipalPolicy and
GetContextKeysFor{Custom,Principal}Policy.

The positions of matched statements are those of AWS's CLI examples for the same document
(``aws iam simulate-custom-policy``: line 1, columns 38 and 167).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.aws.iam.conftest import ADMIN, TRUST, assert_error

DATED = (
    '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*",'
    '"Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}'
)


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=4)


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def context(name: str, values: list[str], kind: str = "string") -> dict[str, Any]:
    return {"ContextKeyName": name, "ContextKeyValues": values, "ContextKeyType": kind}


def decisions(response: dict[str, Any]) -> dict[str, str]:
    return {r["EvalActionName"]: r["EvalDecision"] for r in response["EvaluationResults"]}


# -- SimulateCustomPolicy ----------------------------------------------------------------
def test_custom_policy_allowed_with_aws_positions(iam: Any) -> None:
    response = iam.simulate_custom_policy(
        PolicyInputList=[DATED],
        ActionNames=["dynamodb:CreateBackup"],
        ContextEntries=[context("aws:CurrentTime", ["2019-04-25T11:00:00Z"], "date")],
    )
    (result,) = response["EvaluationResults"]
    assert result["EvalActionName"] == "dynamodb:CreateBackup"
    assert result["EvalResourceName"] == "*"
    assert result["EvalDecision"] == "allowed"
    assert result["MatchedStatements"] == [
        {
            "SourcePolicyId": "PolicyInputList.1",
            "StartPosition": {"Line": 1, "Column": 38},
            "EndPosition": {"Line": 1, "Column": 167},
        }
    ]
    assert result["MissingContextValues"] == []
    assert response["IsTruncated"] is False


def test_custom_policy_condition_false_is_implicit_deny(iam: Any) -> None:
    response = iam.simulate_custom_policy(
        PolicyInputList=[DATED],
        ActionNames=["dynamodb:CreateBackup"],
        ContextEntries=[context("aws:CurrentTime", ["2014-04-25T11:00:00Z"], "date")],
    )
    (result,) = response["EvaluationResults"]
    assert result["EvalDecision"] == "implicitDeny"
    assert result["MatchedStatements"] == []


def test_missing_context_value_is_reported(iam: Any) -> None:
    response = iam.simulate_custom_policy(
        PolicyInputList=[DATED], ActionNames=["dynamodb:CreateBackup"]
    )
    (result,) = response["EvaluationResults"]
    assert result["EvalDecision"] == "implicitDeny"
    assert result["MissingContextValues"] == ["aws:CurrentTime"]


def test_explicit_deny_wins_and_is_the_only_match(iam: Any) -> None:
    policies = [doc(allow("s3:*")), doc(deny("s3:Delete*"))]
    response = iam.simulate_custom_policy(
        PolicyInputList=policies, ActionNames=["s3:DeleteObject", "s3:GetObject", "sqs:SendMessage"]
    )
    assert decisions(response) == {
        "s3:DeleteObject": "explicitDeny",
        "s3:GetObject": "allowed",
        "sqs:SendMessage": "implicitDeny",
    }
    denied = response["EvaluationResults"][0]["MatchedStatements"]
    assert [s["SourcePolicyId"] for s in denied] == ["PolicyInputList.2"]
    assert denied[0]["StartPosition"] == {"Line": 4, "Column": 10}
    assert denied[0]["EndPosition"] == {"Line": 8, "Column": 10}


def test_action_wildcards_are_case_insensitive_and_not_action(iam: Any) -> None:
    policy = doc(allow("S3:get*"), {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    response = iam.simulate_custom_policy(
        PolicyInputList=[policy], ActionNames=["s3:GetObject", "iam:CreateUser", "ec2:Run?"]
    )
    assert decisions(response) == {
        "s3:GetObject": "allowed",
        "iam:CreateUser": "implicitDeny",
        "ec2:Run?": "allowed",
    }


def test_resource_arns_give_per_resource_results(iam: Any) -> None:
    policy = doc(allow("s3:GetObject", "arn:aws:s3:::public/*"))
    response = iam.simulate_custom_policy(
        PolicyInputList=[policy],
        ActionNames=["s3:GetObject"],
        ResourceArns=["arn:aws:s3:::public/a", "arn:aws:s3:::private/b"],
    )
    (result,) = response["EvaluationResults"]
    assert result["EvalDecision"] == "implicitDeny"  # the most restrictive of both
    per = {
        r["EvalResourceName"]: r["EvalResourceDecision"] for r in result["ResourceSpecificResults"]
    }
    assert per == {"arn:aws:s3:::public/a": "allowed", "arn:aws:s3:::private/b": "implicitDeny"}


def test_policy_variables_fill_resources(iam: Any) -> None:
    policy = doc(allow("s3:PutObject", "arn:aws:s3:::home/${aws:username}/*"))
    own = iam.simulate_custom_policy(
        PolicyInputList=[policy],
        ActionNames=["s3:PutObject"],
        ResourceArns=["arn:aws:s3:::home/bob/notes"],
        ContextEntries=[context("aws:username", ["bob"])],
    )
    assert decisions(own) == {"s3:PutObject": "allowed"}
    other = iam.simulate_custom_policy(
        PolicyInputList=[policy],
        ActionNames=["s3:PutObject"],
        ResourceArns=["arn:aws:s3:::home/alice/notes"],
        ContextEntries=[context("aws:username", ["bob"])],
    )
    assert decisions(other) == {"s3:PutObject": "implicitDeny"}


@pytest.mark.parametrize(
    ("condition", "entries", "expected"),
    [
        (
            {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},
            [context("aws:RequestedRegion", ["eu-west-1"])],
            "allowed",
        ),
        (
            {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}},
            [context("aws:RequestedRegion", ["eu-west-1"])],
            "implicitDeny",
        ),
        ({"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}, [], "allowed"),
        ({"StringLike": {"s3:prefix": "home/*"}}, [context("s3:prefix", ["home/x"])], "allowed"),
        (
            {"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "Ops"}},
            [context("aws:PrincipalTag/team", ["OPS"])],
            "allowed",
        ),
        (
            {"NumericLessThan": {"s3:max-keys": "10"}},
            [context("s3:max-keys", ["9"], "numeric")],
            "allowed",
        ),
        (
            {"NumericLessThan": {"s3:max-keys": "10"}},
            [context("s3:max-keys", ["10"], "numeric")],
            "implicitDeny",
        ),
        (
            {"NumericGreaterThanEquals": {"aws:MultiFactorAuthAge": "3600"}},
            [context("aws:MultiFactorAuthAge", ["3600"], "numeric")],
            "allowed",
        ),
        (
            {"Bool": {"aws:SecureTransport": "true"}},
            [context("aws:SecureTransport", ["true"], "boolean")],
            "allowed",
        ),
        (
            {"Bool": {"aws:SecureTransport": True}},
            [context("aws:SecureTransport", ["false"], "boolean")],
            "implicitDeny",
        ),
        (
            {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
            [context("aws:SourceIp", ["10.1.2.3"], "ip")],
            "allowed",
        ),
        (
            {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
            [context("aws:SourceIp", ["10.1.2.3"], "ip")],
            "implicitDeny",
        ),
        (
            {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:111122223333:*"}},
            [context("aws:SourceArn", ["arn:aws:sns:us-east-1:111122223333:t"])],
            "allowed",
        ),
        (
            {"ArnNotEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:t"}},
            [context("aws:SourceArn", ["arn:aws:sns:us-east-1:111122223333:t"])],
            "implicitDeny",
        ),
        (
            {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
            [context("aws:CurrentTime", ["2029-12-31T23:59:59Z"], "date")],
            "allowed",
        ),
        ({"Null": {"aws:TokenIssueTime": "true"}}, [], "allowed"),
        ({"Null": {"aws:TokenIssueTime": "false"}}, [], "implicitDeny"),
        ({"StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"}}, [], "allowed"),
        (
            {"ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "team"]}},
            [context("aws:TagKeys", ["team", "other"], "stringList")],
            "allowed",
        ),
        (
            {"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}},
            [context("aws:TagKeys", ["team", "other"], "stringList")],
            "implicitDeny",
        ),
        (
            {"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}},
            [context("aws:TagKeys", ["team", "env"], "stringList")],
            "allowed",
        ),
        ({"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}, [], "allowed"),
        ({"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}, [], "implicitDeny"),
    ],
)
def test_condition_operators(
    iam: Any, condition: dict[str, Any], entries: list[dict[str, Any]], expected: str
) -> None:
    response = iam.simulate_custom_policy(
        PolicyInputList=[doc(allow("ec2:RunInstances", Condition=condition))],
        ActionNames=["ec2:RunInstances"],
        ContextEntries=entries,
    )
    assert decisions(response) == {"ec2:RunInstances": expected}


def test_permissions_boundary_intersects(iam: Any) -> None:
    response = iam.simulate_custom_policy(
        PolicyInputList=[doc(allow(["s3:*", "sqs:*"]))],
        PermissionsBoundaryPolicyInputList=[doc(allow(["s3:*", "sns:*"]))],
        ActionNames=["s3:GetObject", "sqs:SendMessage", "sns:Publish"],
    )
    assert decisions(response) == {
        "s3:GetObject": "allowed",
        "sqs:SendMessage": "implicitDeny",
        "sns:Publish": "implicitDeny",
    }
    details = [r["PermissionsBoundaryDecisionDetail"] for r in response["EvaluationResults"]]
    assert details == [
        {"AllowedByPermissionsBoundary": True},
        {"AllowedByPermissionsBoundary": False},
        {"AllowedByPermissionsBoundary": True},
    ]


def test_resource_policy_grants_and_denies(iam: Any, account: str) -> None:
    caller = f"arn:aws:iam::{account}:user/alice"
    resource_policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": caller},
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::b/*",
                },
                {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:DeleteObject",
                    "Resource": "arn:aws:s3:::b/*",
                },
            ],
        }
    )
    response = iam.simulate_custom_policy(
        PolicyInputList=[doc(allow("s3:DeleteObject"))],
        ActionNames=["s3:GetObject", "s3:DeleteObject"],
        ResourceArns=["arn:aws:s3:::b/k"],
        ResourcePolicy=resource_policy,
        CallerArn=caller,
    )
    assert decisions(response) == {"s3:GetObject": "allowed", "s3:DeleteObject": "explicitDeny"}
    granted = response["EvaluationResults"][0]["MatchedStatements"]
    assert [(s["SourcePolicyId"], s["SourcePolicyType"]) for s in granted] == [
        ("ResourcePolicy", "resource")
    ]


def test_pagination(iam: Any) -> None:
    actions = [f"s3:Action{i}" for i in range(5)]
    first = iam.simulate_custom_policy(
        PolicyInputList=[doc(allow("s3:*"))], ActionNames=actions, MaxItems=2
    )
    assert first["IsTruncated"] is True
    seen = [r["EvalActionName"] for r in first["EvaluationResults"]]
    marker = first["Marker"]
    while marker:
        page = iam.simulate_custom_policy(
            PolicyInputList=[doc(allow("s3:*"))], ActionNames=actions, MaxItems=2, Marker=marker
        )
        seen += [r["EvalActionName"] for r in page["EvaluationResults"]]
        marker = page.get("Marker")
    assert seen == actions


def test_custom_policy_bad_inputs(iam: Any) -> None:
    assert_error(
        lambda: iam.simulate_custom_policy(PolicyInputList=["not json"], ActionNames=["s3:Get"]),
        "MalformedPolicyDocument",
        "Syntax errors in policy.",
        400,
    )
    assert_error(
        lambda: iam.simulate_custom_policy(
            PolicyInputList=[doc(allow("s3:Get"))],
            ActionNames=["s3:Get"],
            ResourcePolicy=doc(allow("s3:Get")),
        ),
        "InvalidInput",
        "CallerArn must be provided when ResourcePolicy is provided.",
        400,
    )
    assert_error(
        lambda: iam.simulate_custom_policy(
            PolicyInputList=[doc(allow("s3:*"))], ActionNames=["s3:Get"], Marker="garbage!"
        ),
        "ValidationError",
        "Invalid Marker.",
        400,
    )


# -- SimulatePrincipalPolicy -------------------------------------------------------------
def test_principal_policy_of_user_with_groups_and_managed(iam: Any, account: str) -> None:
    iam.create_user(UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="own", PolicyDocument=doc(allow("s3:*")))
    iam.create_group(GroupName="ops")
    iam.add_user_to_group(GroupName="ops", UserName="alice")
    iam.put_group_policy(
        GroupName="ops", PolicyName="no-delete", PolicyDocument=doc(deny("s3:Delete*"))
    )
    arn = iam.create_policy(PolicyName="queues", PolicyDocument=doc(allow("sqs:*")))["Policy"][
        "Arn"
    ]
    iam.attach_user_policy(UserName="alice", PolicyArn=arn)
    user_arn = f"arn:aws:iam::{account}:user/alice"
    response = iam.simulate_principal_policy(
        PolicySourceArn=user_arn,
        ActionNames=["s3:GetObject", "s3:DeleteObject", "sqs:SendMessage", "sns:Publish"],
    )
    assert decisions(response) == {
        "s3:GetObject": "allowed",
        "s3:DeleteObject": "explicitDeny",
        "sqs:SendMessage": "allowed",
        "sns:Publish": "implicitDeny",
    }
    matched = {
        r["EvalActionName"]: [
            (s["SourcePolicyId"], s["SourcePolicyType"]) for s in r["MatchedStatements"]
        ]
        for r in response["EvaluationResults"]
    }
    assert matched["s3:GetObject"] == [("own", "user")]
    assert matched["s3:DeleteObject"] == [("no-delete", "group")]
    assert matched["sqs:SendMessage"] == [("queues", "user-managed")]
    excluded = iam.simulate_principal_policy(
        PolicySourceArn=user_arn,
        ActionNames=["sqs:SendMessage", "s3:DeleteObject"],
        PolicyExclusionList=[
            {"PolicyArn": arn},
            {
                "InlinePolicyIdentifier": {
                    "PolicyName": "no-delete",
                    "AttachmentType": "group",
                    "AttachmentName": "ops",
                }
            },
        ],
    )
    assert decisions(excluded) == {"sqs:SendMessage": "implicitDeny", "s3:DeleteObject": "allowed"}
    no_inline = iam.simulate_principal_policy(
        PolicySourceArn=user_arn,
        ActionNames=["s3:GetObject", "sqs:SendMessage"],
        PolicyExclusionList=[{"PolicyType": "inline"}],
    )
    assert decisions(no_inline) == {"s3:GetObject": "implicitDeny", "sqs:SendMessage": "allowed"}


def test_principal_policy_of_role_with_boundary(iam: Any, account: str) -> None:
    boundary = iam.create_policy(PolicyName="bound", PolicyDocument=doc(allow("s3:*")))["Policy"][
        "Arn"
    ]
    iam.create_role(RoleName="worker", AssumeRolePolicyDocument=TRUST, PermissionsBoundary=boundary)
    iam.attach_role_policy(RoleName="worker", PolicyArn=ADMIN)
    response = iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{account}:role/worker",
        ActionNames=["s3:GetObject", "iam:CreateUser"],
    )
    assert decisions(response) == {"s3:GetObject": "allowed", "iam:CreateUser": "implicitDeny"}
    first = response["EvaluationResults"][0]
    assert first["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": True}
    assert [(s["SourcePolicyId"], s["SourcePolicyType"]) for s in first["MatchedStatements"]] == [
        ("AdministratorAccess", "aws-managed")
    ]
    assert response["EvaluationResults"][1]["PermissionsBoundaryDecisionDetail"] == {
        "AllowedByPermissionsBoundary": False
    }
    unbounded = iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{account}:role/worker",
        ActionNames=["iam:CreateUser"],
        PolicyExclusionList=[{"PolicyType": "permission-boundary"}],
    )
    assert decisions(unbounded) == {"iam:CreateUser": "allowed"}
    assert "PermissionsBoundaryDecisionDetail" not in unbounded["EvaluationResults"][0]


def test_principal_policy_adds_policy_input_list(iam: Any, account: str) -> None:
    iam.create_group(GroupName="readers")
    response = iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{account}:group/readers",
        PolicyInputList=[doc(allow("s3:GetObject"))],
        ActionNames=["s3:GetObject"],
    )
    assert response["EvaluationResults"][0]["MatchedStatements"][0]["SourcePolicyId"] == (
        "PolicyInputList.1"
    )


def test_principal_policy_bad_inputs(iam: Any, account: str) -> None:
    assert_error(
        lambda: iam.simulate_principal_policy(
            PolicySourceArn=f"arn:aws:iam::{account}:user/nobody", ActionNames=["s3:Get"]
        ),
        "NoSuchEntity",
        "The user with name nobody cannot be found.",
        404,
    )
    assert_error(
        lambda: iam.simulate_principal_policy(
            PolicySourceArn=f"arn:aws:iam::{account}:role/nobody", ActionNames=["s3:Get"]
        ),
        "NoSuchEntity",
        "The role with name nobody cannot be found.",
        404,
    )
    bad = "arn:aws:s3:::bucket-not-a-principal"
    assert_error(
        lambda: iam.simulate_principal_policy(PolicySourceArn=bad, ActionNames=["s3:Get"]),
        "InvalidInput",
        f"Invalid ARN: {bad}",
        400,
    )


# -- GetContextKeysFor... ----------------------------------------------------------------
def test_context_keys_for_custom_policy(iam: Any) -> None:
    policy = doc(
        allow(
            "s3:*",
            "arn:aws:s3:::home/${aws:username}/*",
            Condition={
                "StringEquals": {"aws:RequestedRegion": "eu-west-1"},
                "Bool": {"aws:MultiFactorAuthPresent": "true"},
            },
        ),
    )
    keys = iam.get_context_keys_for_custom_policy(PolicyInputList=[policy, DATED])
    assert keys["ContextKeyNames"] == [
        "aws:username",
        "aws:RequestedRegion",
        "aws:MultiFactorAuthPresent",
        "aws:CurrentTime",
    ]
    assert_error(
        lambda: iam.get_context_keys_for_custom_policy(PolicyInputList=["{"]),
        "MalformedPolicyDocument",
        "Syntax errors in policy.",
        400,
    )


def test_context_keys_for_principal_policy(iam: Any, account: str) -> None:
    iam.create_user(UserName="bob")
    iam.put_user_policy(UserName="bob", PolicyName="p", PolicyDocument=DATED)
    keys = iam.get_context_keys_for_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{account}:user/bob",
        PolicyInputList=[
            doc(allow("s3:*", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
        ],
    )
    assert keys["ContextKeyNames"] == ["aws:CurrentTime", "aws:SourceIp"]
    assert_error(
        lambda: iam.get_context_keys_for_principal_policy(
            PolicySourceArn=f"arn:aws:iam::{account}:group/none"
        ),
        "NoSuchEntity",
        "The group with name none cannot be found.",
        404,
    )


def test_positions_ignore_braces_inside_strings(iam: Any) -> None:
    """Statement positions are found by reading the JSON, not by counting braces."""
    policy = (
        '{"Version": "2012-10-17", "Id": "a {tricky} \\"id\\"",\n'
        ' "Statement": [\n'
        '  {"Sid": "S1", "Effect": "Deny", "Action": "s3:Put*", "Resource": "arn:aws:s3:::b/{x}"},\n'
        '  {"Sid": "S2", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}\n'
        " ]}"
    )
    response = iam.simulate_custom_policy(PolicyInputList=[policy], ActionNames=["s3:GetObject"])
    (matched,) = response["EvaluationResults"][0]["MatchedStatements"]
    assert matched["StartPosition"] == {"Line": 4, "Column": 4}
    assert matched["EndPosition"] == {"Line": 4, "Column": 70}


def test_across_accounts_both_sides_must_allow(iam: Any, account: str) -> None:
    caller = f"arn:aws:iam::{account}:user/alice"
    owner = "arn:aws:iam::111122223333:root"

    def resource_policy(principal: str) -> str:
        statement = {
            "Effect": "Allow",
            "Principal": {"AWS": principal},
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::theirs/*",
        }
        return json.dumps({"Version": "2012-10-17", "Statement": [statement]})

    def decide(identity: list[str], granted_to: str) -> str:
        response = iam.simulate_custom_policy(
            PolicyInputList=identity,
            ActionNames=["s3:GetObject"],
            ResourceArns=["arn:aws:s3:::theirs/k"],
            ResourcePolicy=resource_policy(granted_to),
            ResourceOwner=owner,
            CallerArn=caller,
        )
        return str(response["EvaluationResults"][0]["EvalDecision"])

    assert decide([doc(allow("s3:GetObject"))], caller) == "allowed"
    assert decide([doc(allow("s3:GetObject"))], account) == "allowed"  # the caller's account
    assert decide([doc(allow("s3:GetObject"))], "444455556666") == "implicitDeny"
    assert decide([doc(allow("sqs:*"))], caller) == "implicitDeny"  # identity must allow too
