"""IAM roles, service-linked roles and instance profiles through boto3 on a real server."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.aws.iam.conftest import (
    ADMIN,
    BASIC_EXECUTION,
    POLICY,
    TRUST,
    assert_error,
    role_names,
)


def test_create_get_role_as_aws_shapes_it(iam: Any, account: str) -> None:
    created = iam.create_role(
        RoleName="app-role",
        AssumeRolePolicyDocument=TRUST,
        Path="/service/",
        Description="runs the app",
        MaxSessionDuration=7200,
        Tags=[{"Key": "team", "Value": "core"}],
    )["Role"]
    assert created["Arn"] == f"arn:aws:iam::{account}:role/service/app-role"
    assert re.fullmatch(r"AROA[A-Z2-7]{17}", created["RoleId"])
    assert created["AssumeRolePolicyDocument"] == json.loads(TRUST)
    role = iam.get_role(RoleName="app-role")["Role"]
    assert role["Path"] == "/service/"
    assert role["Description"] == "runs the app"
    assert role["MaxSessionDuration"] == 7200
    assert role["Tags"] == [{"Key": "team", "Value": "core"}]
    assert role["RoleLastUsed"] == {}
    assert role["CreateDate"] == created["CreateDate"]
    # IAM names ignore case for lookups as for uniqueness.
    assert iam.get_role(RoleName="APP-ROLE")["Role"]["RoleId"] == created["RoleId"]


def test_list_roles_by_path_prefix_and_pages(iam: Any) -> None:
    for index in range(5):
        iam.create_role(
            RoleName=f"r{index}",
            AssumeRolePolicyDocument=TRUST,
            Path="/a/" if index % 2 else "/b/",
        )
    assert role_names(iam) == ["r0", "r1", "r2", "r3", "r4"]
    listed = iam.list_roles(PathPrefix="/a/")["Roles"]
    assert [r["RoleName"] for r in listed] == ["r1", "r3"]
    assert "Tags" not in listed[0] and "RoleLastUsed" not in listed[0]
    first = iam.list_roles(MaxItems=2)
    assert first["IsTruncated"] is True
    second = iam.list_roles(MaxItems=2, Marker=first["Marker"])
    third = iam.list_roles(MaxItems=2, Marker=second["Marker"])
    assert third["IsTruncated"] is False and "Marker" not in third
    pages = [first, second, third]
    assert [r["RoleName"] for p in pages for r in p["Roles"]] == role_names(iam)
    assert_error(
        lambda: iam.list_roles(MaxItems=0),
        "ValidationError",
        "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1",
        400,
    )
    paginated = iam.get_paginator("list_roles").paginate(PaginationConfig={"PageSize": 2})
    assert [r["RoleName"] for p in paginated for r in p["Roles"]] == role_names(iam)


def test_update_role_description_and_trust_policy(iam: Any) -> None:
    iam.create_role(RoleName="upd", AssumeRolePolicyDocument=TRUST)
    iam.update_role(RoleName="upd", Description="new", MaxSessionDuration=43200)
    role = iam.get_role(RoleName="upd")["Role"]
    assert (role["Description"], role["MaxSessionDuration"]) == ("new", 43200)
    described = iam.update_role_description(RoleName="upd", Description="newer")["Role"]
    assert described["Description"] == "newer"
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
             "Action": "sts:AssumeRole"}
        ],
    }  # fmt: skip
    iam.update_assume_role_policy(RoleName="upd", PolicyDocument=json.dumps(trust))
    assert iam.get_role(RoleName="upd")["Role"]["AssumeRolePolicyDocument"] == trust


def test_role_tags(iam: Any) -> None:
    iam.create_role(RoleName="tagged", AssumeRolePolicyDocument=TRUST)
    iam.tag_role(RoleName="tagged", Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    iam.untag_role(RoleName="tagged", TagKeys=["a"])
    assert iam.list_role_tags(RoleName="tagged")["Tags"] == [{"Key": "b", "Value": "2"}]
    assert_error(
        lambda: iam.tag_role(
            RoleName="tagged", Tags=[{"Key": f"k{i}", "Value": ""} for i in range(50)]
        ),
        "LimitExceeded",
        "The number of tags has reached the maximum limit.",
        409,
    )


def test_permissions_boundary(iam: Any) -> None:
    iam.create_role(RoleName="bounded", AssumeRolePolicyDocument=TRUST, PermissionsBoundary=ADMIN)
    boundary = iam.get_role(RoleName="bounded")["Role"]["PermissionsBoundary"]
    assert boundary == {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": ADMIN}
    iam.delete_role_permissions_boundary(RoleName="bounded")
    assert "PermissionsBoundary" not in iam.get_role(RoleName="bounded")["Role"]
    iam.put_role_permissions_boundary(RoleName="bounded", PermissionsBoundary=BASIC_EXECUTION)
    boundary = iam.get_role(RoleName="bounded")["Role"]["PermissionsBoundary"]
    assert boundary["PermissionsBoundaryArn"] == BASIC_EXECUTION
    iam.delete_role_permissions_boundary(RoleName="bounded")
    assert "PermissionsBoundary" not in iam.get_role(RoleName="bounded")["Role"]
    missing = "arn:aws:iam::123456789012:policy/none"
    assert_error(
        lambda: iam.put_role_permissions_boundary(RoleName="bounded", PermissionsBoundary=missing),
        "NoSuchEntity",
        f"Scope ARN: {missing} does not exist or is not attachable.",
        404,
    )


def test_missing_and_duplicate_roles(iam: Any) -> None:
    message = "The role with name ghost cannot be found."
    assert_error(lambda: iam.get_role(RoleName="ghost"), "NoSuchEntity", message, 404)
    assert_error(lambda: iam.delete_role(RoleName="ghost"), "NoSuchEntity", message, 404)
    assert_error(
        lambda: iam.update_role(RoleName="ghost", Description="x"), "NoSuchEntity", message, 404
    )
    assert_error(
        lambda: iam.update_assume_role_policy(RoleName="ghost", PolicyDocument=TRUST),
        "NoSuchEntity",
        message,
        404,
    )
    assert_error(lambda: iam.list_role_tags(RoleName="ghost"), "NoSuchEntity", message, 404)
    iam.create_role(RoleName="Dup", AssumeRolePolicyDocument=TRUST)
    assert_error(
        lambda: iam.create_role(RoleName="dup", AssumeRolePolicyDocument=TRUST),
        "EntityAlreadyExists",
        "Role with name dup already exists.",
        409,
    )
    assert role_names(iam) == ["Dup"]


NAME_RULE = r"Member must satisfy regular expression pattern: [\w+=,.@-]+"
PATH_RULE = (
    r"Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)"
)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param(
            {"RoleName": "has space"},
            f"1 validation error detected: Value 'has space' at 'roleName' failed to satisfy "
            f"constraint: {NAME_RULE}",
            id="name-pattern",
        ),
        pytest.param(
            {"RoleName": "x" * 65},
            f"1 validation error detected: Value '{'x' * 65}' at 'roleName' failed to satisfy "
            "constraint: Member must have length less than or equal to 64",
            id="name-too-long",
        ),
        pytest.param(
            {"RoleName": "ok", "Path": "no-slashes"},
            "1 validation error detected: Value 'no-slashes' at 'path' failed to satisfy "
            f"constraint: {PATH_RULE}",
            id="path-pattern",
        ),
        pytest.param(
            {"RoleName": "ok", "Path": "/a"},
            f"1 validation error detected: Value '/a' at 'path' failed to satisfy constraint: "
            f"{PATH_RULE}",
            id="path-unterminated",
        ),
        pytest.param(
            {"RoleName": "ok", "MaxSessionDuration": 60},
            "1 validation error detected: Value '60' at 'maxSessionDuration' failed to satisfy "
            "constraint: Member must have value greater than or equal to 3600",
            id="session-too-short",
        ),
        pytest.param(
            {"RoleName": "ok", "MaxSessionDuration": 50000},
            "1 validation error detected: Value '50000' at 'maxSessionDuration' failed to "
            "satisfy constraint: Member must have value less than or equal to 43200",
            id="session-too-long",
        ),
    ],
)
def test_bad_role_names_and_paths(iam: Any, kwargs: dict[str, Any], message: str) -> None:
    assert_error(
        lambda: iam.create_role(AssumeRolePolicyDocument=TRUST, **kwargs),
        "ValidationError",
        message,
        400,
    )
    assert role_names(iam) == []


def _trust(statement: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param("{not json", "Syntax errors in policy.", id="not-json"),
        pytest.param(
            _trust({"Effect": "Allow", "Action": "sts:AssumeRole"}),
            "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: "
            "The passed in policy has a statement with no principals!",
            id="no-principal",
        ),
        pytest.param(
            _trust(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Resource": "*",
                }
            ),
            "Has prohibited field Resource",
            id="resource-in-trust",
        ),
        pytest.param(
            _trust(
                {"Effect": "Allow", "Principal": {"AWS": "not-an-arn"}, "Action": "sts:AssumeRole"}
            ),
            'Invalid principal in policy: "AWS":"not-an-arn"',
            id="bad-aws-principal",
        ),
        pytest.param(
            _trust({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}}),
            "Policy statement must contain actions.",
            id="no-action",
        ),
    ],
)
def test_malformed_trust_policies(iam: Any, document: str, message: str) -> None:
    assert_error(
        lambda: iam.create_role(RoleName="bad-trust", AssumeRolePolicyDocument=document),
        "MalformedPolicyDocument",
        message,
        400,
    )
    assert role_names(iam) == []


def test_trust_policy_size_quota(iam: Any) -> None:
    services = [f"s{i:04d}.amazonaws.com" for i in range(120)]
    document = _trust(
        {"Effect": "Allow", "Principal": {"Service": services}, "Action": "sts:AssumeRole"}
    )
    assert_error(
        lambda: iam.create_role(RoleName="big", AssumeRolePolicyDocument=document),
        "LimitExceeded",
        "Cannot exceed quota for ACLSizePerRole: 2048",
        409,
    )


def test_delete_role_conflicts_until_everything_is_detached(iam: Any) -> None:
    iam.create_role(RoleName="busy", AssumeRolePolicyDocument=TRUST)
    iam.attach_role_policy(RoleName="busy", PolicyArn=ADMIN)
    iam.put_role_policy(RoleName="busy", PolicyName="inline", PolicyDocument=POLICY)
    iam.create_instance_profile(InstanceProfileName="busy-profile")
    iam.add_role_to_instance_profile(InstanceProfileName="busy-profile", RoleName="busy")
    delete = lambda: iam.delete_role(RoleName="busy")  # noqa: E731
    assert_error(
        delete, "DeleteConflict", "Cannot delete entity, must detach all policies first.", 409
    )
    iam.detach_role_policy(RoleName="busy", PolicyArn=ADMIN)
    assert_error(delete, "DeleteConflict", "Cannot delete entity, must delete policies first.", 409)
    iam.delete_role_policy(RoleName="busy", PolicyName="inline")
    assert_error(
        delete,
        "DeleteConflict",
        "Cannot delete entity, must remove roles from instance profile first.",
        409,
    )
    iam.remove_role_from_instance_profile(InstanceProfileName="busy-profile", RoleName="busy")
    delete()
    assert role_names(iam) == []


def test_instance_profiles(iam: Any, account: str) -> None:
    iam.create_role(RoleName="ec2", AssumeRolePolicyDocument=TRUST)
    iam.create_role(RoleName="other", AssumeRolePolicyDocument=TRUST)
    profile = iam.create_instance_profile(InstanceProfileName="web", Path="/p/")["InstanceProfile"]
    assert profile["Arn"] == f"arn:aws:iam::{account}:instance-profile/p/web"
    assert re.fullmatch(r"AIPA[A-Z2-7]{17}", profile["InstanceProfileId"])
    assert profile["Roles"] == []
    iam.add_role_to_instance_profile(InstanceProfileName="web", RoleName="ec2")
    got = iam.get_instance_profile(InstanceProfileName="web")["InstanceProfile"]
    assert [r["RoleName"] for r in got["Roles"]] == ["ec2"]
    listed = iam.list_instance_profiles(PathPrefix="/p/")["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in listed] == ["web"]
    for_role = iam.list_instance_profiles_for_role(RoleName="ec2")["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in for_role] == ["web"]
    assert_error(
        lambda: iam.add_role_to_instance_profile(InstanceProfileName="web", RoleName="other"),
        "LimitExceeded",
        "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1",
        409,
    )
    assert_error(
        lambda: iam.create_instance_profile(InstanceProfileName="web"),
        "EntityAlreadyExists",
        "Instance Profile web already exists.",
        409,
    )
    assert_error(
        lambda: iam.delete_instance_profile(InstanceProfileName="web"),
        "DeleteConflict",
        "Cannot delete entity, must remove roles from instance profile first.",
        409,
    )
    iam.remove_role_from_instance_profile(InstanceProfileName="web", RoleName="ec2")
    iam.delete_instance_profile(InstanceProfileName="web")
    assert_error(
        lambda: iam.get_instance_profile(InstanceProfileName="web"),
        "NoSuchEntity",
        "Instance Profile web cannot be found.",
        404,
    )


def test_service_linked_roles(iam: Any, account: str) -> None:
    role = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com")["Role"]
    assert role["RoleName"] == "AWSServiceRoleForAutoScaling"
    assert role["Path"] == "/aws-service-role/autoscaling.amazonaws.com/"
    assert role["Arn"] == (
        f"arn:aws:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/"
        "AWSServiceRoleForAutoScaling"
    )
    principal = role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
    assert principal == {"Service": ["autoscaling.amazonaws.com"]}
    suffixed = iam.create_service_linked_role(
        AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="app"
    )["Role"]
    assert suffixed["RoleName"] == "AWSServiceRoleForAutoScaling_app"
    assert_error(
        lambda: iam.delete_role(RoleName="AWSServiceRoleForAutoScaling"),
        "UnmodifiableEntity",
        "Cannot perform the operation on the protected role 'AWSServiceRoleForAutoScaling' - "
        "this role is only modifiable by AWS",
        400,
    )
    task = iam.delete_service_linked_role(RoleName="AWSServiceRoleForAutoScaling")
    assert task["DeletionTaskId"].startswith(
        "task/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling/"
    )
    status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task["DeletionTaskId"])
    assert status["Status"] == "SUCCEEDED"
    assert role_names(iam) == ["AWSServiceRoleForAutoScaling_app"]


def test_concurrent_creates_of_one_name_make_one_role(iam: Any) -> None:
    """IAM serializes creates: of eight racing CreateRole calls for one name, one wins."""

    def create(index: int) -> str:
        try:
            iam.create_role(
                RoleName="raced", AssumeRolePolicyDocument=TRUST, Description=str(index)
            )
        except ClientError as error:
            return str(error.response["Error"]["Code"])
        return "created"

    with ThreadPoolExecutor(8) as pool:
        outcomes = sorted(pool.map(create, range(8)))
    assert outcomes == ["EntityAlreadyExists"] * 7 + ["created"]
    assert role_names(iam) == ["raced"]
