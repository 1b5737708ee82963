"""GetAccountSummary and GetAccountAuthorizationDetails through boto3 on a real server."""

from __future__ import annotations

from typing import Any

import pytest

from tests.aws.iam.conftest import ADMIN, BASIC_EXECUTION, POLICY, TRUST, assert_error
from tests.aws.iam.test_sign_in import metadata


def test_account_summary_counts_what_is_stored(iam: Any) -> None:
    empty = iam.get_account_summary()["SummaryMap"]
    assert empty["Users"] == empty["Roles"] == empty["Policies"] == empty["Providers"] == 0
    assert (empty["UsersQuota"], empty["RolesQuota"], empty["VersionsPerPolicyQuota"]) == (
        5000,
        1000,
        5,
    )
    assert (empty["AccessKeysPerUserQuota"], empty["ServerCertificatesQuota"]) == (2, 20)
    iam.create_user(UserName="u")
    iam.create_group(GroupName="g")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
    iam.create_instance_profile(InstanceProfileName="p")
    arn = iam.create_policy(PolicyName="pol", PolicyDocument=POLICY)["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=POLICY)
    iam.create_open_id_connect_provider(Url="https://oidc.example.com")
    iam.create_saml_provider(Name="idp", SAMLMetadataDocument=metadata())
    iam.create_virtual_mfa_device(VirtualMFADeviceName="m")
    summary = iam.get_account_summary()["SummaryMap"]
    counts = {
        k: summary[k]
        for k in (
            "Users",
            "Groups",
            "Roles",
            "InstanceProfiles",
            "Policies",
            "PolicyVersionsInUse",
            "Providers",
            "MFADevices",
            "MFADevicesInUse",
            "ServerCertificates",
        )
    }
    assert counts == {
        "Users": 1,
        "Groups": 1,
        "Roles": 1,
        "InstanceProfiles": 1,
        "Policies": 1,
        "PolicyVersionsInUse": 2,
        "Providers": 2,
        "MFADevices": 1,
        "MFADevicesInUse": 0,
        "ServerCertificates": 0,
    }


@pytest.fixture
def populated(iam: Any, account: str) -> Any:
    iam.create_user(UserName="alice", Tags=[{"Key": "k", "Value": "v"}])
    iam.put_user_policy(UserName="alice", PolicyName="inline", PolicyDocument=POLICY)
    iam.attach_user_policy(UserName="alice", PolicyArn=ADMIN)
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(GroupName="devs", UserName="alice")
    iam.put_group_policy(GroupName="devs", PolicyName="gp", PolicyDocument=POLICY)
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=TRUST)
    iam.attach_role_policy(RoleName="app", PolicyArn=BASIC_EXECUTION)
    iam.create_instance_profile(InstanceProfileName="app-profile")
    iam.add_role_to_instance_profile(InstanceProfileName="app-profile", RoleName="app")
    arn = iam.create_policy(PolicyName="mine", PolicyDocument=POLICY)["Policy"]["Arn"]
    iam.attach_group_policy(GroupName="devs", PolicyArn=arn)
    return iam


def test_authorization_details(populated: Any, account: str) -> None:
    details = populated.get_account_authorization_details()
    (user,) = details["UserDetailList"]
    assert user["UserName"] == "alice"
    assert user["GroupList"] == ["devs"]
    assert user["AttachedManagedPolicies"] == [
        {"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN}
    ]
    assert [p["PolicyName"] for p in user["UserPolicyList"]] == ["inline"]
    assert user["UserPolicyList"][0]["PolicyDocument"]["Statement"][0]["Action"] == "s3:GetObject"
    assert user["Tags"] == [{"Key": "k", "Value": "v"}]
    (group,) = details["GroupDetailList"]
    assert (group["GroupName"], [p["PolicyName"] for p in group["GroupPolicyList"]]) == (
        "devs",
        ["gp"],
    )
    assert group["AttachedManagedPolicies"] == [
        {"PolicyName": "mine", "PolicyArn": f"arn:aws:iam::{account}:policy/mine"}
    ]
    (role,) = details["RoleDetailList"]
    assert role["RoleName"] == "app"
    assert [p["InstanceProfileName"] for p in role["InstanceProfileList"]] == ["app-profile"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Action"] == "sts:AssumeRole"
    by_name = {p["PolicyName"]: p for p in details["Policies"]}
    assert sorted(by_name) == ["AWSLambdaBasicExecutionRole", "AdministratorAccess", "mine"]
    mine = by_name["mine"]
    assert (mine["AttachmentCount"], mine["DefaultVersionId"]) == (1, "v1")
    assert mine["PolicyVersionList"][0]["IsDefaultVersion"] is True
    assert mine["PolicyVersionList"][0]["Document"]["Statement"][0]["Action"] == "s3:GetObject"
    assert details["IsTruncated"] is False


@pytest.mark.parametrize(
    ("entity_filter", "lists"),
    [
        (["User"], {"UserDetailList": 1}),
        (["Role", "Group"], {"RoleDetailList": 1, "GroupDetailList": 1}),
        (["LocalManagedPolicy"], {"Policies": 1}),
        (["AWSManagedPolicy"], {"Policies": 2}),
    ],
    ids=["users", "roles-and-groups", "local-policies", "aws-policies"],
)
def test_authorization_details_filter(
    populated: Any, entity_filter: list[str], lists: dict[str, int]
) -> None:
    details = populated.get_account_authorization_details(Filter=entity_filter)
    for name in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"):
        assert len(details[name]) == lists.get(name, 0), name


def test_authorization_details_paging(populated: Any) -> None:
    seen: list[str] = []
    marker = None
    pages = 0
    while True:
        kwargs = {"MaxItems": 2} | ({"Marker": marker} if marker else {})
        page = populated.get_account_authorization_details(**kwargs)
        pages += 1
        for name, key in (
            ("UserDetailList", "UserName"),
            ("GroupDetailList", "GroupName"),
            ("RoleDetailList", "RoleName"),
            ("Policies", "PolicyName"),
        ):
            seen += [item[key] for item in page[name]]
        if not page["IsTruncated"]:
            break
        marker = page["Marker"]
    assert pages == 3
    assert seen == [
        "alice",
        "devs",
        "app",
        "mine",
        "AWSLambdaBasicExecutionRole",
        "AdministratorAccess",
    ]
    assert_error(
        lambda: populated.get_account_authorization_details(Filter=["Bogus"]),
        "ValidationError",
        None,
        400,
    )
