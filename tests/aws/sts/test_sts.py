"""STS through boto3 on a real server: caller identities and temporary credentials."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.aws.iam.conftest import POLICY, TRUST, assert_error, new_account
from tests.conftest import ServerProcess


def role_arn(iam: Any, name: str = "assumable", **kwargs: Any) -> str:
    return str(
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST, **kwargs)["Role"]["Arn"]
    )


def session_client(
    make_client: Callable[..., Any], service: str, credentials: dict[str, Any]
) -> Any:
    return make_client(
        service,
        credentials["AccessKeyId"],
        credentials["SecretAccessKey"],
        credentials["SessionToken"],
    )


def jwt(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


def test_default_credentials_are_the_default_accounts_root(server: ServerProcess) -> None:
    identity = server.client("sts").get_caller_identity()
    assert identity["Account"] == "000000000000"
    assert identity["Arn"] == "arn:aws:iam::000000000000:root"
    assert identity["UserId"] == "000000000000"


def test_a_12_digit_key_is_that_accounts_root(sts: Any, account: str) -> None:
    identity = sts.get_caller_identity()
    assert (identity["Account"], identity["Arn"]) == (account, f"arn:aws:iam::{account}:root")


def test_an_iam_users_key_is_the_user(
    iam: Any, account: str, make_client: Callable[..., Any]
) -> None:
    user = iam.create_user(UserName="worker")["User"]
    key = iam.create_access_key(UserName="worker")["AccessKey"]
    identity = make_client("sts", key["AccessKeyId"], key["SecretAccessKey"]).get_caller_identity()
    assert identity == {
        "UserId": user["UserId"],
        "Account": account,
        "Arn": user["Arn"],
        "ResponseMetadata": identity["ResponseMetadata"],
    }


def test_assume_role_issues_credentials_acting_as_the_role(
    iam: Any, sts: Any, account: str, make_client: Callable[..., Any]
) -> None:
    arn = role_arn(iam)
    role_id = iam.get_role(RoleName="assumable")["Role"]["RoleId"]
    before = datetime.now(UTC)
    answer = sts.assume_role(RoleArn=arn, RoleSessionName="build-42", DurationSeconds=900)
    credentials = answer["Credentials"]
    assert re.fullmatch(r"ASIA[A-Z2-7]{16}", credentials["AccessKeyId"])
    assert len(credentials["SecretAccessKey"]) == 40
    assert len(credentials["SessionToken"]) > 100
    expected = before + timedelta(seconds=900)
    assert abs((credentials["Expiration"] - expected).total_seconds()) < 60
    assert answer["AssumedRoleUser"] == {
        "AssumedRoleId": f"{role_id}:build-42",
        "Arn": f"arn:aws:sts::{account}:assumed-role/assumable/build-42",
    }
    assert "PackedPolicySize" not in answer
    as_role = session_client(make_client, "sts", credentials)
    identity = as_role.get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::{account}:assumed-role/assumable/build-42"
    assert identity["UserId"] == f"{role_id}:build-42"
    assert identity["Account"] == account
    # The session acts as the role's account: it sees that account's roles.
    roles = session_client(make_client, "iam", credentials).list_roles()["Roles"]
    assert [r["RoleName"] for r in roles] == ["assumable"]
    used = iam.get_role(RoleName="assumable")["Role"]["RoleLastUsed"]
    assert used["Region"] == "us-east-1" and "LastUsedDate" in used


def test_assume_role_with_session_policy_reports_packed_size(iam: Any, sts: Any) -> None:
    answer = sts.assume_role(
        RoleArn=role_arn(iam), RoleSessionName="scoped", Policy=POLICY,
        Tags=[{"Key": "project", "Value": "x"}],
    )  # fmt: skip
    assert 0 <= answer["PackedPolicySize"] <= 100


def test_assume_role_errors(iam: Any, sts: Any, account: str) -> None:
    missing = f"arn:aws:iam::{account}:role/missing"
    assert_error(
        lambda: sts.assume_role(RoleArn=missing, RoleSessionName="s1"),
        "AccessDenied",
        f"User: arn:aws:iam::{account}:root is not authorized to perform: sts:AssumeRole on "
        f"resource: {missing}",
        403,
    )
    arn = role_arn(iam)
    assert_error(
        lambda: sts.assume_role(RoleArn=arn, RoleSessionName="s1", DurationSeconds=899),
        "ValidationError",
        "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy "
        "constraint: Member must have value greater than or equal to 900",
        400,
    )
    assert_error(
        lambda: sts.assume_role(RoleArn=arn, RoleSessionName="s1", DurationSeconds=43201),
        "ValidationError",
        "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy "
        "constraint: Member must have value less than or equal to 43200",
        400,
    )
    assert_error(
        lambda: sts.assume_role(RoleArn=arn, RoleSessionName="s1", DurationSeconds=7200),
        "ValidationError",
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        400,
    )
    assert_error(
        lambda: sts.assume_role(RoleArn=arn, RoleSessionName="bad name"),
        "ValidationError",
        "1 validation error detected: Value 'bad name' at 'roleSessionName' failed to satisfy "
        r"constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*",
        400,
    )
    assert_error(
        lambda: sts.assume_role(RoleArn=arn, RoleSessionName="x"),
        "ValidationError",
        "1 validation error detected: Value 'x' at 'roleSessionName' failed to satisfy "
        "constraint: Member must have length greater than or equal to 2",
        400,
    )
    assert_error(
        lambda: sts.assume_role(RoleArn=arn, RoleSessionName="s1", Policy="{"),
        "MalformedPolicyDocument",
        "Syntax errors in policy.",
        400,
    )


def test_role_chaining_is_limited_to_an_hour(
    iam: Any, sts: Any, make_client: Callable[..., Any]
) -> None:
    arn = role_arn(iam, MaxSessionDuration=43200)
    first = sts.assume_role(RoleArn=arn, RoleSessionName="first")["Credentials"]
    chained = session_client(make_client, "sts", first)
    assert_error(
        lambda: chained.assume_role(RoleArn=arn, RoleSessionName="second", DurationSeconds=7200),
        "ValidationError",
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by "
        "role chaining.",
        400,
    )
    second = chained.assume_role(RoleArn=arn, RoleSessionName="second")
    assert second["AssumedRoleUser"]["Arn"].endswith(":assumed-role/assumable/second")


def test_assume_role_with_web_identity(iam: Any, sts: Any, account: str) -> None:
    arn = role_arn(iam)
    token = jwt({"iss": "https://token.actions.githubusercontent.com", "sub": "repo:org/x",
                 "aud": ["sts.amazonaws.com"]})  # fmt: skip
    answer = sts.assume_role_with_web_identity(
        RoleArn=arn, RoleSessionName="gha", WebIdentityToken=token
    )
    assert answer["SubjectFromWebIdentityToken"] == "repo:org/x"
    assert answer["Audience"] == "sts.amazonaws.com"
    assert answer["Provider"] == "token.actions.githubusercontent.com"
    assert answer["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{account}:assumed-role/assumable/gha"
    assert answer["Credentials"]["AccessKeyId"].startswith("ASIA")
    assert_error(
        lambda: sts.assume_role_with_web_identity(
            RoleArn=arn, RoleSessionName="gha", WebIdentityToken="not-a-jwt"
        ),
        "InvalidIdentityToken",
        "The web identity token that was passed could not be validated by AWS. Get a new "
        "identity token from the identity provider and then retry the request.",
        400,
    )


def test_get_session_token(
    iam: Any, account: str, make_client: Callable[..., Any], sts: Any
) -> None:
    iam.create_user(UserName="dev")
    key = iam.create_access_key(UserName="dev")["AccessKey"]
    as_dev = make_client("sts", key["AccessKeyId"], key["SecretAccessKey"])
    credentials = as_dev.get_session_token(DurationSeconds=1800)["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    identity = session_client(make_client, "sts", credentials).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:iam::{account}:user/dev"
    assert_error(
        lambda: sts.get_session_token(DurationSeconds=100),
        "ValidationError",
        "1 validation error detected: Value '100' at 'durationSeconds' failed to satisfy "
        "constraint: Member must have value greater than or equal to 900",
        400,
    )
    role_credentials = sts.assume_role(RoleArn=role_arn(iam), RoleSessionName="r1")["Credentials"]
    assert_error(
        lambda: session_client(make_client, "sts", role_credentials).get_session_token(),
        "AccessDenied",
        "Cannot call GetSessionToken with session credentials",
        403,
    )


def test_get_access_key_info_of_an_unknown_key(sts: Any) -> None:
    assert sts.get_access_key_info(AccessKeyId="AKIAIOSFODNN7EXAMPLE")["Account"] == "000000000000"


def test_get_access_key_info_checks_the_model(sts: Any) -> None:
    """A 12-digit account key is a valid credential here, but shorter than the model's
    minimum for an access key id, so AWS's validator refuses it as an argument."""
    with pytest.raises(ClientError) as caught:
        sts.get_access_key_info(AccessKeyId="123456789012")
    error = caught.value.response["Error"]
    assert error["Code"] == "ValidationError"
    assert error["Message"] == (
        "1 validation error detected: Value '123456789012' at 'accessKeyId' failed to "
        "satisfy constraint: Member must have length greater than or equal to 16"
    )


def test_get_access_key_info_of_issued_keys(iam: Any, sts: Any, account: str) -> None:
    iam.create_user(UserName="k")
    key = iam.create_access_key(UserName="k")["AccessKey"]["AccessKeyId"]
    assert sts.get_access_key_info(AccessKeyId=key)["Account"] == account


def test_assuming_another_accounts_role_acts_as_that_account(
    sts: Any, account: str, make_client: Callable[..., Any]
) -> None:
    other = new_account()
    other_iam = make_client("iam", other)
    arn = role_arn(other_iam, "cross")
    credentials = sts.assume_role(RoleArn=arn, RoleSessionName="visit")["Credentials"]
    identity = session_client(make_client, "sts", credentials).get_caller_identity()
    assert identity["Account"] == other
    assert identity["Arn"] == f"arn:aws:sts::{other}:assumed-role/cross/visit"
    as_role = session_client(make_client, "iam", credentials)
    assert [r["RoleName"] for r in as_role.list_roles()["Roles"]] == ["cross"]
    assert_error(
        lambda: as_role.get_user(),
        "ValidationError",
        "Must specify userName when calling with non-User credentials",
        400,
    )
