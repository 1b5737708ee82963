"""IAM users, groups and access keys through boto3 on a real server."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.aws.iam.conftest import ADMIN, POLICY, assert_error


def user_names(iam: Any) -> list[str]:
    return [u["UserName"] for u in iam.list_users()["Users"]]


def test_create_get_list_update_delete_user(iam: Any, account: str) -> None:
    user = iam.create_user(UserName="alice", Path="/staff/", Tags=[{"Key": "k", "Value": "v"}])[
        "User"
    ]
    assert user["Arn"] == f"arn:aws:iam::{account}:user/staff/alice"
    assert re.fullmatch(r"AIDA[A-Z2-7]{17}", user["UserId"])
    got = iam.get_user(UserName="alice")["User"]
    assert got["Tags"] == [{"Key": "k", "Value": "v"}]
    iam.create_user(UserName="bob")
    assert user_names(iam) == ["alice", "bob"]
    assert [u["UserName"] for u in iam.list_users(PathPrefix="/staff/")["Users"]] == ["alice"]
    iam.update_user(UserName="alice", NewUserName="alicia", NewPath="/ops/")
    assert (
        iam.get_user(UserName="alicia")["User"]["Arn"] == f"arn:aws:iam::{account}:user/ops/alicia"
    )
    assert_error(
        lambda: iam.get_user(UserName="alice"),
        "NoSuchEntity",
        "The user with name alice cannot be found.",
        404,
    )
    iam.tag_user(UserName="bob", Tags=[{"Key": "a", "Value": "1"}])
    iam.untag_user(UserName="bob", TagKeys=["missing"])
    assert iam.list_user_tags(UserName="bob")["Tags"] == [{"Key": "a", "Value": "1"}]
    iam.delete_user(UserName="bob")
    assert user_names(iam) == ["alicia"]


def test_user_errors(iam: Any) -> None:
    iam.create_user(UserName="dup")
    assert_error(
        lambda: iam.create_user(UserName="DUP"),
        "EntityAlreadyExists",
        "User with name DUP already exists.",
        409,
    )
    assert_error(
        lambda: iam.create_user(UserName="bad/name"),
        "ValidationError",
        "1 validation error detected: Value 'bad/name' at 'userName' failed to satisfy "
        r"constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+",
        400,
    )
    assert_error(
        lambda: iam.delete_user(UserName="nobody"),
        "NoSuchEntity",
        "The user with name nobody cannot be found.",
        404,
    )
    assert user_names(iam) == ["dup"]


def test_delete_user_conflicts(iam: Any) -> None:
    iam.create_user(UserName="carol")
    iam.create_group(GroupName="devs")
    iam.attach_user_policy(UserName="carol", PolicyArn=ADMIN)
    iam.put_user_policy(UserName="carol", PolicyName="p", PolicyDocument=POLICY)
    key = iam.create_access_key(UserName="carol")["AccessKey"]["AccessKeyId"]
    iam.add_user_to_group(GroupName="devs", UserName="carol")
    delete = lambda: iam.delete_user(UserName="carol")  # noqa: E731
    conflicts: list[tuple[str, Callable[[], Any]]] = [
        (
            "Cannot delete entity, must detach all policies first.",
            lambda: iam.detach_user_policy(UserName="carol", PolicyArn=ADMIN),
        ),
        (
            "Cannot delete entity, must delete policies first.",
            lambda: iam.delete_user_policy(UserName="carol", PolicyName="p"),
        ),
        (
            "Cannot delete entity, must delete access keys first.",
            lambda: iam.delete_access_key(UserName="carol", AccessKeyId=key),
        ),
        (
            "Cannot delete entity, must remove users from group first.",
            lambda: iam.remove_user_from_group(GroupName="devs", UserName="carol"),
        ),
    ]
    for message, resolve in conflicts:
        assert_error(delete, "DeleteConflict", message, 409)
        resolve()
    delete()
    assert user_names(iam) == []


def test_groups_and_membership(iam: Any, account: str) -> None:
    group = iam.create_group(GroupName="admins", Path="/g/")["Group"]
    assert group["Arn"] == f"arn:aws:iam::{account}:group/g/admins"
    assert re.fullmatch(r"AGPA[A-Z2-7]{17}", group["GroupId"])
    iam.create_group(GroupName="readers")
    iam.create_user(UserName="dan")
    iam.add_user_to_group(GroupName="admins", UserName="dan")
    iam.add_user_to_group(GroupName="readers", UserName="dan")
    got = iam.get_group(GroupName="admins")
    assert [u["UserName"] for u in got["Users"]] == ["dan"]
    assert [g["GroupName"] for g in iam.list_groups()["Groups"]] == ["admins", "readers"]
    assert [g["GroupName"] for g in iam.list_groups(PathPrefix="/g/")["Groups"]] == ["admins"]
    names = [g["GroupName"] for g in iam.list_groups_for_user(UserName="dan")["Groups"]]
    assert names == ["admins", "readers"]
    assert_error(
        lambda: iam.delete_group(GroupName="admins"),
        "DeleteConflict",
        "Cannot delete entity, must remove users from group first.",
        409,
    )
    iam.remove_user_from_group(GroupName="admins", UserName="dan")
    iam.attach_group_policy(GroupName="admins", PolicyArn=ADMIN)
    assert_error(
        lambda: iam.delete_group(GroupName="admins"),
        "DeleteConflict",
        "Cannot delete entity, must detach all policies first.",
        409,
    )
    iam.detach_group_policy(GroupName="admins", PolicyArn=ADMIN)
    iam.delete_group(GroupName="admins")
    assert_error(
        lambda: iam.get_group(GroupName="admins"),
        "NoSuchEntity",
        "The group with name admins cannot be found.",
        404,
    )
    assert_error(
        lambda: iam.create_group(GroupName="readers"),
        "EntityAlreadyExists",
        "Group with name readers already exists.",
        409,
    )
    assert_error(
        lambda: iam.add_user_to_group(GroupName="readers", UserName="ghost"),
        "NoSuchEntity",
        "The user with name ghost cannot be found.",
        404,
    )


def test_access_keys(iam: Any) -> None:
    iam.create_user(UserName="erin")
    created = iam.create_access_key(UserName="erin")["AccessKey"]
    assert re.fullmatch(r"AKIA[A-Z2-7]{16}", created["AccessKeyId"])
    assert len(created["SecretAccessKey"]) == 40
    assert created["Status"] == "Active"
    second = iam.create_access_key(UserName="erin")["AccessKey"]["AccessKeyId"]
    assert_error(
        lambda: iam.create_access_key(UserName="erin"),
        "LimitExceeded",
        "Cannot exceed quota for AccessKeysPerUser: 2",
        409,
    )
    listed = iam.list_access_keys(UserName="erin")["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in listed] == [created["AccessKeyId"], second]
    assert "SecretAccessKey" not in listed[0]
    iam.update_access_key(UserName="erin", AccessKeyId=second, Status="Inactive")
    statuses = {
        k["AccessKeyId"]: k["Status"]
        for k in iam.list_access_keys(UserName="erin")["AccessKeyMetadata"]
    }
    assert statuses[second] == "Inactive"
    last = iam.get_access_key_last_used(AccessKeyId=second)
    assert last["UserName"] == "erin"
    assert last["AccessKeyLastUsed"] == {"ServiceName": "N/A", "Region": "N/A"}
    iam.delete_access_key(UserName="erin", AccessKeyId=second)
    message = f"The Access Key with id {second} cannot be found."
    assert_error(
        lambda: iam.delete_access_key(UserName="erin", AccessKeyId=second),
        "NoSuchEntity",
        message,
        404,
    )
    assert_error(
        lambda: iam.get_access_key_last_used(AccessKeyId=second), "NoSuchEntity", message, 404
    )


def test_a_users_key_acts_as_the_users_account(
    iam: Any, account: str, make_client: Callable[..., Any]
) -> None:
    user = iam.create_user(UserName="frank")["User"]
    key = iam.create_access_key(UserName="frank")["AccessKey"]
    as_frank = make_client("iam", key["AccessKeyId"], key["SecretAccessKey"])
    me = as_frank.get_user()["User"]
    assert (me["UserName"], me["Arn"]) == ("frank", user["Arn"])
    # Keys default to the caller's user, and the account is the user's: frank sees its roles.
    own = as_frank.create_access_key()["AccessKey"]
    assert own["UserName"] == "frank"
    assert [u["UserName"] for u in as_frank.list_users()["Users"]] == ["frank"]


def test_get_user_without_name_as_root(iam: Any, account: str) -> None:
    me = iam.get_user()["User"]
    assert me["Arn"] == f"arn:aws:iam::{account}:root"
    assert me["UserId"] == account


@pytest.mark.parametrize("status", ["Enabled", ""])
def test_bad_access_key_status(iam: Any, status: str) -> None:
    iam.create_user(UserName="gina")
    key = iam.create_access_key(UserName="gina")["AccessKey"]["AccessKeyId"]
    assert_error(
        lambda: iam.update_access_key(UserName="gina", AccessKeyId=key, Status=status),
        "ValidationError",
        f"1 validation error detected: Value '{status}' at 'status' failed to satisfy "
        # The model's enum (botocore's IAM model also lists Expired).
        "constraint: Member must satisfy enum value set: [Active, Inactive, Expired]",
        400,
    )


def test_list_account_aliases_is_empty(iam: Any) -> None:
    assert iam.list_account_aliases()["AccountAliases"] == []
