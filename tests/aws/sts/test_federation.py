"""GetFederationToken and DecodeAuthorizationMessage through boto3 on a real server."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.aws.iam.conftest import POLICY, assert_error, client_for, new_account
from tests.aws.sts.test_sts import role_arn, session_client
from tests.conftest import ServerProcess


def test_federation_token_acts_in_the_callers_account(
    iam: Any, account: str, make_client: Callable[..., Any]
) -> None:
    iam.create_user(UserName="broker")
    key = iam.create_access_key(UserName="broker")["AccessKey"]
    as_broker = make_client("sts", key["AccessKeyId"], key["SecretAccessKey"])
    before = datetime.now(UTC)
    answer = as_broker.get_federation_token(Name="bob", DurationSeconds=7200)
    credentials = answer["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    expected = before + timedelta(seconds=7200)
    assert abs((credentials["Expiration"] - expected).total_seconds()) < 60
    assert answer["FederatedUser"] == {
        "FederatedUserId": f"{account}:bob",
        "Arn": f"arn:aws:sts::{account}:federated-user/bob",
    }
    assert "PackedPolicySize" not in answer
    identity = session_client(make_client, "sts", credentials).get_caller_identity()
    assert identity == identity | {
        "Account": account,
        "Arn": f"arn:aws:sts::{account}:federated-user/bob",
        "UserId": f"{account}:bob",
    }
    # The credentials act in the account: they see its IAM users.
    as_bob = session_client(make_client, "iam", credentials)
    assert [u["UserName"] for u in as_bob.list_users()["Users"]] == ["broker"]
    assert_error(
        lambda: session_client(make_client, "sts", credentials).get_federation_token(Name="x1"),
        "AccessDenied",
        "Cannot call GetFederationToken with session credentials",
        403,
    )


def test_federation_token_policy_and_limits(
    iam: Any, sts: Any, make_client: Callable[..., Any]
) -> None:
    answer = sts.get_federation_token(
        Name="alice",
        Policy=POLICY,
        PolicyArns=[{"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}],
        Tags=[{"Key": "team", "Value": "data"}],
    )
    assert 0 < answer["PackedPolicySize"] <= 100
    # Root's federation tokens last an hour at most, whatever is asked.
    expiration = answer["Credentials"]["Expiration"]
    assert expiration - datetime.now(UTC) <= timedelta(seconds=3600)
    assert_error(
        lambda: sts.get_federation_token(Name="x"),
        "ValidationError",
        "1 validation error detected: Value 'x' at 'name' failed to satisfy constraint: "
        "Member must have length greater than or equal to 2",
        400,
    )
    assert_error(
        lambda: sts.get_federation_token(Name="bob", DurationSeconds=129601),
        "ValidationError",
        "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy "
        "constraint: Member must have value less than or equal to 129600",
        400,
    )
    assert_error(
        lambda: sts.get_federation_token(Name="bob", Policy="{not json"),
        "MalformedPolicyDocument",
        None,
        400,
    )
    assert_error(
        lambda: sts.get_federation_token(
            Name="bob", PolicyArns=[{"arn": "arn:aws:iam::aws:policy/" + "P" * 1900}] * 2
        ),
        "PackedPolicyTooLarge",
        None,
        400,
    )
    role_credentials = sts.assume_role(RoleArn=role_arn(iam), RoleSessionName="r1")["Credentials"]
    assert_error(
        lambda: session_client(make_client, "sts", role_credentials).get_federation_token(
            Name="bob"
        ),
        "AccessDenied",
        "Cannot call GetFederationToken with session credentials",
        403,
    )


@pytest.mark.parametrize(
    "message",
    ["not-a-message", "AQoDYXdzEJr...EXAMPLE", "x" * 500],
    ids=["word", "aws-looking", "long"],
)
def test_decode_authorization_message_refuses_what_it_never_encoded(sts: Any, message: str) -> None:
    assert_error(
        lambda: sts.decode_authorization_message(EncodedMessage=message),
        "InvalidAuthorizationMessageException",
        "The encoded authorization message is invalid or was not issued by this service.",
        400,
    )


def test_federation_credentials_survive_a_restart(tmp_path: Path) -> None:
    account = new_account()
    server = ServerProcess(tmp_path / "data").start()
    try:
        sts = client_for(server, "sts", account)
        credentials = sts.get_federation_token(Name="durable")["Credentials"]
        server.kill()
        server.start()
        again = client_for(
            server,
            "sts",
            credentials["AccessKeyId"],
            credentials["SecretAccessKey"],
            credentials["SessionToken"],
        ).get_caller_identity()
        assert again["Arn"] == f"arn:aws:sts::{account}:federated-user/durable"
    finally:
        server.stop()
