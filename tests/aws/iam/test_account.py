"""Instance profile tags, user boundaries, login profiles, the password policy and the
account alias through boto3 on a real server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.aws.iam.conftest import ADMIN, BASIC_EXECUTION, assert_error, client_for, new_account
from tests.conftest import ServerProcess

GOOD_PASSWORD = "Str0ng-Passw0rd!"


# -- instance profile tags ------------------------------------------------------------
def test_instance_profile_tags(iam: Any) -> None:
    iam.create_instance_profile(InstanceProfileName="web", Tags=[{"Key": "a", "Value": "1"}])
    iam.tag_instance_profile(
        InstanceProfileName="WEB", Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "3"}]
    )
    assert iam.list_instance_profile_tags(InstanceProfileName="web")["Tags"] == [
        {"Key": "a", "Value": "3"},
        {"Key": "b", "Value": "2"},
    ]
    page = iam.list_instance_profile_tags(InstanceProfileName="web", MaxItems=1)
    assert (page["Tags"], page["IsTruncated"]) == ([{"Key": "a", "Value": "3"}], True)
    iam.untag_instance_profile(InstanceProfileName="web", TagKeys=["a", "missing"])
    tags = iam.get_instance_profile(InstanceProfileName="web")["InstanceProfile"]["Tags"]
    assert tags == [{"Key": "b", "Value": "2"}]


def test_instance_profile_tag_errors(iam: Any) -> None:
    missing = "Instance Profile nope cannot be found."
    for call in (
        lambda: iam.tag_instance_profile(
            InstanceProfileName="nope", Tags=[{"Key": "k", "Value": "v"}]
        ),
        lambda: iam.untag_instance_profile(InstanceProfileName="nope", TagKeys=["k"]),
        lambda: iam.list_instance_profile_tags(InstanceProfileName="nope"),
    ):
        assert_error(call, "NoSuchEntity", missing, 404)
    iam.create_instance_profile(InstanceProfileName="p")
    assert_error(
        lambda: iam.tag_instance_profile(
            InstanceProfileName="p",
            Tags=[{"Key": "k", "Value": "1"}, {"Key": "K", "Value": "2"}],
        ),
        "InvalidInput",
        "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
        400,
    )
    first = [{"Key": f"k{i}", "Value": ""} for i in range(30)]
    iam.tag_instance_profile(InstanceProfileName="p", Tags=first)
    assert_error(
        lambda: iam.tag_instance_profile(
            InstanceProfileName="p", Tags=[{"Key": f"x{i}", "Value": ""} for i in range(21)]
        ),
        "LimitExceeded",
        "The number of tags has reached the maximum limit.",
        409,
    )
    assert iam.list_instance_profile_tags(InstanceProfileName="p")["Tags"] == first


# -- user permissions boundaries --------------------------------------------------------
def test_user_permissions_boundary(iam: Any, account: str) -> None:
    iam.create_user(UserName="bounded")
    assert "PermissionsBoundary" not in iam.get_user(UserName="bounded")["User"]
    iam.put_user_permissions_boundary(UserName="bounded", PermissionsBoundary=ADMIN)
    assert iam.get_user(UserName="bounded")["User"]["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "Policy",
        "PermissionsBoundaryArn": ADMIN,
    }
    iam.put_user_permissions_boundary(UserName="bounded", PermissionsBoundary=BASIC_EXECUTION)
    boundary = iam.get_user(UserName="bounded")["User"]["PermissionsBoundary"]
    assert boundary["PermissionsBoundaryArn"] == BASIC_EXECUTION
    iam.delete_user_permissions_boundary(UserName="bounded")
    assert "PermissionsBoundary" not in iam.get_user(UserName="bounded")["User"]
    missing = f"arn:aws:iam::{account}:policy/missing"
    assert_error(
        lambda: iam.put_user_permissions_boundary(UserName="bounded", PermissionsBoundary=missing),
        "NoSuchEntity",
        f"Scope ARN: {missing} does not exist or is not attachable.",
        404,
    )
    assert_error(
        lambda: iam.put_user_permissions_boundary(UserName="ghost", PermissionsBoundary=ADMIN),
        "NoSuchEntity",
        "The user with name ghost cannot be found.",
        404,
    )
    assert_error(
        lambda: iam.delete_user_permissions_boundary(UserName="ghost"),
        "NoSuchEntity",
        "The user with name ghost cannot be found.",
        404,
    )
    assert "PermissionsBoundary" not in iam.get_user(UserName="bounded")["User"]


# -- login profiles ---------------------------------------------------------------------
def test_login_profile_lifecycle(iam: Any) -> None:
    iam.create_user(UserName="console")
    created = iam.create_login_profile(
        UserName="console", Password=GOOD_PASSWORD, PasswordResetRequired=True
    )["LoginProfile"]
    assert created["UserName"] == "console"
    assert created["PasswordResetRequired"] is True
    assert "Password" not in created
    got = iam.get_login_profile(UserName="CONSOLE")["LoginProfile"]
    assert (got["UserName"], got["PasswordResetRequired"]) == ("console", True)
    iam.update_login_profile(UserName="console", PasswordResetRequired=False)
    iam.update_login_profile(UserName="console", Password="An0ther-one!")
    assert (
        iam.get_login_profile(UserName="console")["LoginProfile"]["PasswordResetRequired"] is False
    )
    assert_error(
        lambda: iam.delete_user(UserName="console"),
        "DeleteConflict",
        "Cannot delete entity, must delete login profile first.",
        409,
    )
    iam.update_user(UserName="console", NewUserName="renamed")
    assert iam.get_login_profile(UserName="renamed")["LoginProfile"]["UserName"] == "renamed"
    iam.delete_login_profile(UserName="renamed")
    assert_error(
        lambda: iam.get_login_profile(UserName="renamed"),
        "NoSuchEntity",
        "Login Profile for User renamed cannot be found.",
        404,
    )
    iam.delete_user(UserName="renamed")


def test_login_profile_errors(iam: Any) -> None:
    assert_error(
        lambda: iam.create_login_profile(UserName="ghost", Password=GOOD_PASSWORD),
        "NoSuchEntity",
        "The user with name ghost cannot be found.",
        404,
    )
    iam.create_user(UserName="u")
    for call in (
        lambda: iam.get_login_profile(UserName="u"),
        lambda: iam.update_login_profile(UserName="u", PasswordResetRequired=True),
        lambda: iam.delete_login_profile(UserName="u"),
    ):
        assert_error(call, "NoSuchEntity", "Login Profile for User u cannot be found.", 404)
    # IAM's default policy: eight characters, three of the four kinds.
    for weak in ("Sh0rt!", "alllowercase", "lowerand123"):
        assert_error(
            lambda weak=weak: iam.create_login_profile(UserName="u", Password=weak),
            "PasswordPolicyViolation",
            "Password does not conform to the account password policy.",
            400,
        )
    iam.create_login_profile(UserName="u", Password="lower123!")
    assert_error(
        lambda: iam.create_login_profile(UserName="u", Password=GOOD_PASSWORD),
        "EntityAlreadyExists",
        "Login Profile for user u already exists.",
        409,
    )
    assert_error(
        lambda: iam.update_login_profile(UserName="u", Password="weak"),
        "PasswordPolicyViolation",
        "Password does not conform to the account password policy.",
        400,
    )
    assert iam.get_login_profile(UserName="u")["LoginProfile"]["PasswordResetRequired"] is False


# -- the account password policy ----------------------------------------------------------
def test_password_policy_defaults_and_replacement(iam: Any, account: str) -> None:
    assert_error(
        lambda: iam.get_account_password_policy(),
        "NoSuchEntity",
        f"The Password Policy with domain name {account} cannot be found.",
        404,
    )
    iam.update_account_password_policy()
    assert iam.get_account_password_policy()["PasswordPolicy"] == {
        "MinimumPasswordLength": 6,
        "RequireSymbols": False,
        "RequireNumbers": False,
        "RequireUppercaseCharacters": False,
        "RequireLowercaseCharacters": False,
        "AllowUsersToChangePassword": False,
        "ExpirePasswords": False,
    }
    iam.update_account_password_policy(
        MinimumPasswordLength=12,
        RequireSymbols=True,
        RequireNumbers=True,
        RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=True,
        AllowUsersToChangePassword=True,
        MaxPasswordAge=90,
        PasswordReusePrevention=5,
        HardExpiry=True,
    )
    assert iam.get_account_password_policy()["PasswordPolicy"] == {
        "MinimumPasswordLength": 12,
        "RequireSymbols": True,
        "RequireNumbers": True,
        "RequireUppercaseCharacters": True,
        "RequireLowercaseCharacters": True,
        "AllowUsersToChangePassword": True,
        "ExpirePasswords": True,
        "MaxPasswordAge": 90,
        "PasswordReusePrevention": 5,
        "HardExpiry": True,
    }
    # An update replaces the whole policy: what it leaves out goes back to its default.
    iam.update_account_password_policy(RequireNumbers=True)
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert (policy["MinimumPasswordLength"], policy["RequireNumbers"]) == (6, True)
    assert (policy["RequireSymbols"], policy["ExpirePasswords"]) == (False, False)
    assert "MaxPasswordAge" not in policy
    iam.delete_account_password_policy()
    assert_error(
        lambda: iam.delete_account_password_policy(),
        "NoSuchEntity",
        "The account policy with name PasswordPolicy cannot be found.",
        404,
    )


@pytest.mark.parametrize(
    ("member", "value", "constraint"),
    [
        ("MinimumPasswordLength", 5, "Member must have value greater than or equal to 6"),
        ("MinimumPasswordLength", 129, "Member must have value less than or equal to 128"),
        ("MaxPasswordAge", 0, "Member must have value greater than or equal to 1"),
        ("MaxPasswordAge", 1096, "Member must have value less than or equal to 1095"),
        ("PasswordReusePrevention", 25, "Member must have value less than or equal to 24"),
    ],
    ids=["length-low", "length-high", "age-low", "age-high", "reuse-high"],
)
def test_password_policy_limits(iam: Any, member: str, value: int, constraint: str) -> None:
    wire = member[0].lower() + member[1:]
    assert_error(
        lambda: iam.update_account_password_policy(**{member: value}),
        "ValidationError",
        f"1 validation error detected: Value '{value}' at '{wire}' failed to satisfy "
        f"constraint: {constraint}",
        400,
    )
    assert_error(lambda: iam.get_account_password_policy(), "NoSuchEntity", None, 404)


def test_password_policy_governs_new_passwords(iam: Any) -> None:
    iam.update_account_password_policy(
        MinimumPasswordLength=10, RequireSymbols=True, RequireUppercaseCharacters=True
    )
    iam.create_user(UserName="u")
    for weak in ("Short!A1", "nosymbolsUPPER", "no-upper-case-here"):
        assert_error(
            lambda weak=weak: iam.create_login_profile(UserName="u", Password=weak),
            "PasswordPolicyViolation",
            "Password does not conform to the account password policy.",
            400,
        )
    # Only what the policy asks for counts: no digit, no lower case needed here.
    iam.create_login_profile(UserName="u", Password="ONLYUPPER-AND-SYMBOLS")


# -- the account alias -----------------------------------------------------------------------
def test_account_alias(iam: Any, server: ServerProcess) -> None:
    assert iam.list_account_aliases()["AccountAliases"] == []
    alias = f"stratus-{new_account()}"
    iam.create_account_alias(AccountAlias=alias)
    iam.create_account_alias(AccountAlias=alias)  # again: nothing changes
    assert iam.list_account_aliases() | {"ResponseMetadata": None} == {
        "AccountAliases": [alias],
        "IsTruncated": False,
        "ResponseMetadata": None,
    }
    other = client_for(server, "iam", new_account())
    assert_error(
        lambda: other.create_account_alias(AccountAlias=alias),
        "EntityAlreadyExists",
        f"The account alias {alias} already exists.",
        409,
    )
    assert other.list_account_aliases()["AccountAliases"] == []
    replacement = alias + "-b"
    iam.create_account_alias(AccountAlias=replacement)  # one alias per account: replaced
    assert iam.list_account_aliases()["AccountAliases"] == [replacement]
    other.create_account_alias(AccountAlias=alias)  # the old one is free again
    assert_error(
        lambda: iam.delete_account_alias(AccountAlias=alias),
        "NoSuchEntity",
        f"The account alias {alias} cannot be found.",
        404,
    )
    iam.delete_account_alias(AccountAlias=replacement)
    assert iam.list_account_aliases()["AccountAliases"] == []
    other.delete_account_alias(AccountAlias=alias)


@pytest.mark.parametrize(
    "alias",
    ["ab", "-starts-with-hyphen", "ends-with-hyphen-", "Upper-case", "double--hyphen", "a" * 64],
    ids=["short", "leading-hyphen", "trailing-hyphen", "upper", "double-hyphen", "long"],
)
def test_account_alias_rules(iam: Any, alias: str) -> None:
    with pytest.raises(Exception) as caught:
        iam.create_account_alias(AccountAlias=alias)
    error = caught.value.response["Error"]  # type: ignore[attr-defined]
    assert error["Code"] == "ValidationError"
    assert f"Value '{alias}' at 'accountAlias' failed to satisfy constraint" in error["Message"]
    assert iam.list_account_aliases()["AccountAliases"] == []


# -- durability --------------------------------------------------------------------------------
def test_account_settings_survive_a_restart(tmp_path: Path) -> None:
    account = new_account()
    alias = f"durable-{account}"
    server = ServerProcess(tmp_path / "data").start()
    try:
        iam = client_for(server, "iam", account)
        iam.create_user(UserName="u")
        iam.put_user_permissions_boundary(UserName="u", PermissionsBoundary=ADMIN)
        iam.create_login_profile(UserName="u", Password=GOOD_PASSWORD, PasswordResetRequired=True)
        iam.update_account_password_policy(MinimumPasswordLength=20, MaxPasswordAge=30)
        iam.create_account_alias(AccountAlias=alias)
        iam.create_instance_profile(InstanceProfileName="p")
        iam.tag_instance_profile(InstanceProfileName="p", Tags=[{"Key": "k", "Value": "v"}])
        server.kill()
        server.start()
        iam = client_for(server, "iam", account)
        user = iam.get_user(UserName="u")["User"]
        assert user["PermissionsBoundary"]["PermissionsBoundaryArn"] == ADMIN
        assert iam.get_login_profile(UserName="u")["LoginProfile"]["PasswordResetRequired"]
        policy = iam.get_account_password_policy()["PasswordPolicy"]
        assert (policy["MinimumPasswordLength"], policy["MaxPasswordAge"]) == (20, 30)
        assert iam.list_account_aliases()["AccountAliases"] == [alias]
        assert iam.list_instance_profile_tags(InstanceProfileName="p")["Tags"] == [
            {"Key": "k", "Value": "v"}
        ]
    finally:
        server.stop()
