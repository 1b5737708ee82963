"""Managed policies, versions, attachments and inline policies through boto3.

The malformed documents and their messages are IAM's recorded answers (the same table
peers such as moto check against AWS); see stratus/services/identity/policy.py.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.aws.iam.conftest import ADMIN, BASIC_EXECUTION, POLICY, TRUST, assert_error


def local_policies(iam: Any) -> list[str]:
    return [p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]]


def doc(statement: Any, version: str | None = "2012-10-17", **extra: Any) -> str:
    body: dict[str, Any] = {"Statement": statement, **extra}
    if version is not None:
        body["Version"] = version
    return json.dumps(body)


OK = {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::bucket"}
SYNTAX = "Syntax errors in policy."
LEGACY = "The policy failed legacy parsing"

MALFORMED = [
    ("not-json", "This is not a json document", SYNTAX),
    ("no-version", doc(OK, None), "Policy document must be version 2012-10-17 or greater."),
    ("old-version", doc(OK, "2008-10-17"), "Policy document must be version 2012-10-17 or greater."),
    ("unknown-version", doc(OK, "2013-10-17"), SYNTAX),
    ("no-statement", json.dumps({"Version": "2012-10-17"}), SYNTAX),
    ("empty-statement-list", doc([]), SYNTAX),
    ("statement-not-object", doc(["afd"]), SYNTAX),
    ("extra-top-level-field", doc(OK, **{"Extra field": "value"}), SYNTAX),
    ("extra-statement-field", doc({**OK, "Extra field": "value"}), SYNTAX),
    ("id-not-string", doc(OK, Id=["x"]), SYNTAX),
    ("effect-invalid", doc({**OK, "Effect": "invalid"}), SYNTAX),
    ("effect-missing", doc({"Action": "s3:ListBucket", "Resource": "*"}), SYNTAX),
    ("effect-wrong-case", doc({**OK, "Effect": "denY"}), LEGACY),
    ("action-without-vendor", doc({**OK, "Action": "invalid"}),
     "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."),
    ("vendor-with-space", doc({**OK, "Action": "a a:ListBucket"}), "Vendor a a is not valid"),
    ("action-two-colons", doc({**OK, "Action": "s3:List:Bucket"}),
     "Actions/Condition can contain only one colon."),
    ("resource-not-arn", doc({**OK, "Resource": "invalid resource"}),
     'Resource invalid resource must be in ARN format or "*".'),
    ("resource-empty", doc({**OK, "Resource": ""}), 'Resource  must be in ARN format or "*".'),
    ("resource-partition", doc({**OK, "Resource": "a:bsdfdsafsad"}),
     'Partition "bsdfdsafsad" is not valid for resource "arn:bsdfdsafsad:*:*:*:*".'),
    ("resource-too-short", doc({**OK, "Resource": "arn:aws"}),
     "Resource vendor must be fully qualified and cannot contain regexes."),
    ("resource-five-parts", doc({**OK, "Resource": "arn:aws:s3::example_bucket"}), LEGACY),
    ("s3-with-region", doc({**OK, "Resource": "arn:aws:s3:us-east-1::example_bucket"}),
     "Resource arn:aws:s3:us-east-1::example_bucket can not contain region information."),
    ("iam-with-region", doc({**OK, "Resource": "arn:aws:iam:us-east-1::example_bucket"}),
     "IAM resource arn:aws:iam:us-east-1::example_bucket cannot contain region information."),
    ("iam-bad-path", doc({**OK, "Resource": "arn:aws:iam:::example_bucket"}),
     'IAM resource path must either be "*" or start with user/, federated-user/, role/, '
     "group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, "
     "oidc-provider/, report/, access-report/."),
    ("no-resource", doc({"Effect": "Allow", "Action": "s3:ListBucket"}),
     "Policy statement must contain resources."),
    ("empty-resource-list", doc({**OK, "Resource": []}), "Policy statement must contain resources."),
    ("no-action", doc({"Effect": "Allow", "Resource": "*"}), "Policy statement must contain actions."),
    ("empty-action-list", doc({**OK, "Action": []}), "Policy statement must contain actions."),
    ("action-and-notaction", doc({**OK, "NotAction": "iam:dsf"}), SYNTAX),
    ("resource-and-notresource", doc({**OK, "NotResource": "*"}), SYNTAX),
    ("resource-object", doc({**OK, "Resource": {"a": "arn:aws:s3:::bucket"}}), SYNTAX),
    ("action-nested-list", doc({**OK, "Action": [[]]}), SYNTAX),
    ("condition-list", doc({**OK, "Condition": []}), SYNTAX),
    ("condition-string", doc({**OK, "Condition": "a"}), SYNTAX),
    ("condition-operator-not-object", doc({**OK, "Condition": {"a": "b"}}), SYNTAX),
    ("condition-value-object", doc({**OK, "Condition": {"DateGreaterThan": {"a": {}}}}), SYNTAX),
    ("condition-date-not-date", doc({**OK, "Condition": {"DateGreaterThan": {"a": "sdfdsf"}}}),
     LEGACY),
    ("sid-not-string", doc({**OK, "Sid": {}}), SYNTAX),
    ("duplicate-sid", doc([{**OK, "Sid": "a"}, {**OK, "Sid": "a"}]),
     "Statement IDs (SID) in a single policy must be unique."),
    ("principal-in-identity-policy", doc({**OK, "Principal": {"AWS": "*"}}),
     "Policy document should not specify a principal."),
]  # fmt: skip


@pytest.mark.parametrize(
    ("document", "message"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
def test_malformed_policy_documents(iam: Any, document: str, message: str) -> None:
    assert_error(
        lambda: iam.create_policy(PolicyName="bad", PolicyDocument=document),
        "MalformedPolicyDocument",
        message,
        400,
    )
    assert local_policies(iam) == []


@pytest.mark.parametrize(
    ("document", "message"), [m[1:] for m in MALFORMED[::5]], ids=[m[0] for m in MALFORMED[::5]]
)
def test_malformed_inline_policies_are_not_stored(iam: Any, document: str, message: str) -> None:
    iam.create_role(RoleName="holder", AssumeRolePolicyDocument=TRUST)
    assert_error(
        lambda: iam.put_role_policy(RoleName="holder", PolicyName="p", PolicyDocument=document),
        "MalformedPolicyDocument",
        message,
        400,
    )
    assert iam.list_role_policies(RoleName="holder")["PolicyNames"] == []


def test_policy_lifecycle(iam: Any, account: str) -> None:
    created = iam.create_policy(
        PolicyName="reader",
        Path="/team/",
        PolicyDocument=POLICY,
        Description="reads",
        Tags=[{"Key": "a", "Value": "b"}],
    )["Policy"]
    arn = f"arn:aws:iam::{account}:policy/team/reader"
    assert created["Arn"] == arn
    assert re.fullmatch(r"ANPA[A-Z2-7]{17}", created["PolicyId"])
    assert (created["DefaultVersionId"], created["AttachmentCount"]) == ("v1", 0)
    got = iam.get_policy(PolicyArn=arn)["Policy"]
    assert got["Description"] == "reads"
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [{"Key": "a", "Value": "b"}]
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "c", "Value": "d"}])
    iam.untag_policy(PolicyArn=arn, TagKeys=["a"])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [{"Key": "c", "Value": "d"}]
    version = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]
    assert version["Document"] == json.loads(POLICY)
    assert version["IsDefaultVersion"] is True
    assert local_policies(iam) == ["reader"]
    assert [
        p["PolicyName"] for p in iam.list_policies(Scope="Local", PathPrefix="/x/")["Policies"]
    ] == []
    assert_error(
        lambda: iam.create_policy(PolicyName="READER", PolicyDocument=POLICY),
        "EntityAlreadyExists",
        "A policy called READER already exists. Duplicate names are not allowed.",
        409,
    )
    iam.delete_policy(PolicyArn=arn)
    assert_error(
        lambda: iam.get_policy(PolicyArn=arn), "NoSuchEntity", f"Policy {arn} was not found.", 404
    )


def test_policy_versions_and_their_limit(iam: Any, account: str) -> None:
    arn = iam.create_policy(PolicyName="versioned", PolicyDocument=POLICY)["Policy"]["Arn"]
    for index in range(2, 6):
        made = iam.create_policy_version(PolicyArn=arn, PolicyDocument=POLICY)["PolicyVersion"]
        assert (made["VersionId"], made["IsDefaultVersion"]) == (f"v{index}", False)
    assert_error(
        lambda: iam.create_policy_version(PolicyArn=arn, PolicyDocument=POLICY),
        "LimitExceeded",
        "A managed policy can have up to 5 versions. Before you create a new version, you "
        "must delete an existing version.",
        409,
    )
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [v["VersionId"] for v in versions] == ["v5", "v4", "v3", "v2", "v1"]
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v3")
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v3"
    assert_error(
        lambda: iam.delete_policy_version(PolicyArn=arn, VersionId="v3"),
        "DeleteConflict",
        "Cannot delete the default version of a policy.",
        409,
    )
    assert_error(
        lambda: iam.get_policy_version(PolicyArn=arn, VersionId="v9"),
        "NoSuchEntity",
        f"Policy {arn} version v9 does not exist or is not attachable.",
        404,
    )
    assert_error(
        lambda: iam.set_default_policy_version(PolicyArn=arn, VersionId="v9"),
        "NoSuchEntity",
        f"Policy {arn} version v9 does not exist or is not attachable.",
        404,
    )
    iam.delete_policy_version(PolicyArn=arn, VersionId="v1")
    made = iam.create_policy_version(PolicyArn=arn, PolicyDocument=POLICY, SetAsDefault=True)
    assert made["PolicyVersion"]["VersionId"] == "v6"
    assert made["PolicyVersion"]["IsDefaultVersion"] is True
    assert_error(
        lambda: iam.delete_policy(PolicyArn=arn),
        "DeleteConflict",
        "This policy has more than one version. Before you delete a policy, you must delete "
        "the policy's versions. The default version is deleted with the policy.",
        409,
    )
    for version_id in ("v2", "v3", "v4", "v5"):
        iam.delete_policy_version(PolicyArn=arn, VersionId=version_id)
    iam.delete_policy(PolicyArn=arn)
    assert local_policies(iam) == []


def test_attachments_and_entities(iam: Any, account: str) -> None:
    arn = iam.create_policy(PolicyName="shared", PolicyDocument=POLICY)["Policy"]["Arn"]
    iam.create_role(RoleName="role", AssumeRolePolicyDocument=TRUST)
    iam.create_user(UserName="user")
    iam.create_group(GroupName="group")
    iam.attach_role_policy(RoleName="role", PolicyArn=arn)
    iam.attach_role_policy(RoleName="role", PolicyArn=BASIC_EXECUTION)
    iam.attach_user_policy(UserName="user", PolicyArn=arn)
    iam.attach_group_policy(GroupName="group", PolicyArn=arn)
    attached = iam.list_attached_role_policies(RoleName="role")["AttachedPolicies"]
    assert attached == [
        {"PolicyName": "shared", "PolicyArn": arn},
        {"PolicyName": "AWSLambdaBasicExecutionRole", "PolicyArn": BASIC_EXECUTION},
    ]
    on_path = iam.list_attached_role_policies(RoleName="role", PathPrefix="/service-role/")
    assert [p["PolicyArn"] for p in on_path["AttachedPolicies"]] == [BASIC_EXECUTION]
    assert (
        iam.list_attached_user_policies(UserName="user")["AttachedPolicies"][0]["PolicyArn"] == arn
    )
    assert (
        iam.list_attached_group_policies(GroupName="group")["AttachedPolicies"][0]["PolicyArn"]
        == arn
    )
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 3
    entities = iam.list_entities_for_policy(PolicyArn=arn)
    assert [r["RoleName"] for r in entities["PolicyRoles"]] == ["role"]
    assert [u["UserName"] for u in entities["PolicyUsers"]] == ["user"]
    assert [g["GroupName"] for g in entities["PolicyGroups"]] == ["group"]
    only_roles = iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="Role")
    assert only_roles["PolicyUsers"] == [] and len(only_roles["PolicyRoles"]) == 1
    attached_only = iam.list_policies(OnlyAttached=True)["Policies"]
    assert {p["Arn"] for p in attached_only} == {arn, BASIC_EXECUTION}
    assert_error(
        lambda: iam.delete_policy(PolicyArn=arn),
        "DeleteConflict",
        "Cannot delete a policy attached to entities.",
        409,
    )
    iam.detach_role_policy(RoleName="role", PolicyArn=arn)
    assert_error(
        lambda: iam.detach_role_policy(RoleName="role", PolicyArn=arn),
        "NoSuchEntity",
        f"Policy {arn} was not attached.",
        404,
    )
    missing = f"arn:aws:iam::{account}:policy/missing"
    assert_error(
        lambda: iam.attach_role_policy(RoleName="role", PolicyArn=missing),
        "NoSuchEntity",
        f"Policy {missing} does not exist or is not attachable.",
        404,
    )
    assert_error(
        lambda: iam.attach_role_policy(RoleName="ghost", PolicyArn=arn),
        "NoSuchEntity",
        "The role with name ghost cannot be found.",
        404,
    )


def test_aws_managed_policies_exist_without_being_created(iam: Any) -> None:
    policy = iam.get_policy(PolicyArn=ADMIN)["Policy"]
    assert (policy["PolicyName"], policy["Path"]) == ("AdministratorAccess", "/")
    assert re.fullmatch(r"ANPA[A-Z2-7]{17}", policy["PolicyId"])
    version = iam.get_policy_version(PolicyArn=ADMIN, VersionId=policy["DefaultVersionId"])
    assert version["PolicyVersion"]["Document"]["Statement"][0]["Action"] == "*"
    aws_names = {p["PolicyName"] for p in iam.list_policies(Scope="AWS")["Policies"]}
    assert {"AdministratorAccess", "AWSLambdaBasicExecutionRole"} <= aws_names
    assert_error(
        lambda: iam.delete_policy(PolicyArn=ADMIN),
        "InvalidInput",
        f"Policy {ADMIN} is an AWS managed policy and cannot be changed.",
        400,
    )


def test_policy_too_large(iam: Any) -> None:
    actions = [f"s3:Action{i:05d}" for i in range(500)]
    document = doc({"Effect": "Allow", "Action": actions, "Resource": "*"})
    assert_error(
        lambda: iam.create_policy(PolicyName="huge", PolicyDocument=document),
        "LimitExceeded",
        "Cannot exceed quota for PolicySize: 6144",
        409,
    )


@pytest.mark.parametrize("kind", ["Role", "User", "Group"])
def test_inline_policies(iam: Any, kind: str) -> None:
    create = {"Role": lambda: iam.create_role(RoleName="h", AssumeRolePolicyDocument=TRUST),
              "User": lambda: iam.create_user(UserName="h"),
              "Group": lambda: iam.create_group(GroupName="h")}[kind]  # fmt: skip
    create()
    holder = {f"{kind}Name": "h"}
    snake = kind.lower()
    getattr(iam, f"put_{snake}_policy")(**holder, PolicyName="b", PolicyDocument=POLICY)
    getattr(iam, f"put_{snake}_policy")(**holder, PolicyName="a", PolicyDocument=POLICY)
    got = getattr(iam, f"get_{snake}_policy")(**holder, PolicyName="a")
    assert got["PolicyDocument"] == json.loads(POLICY)
    assert (got[f"{kind}Name"], got["PolicyName"]) == ("h", "a")
    assert getattr(iam, f"list_{snake}_policies")(**holder)["PolicyNames"] == ["a", "b"]
    getattr(iam, f"delete_{snake}_policy")(**holder, PolicyName="a")
    assert getattr(iam, f"list_{snake}_policies")(**holder)["PolicyNames"] == ["b"]
    assert_error(
        lambda: getattr(iam, f"get_{snake}_policy")(**holder, PolicyName="a"),
        "NoSuchEntity",
        f"The {snake} policy with name a cannot be found.",
        404,
    )
    assert_error(
        lambda: getattr(iam, f"delete_{snake}_policy")(**holder, PolicyName="a"),
        "NoSuchEntity",
        f"The {snake} policy with name a cannot be found.",
        404,
    )


def test_inline_policies_may_omit_the_version(iam: Any) -> None:
    """IAM reads a Version-less inline policy as 2008-10-17 (SAM templates rely on it)."""
    iam.create_user(UserName="legacy")
    iam.put_user_policy(UserName="legacy", PolicyName="old", PolicyDocument=doc(OK, None))
    assert iam.list_user_policies(UserName="legacy")["PolicyNames"] == ["old"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param(
            {"PolicyName": "a b"},
            "1 validation error detected: Value 'a b' at 'policyName' failed to satisfy "
            r"constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+",
            id="name",
        ),
        pytest.param(
            {"PolicyName": "ok", "Path": "/has space/"},
            "1 validation error detected: Value '/has space/' at 'path' failed to satisfy "
            r"constraint: Member must satisfy regular expression pattern: "
            r"((/[A-Za-z0-9\.,\+@=_-]+)*)/",
            id="path",
        ),
    ],
)
def test_bad_policy_names_and_paths(iam: Any, kwargs: dict[str, Any], message: str) -> None:
    assert_error(
        lambda: iam.create_policy(PolicyDocument=POLICY, **kwargs), "ValidationError", message, 400
    )
    assert local_policies(iam) == []
