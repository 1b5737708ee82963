"""ChangePassword through boto3: the IAM user whose access key signs the call changes its
own console password, checked against the old one and the account's password policy."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.aws.iam.conftest import assert_error, client_for, new_account
from tests.conftest import ServerProcess

OLD = "Old-Passw0rd!"
NEW = "New-Passw0rd!"
WRONG = "The old password is incorrect."
VIOLATION = "Password does not conform to the account password policy."


def user_client(iam: Any, make_client: Callable[..., Any], name: str, password: str | None) -> Any:
    iam.create_user(UserName=name)
    if password is not None:
        iam.create_login_profile(UserName=name, Password=password, PasswordResetRequired=True)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return make_client("iam", key["AccessKeyId"], key["SecretAccessKey"])


def test_change_password_replaces_the_password(iam: Any, make_client: Callable[..., Any]) -> None:
    alice = user_client(iam, make_client, "alice", OLD)
    alice.change_password(OldPassword=OLD, NewPassword=NEW)
    assert iam.get_login_profile(UserName="alice")["LoginProfile"]["PasswordResetRequired"] is False
    # the new password is now the current one, the old one no longer is
    assert_error(
        lambda: alice.change_password(OldPassword=OLD, NewPassword="Third-Passw0rd!"),
        "AccessDenied",
        WRONG,
        403,
    )
    alice.change_password(OldPassword=NEW, NewPassword="Third-Passw0rd!")


def test_wrong_old_password_changes_nothing(iam: Any, make_client: Callable[..., Any]) -> None:
    bob = user_client(iam, make_client, "bob", OLD)
    assert_error(
        lambda: bob.change_password(OldPassword="not-it", NewPassword=NEW),
        "AccessDenied",
        WRONG,
        403,
    )
    assert iam.get_login_profile(UserName="bob")["LoginProfile"]["PasswordResetRequired"] is True
    bob.change_password(OldPassword=OLD, NewPassword=NEW)


def test_the_account_password_policy_applies(iam: Any, make_client: Callable[..., Any]) -> None:
    carol = user_client(iam, make_client, "carol", OLD)
    iam.update_account_password_policy(
        MinimumPasswordLength=16, RequireSymbols=True, PasswordReusePrevention=3
    )
    assert_error(
        lambda: carol.change_password(OldPassword=OLD, NewPassword="Short-1!"),
        "PasswordPolicyViolation",
        VIOLATION,
        400,
    )
    assert_error(
        lambda: carol.change_password(OldPassword=OLD, NewPassword="LongEnoughButNoSymbol1"),
        "PasswordPolicyViolation",
        VIOLATION,
        400,
    )
    iam.update_login_profile(UserName="carol", Password="Old-Passw0rd!-long")
    assert_error(
        lambda: carol.change_password(
            OldPassword="Old-Passw0rd!-long", NewPassword="Old-Passw0rd!-long"
        ),
        "PasswordPolicyViolation",
        VIOLATION,
        400,
    )
    carol.change_password(OldPassword="Old-Passw0rd!-long", NewPassword="A-much-longer-passw0rd")


def test_default_policy_without_an_account_policy(
    iam: Any, make_client: Callable[..., Any]
) -> None:
    dave = user_client(iam, make_client, "dave", OLD)
    assert_error(
        lambda: dave.change_password(OldPassword=OLD, NewPassword="alllowercase"),
        "PasswordPolicyViolation",
        VIOLATION,
        400,
    )


def test_user_without_login_profile(iam: Any, make_client: Callable[..., Any]) -> None:
    erin = user_client(iam, make_client, "erin", None)
    assert_error(
        lambda: erin.change_password(OldPassword=OLD, NewPassword=NEW),
        "NoSuchEntity",
        "Login Profile for User erin cannot be found.",
        404,
    )


def test_root_cannot_change_password(iam: Any, account: str) -> None:
    assert_error(
        lambda: iam.change_password(OldPassword=OLD, NewPassword=NEW),
        "InvalidUserType",
        f"Only IAM users can change their own password: the caller is arn:aws:iam::{account}:root",
        400,
    )


def test_a_changed_password_survives_a_restart(tmp_path: Path) -> None:
    account = new_account()
    server = ServerProcess(tmp_path / "data").start()
    try:
        iam = client_for(server, "iam", account)
        iam.create_user(UserName="frank")
        iam.create_login_profile(UserName="frank", Password=OLD)
        key = iam.create_access_key(UserName="frank")["AccessKey"]
        client_for(server, "iam", key["AccessKeyId"], key["SecretAccessKey"]).change_password(
            OldPassword=OLD, NewPassword=NEW
        )
        server.kill()
        server.start()
        frank = client_for(server, "iam", key["AccessKeyId"], key["SecretAccessKey"])
        assert_error(
            lambda: frank.change_password(OldPassword=OLD, NewPassword="Third-Passw0rd!"),
            "AccessDenied",
            WRONG,
            403,
        )
        frank.change_password(OldPassword=NEW, NewPassword="Third-Passw0rd!")
    finally:
        server.stop()
