"""IAM and STS against a real server: every test gets an account of its own.

A 12-digit access key id is that account (``stratus.aws.accounts``), so a fresh random
account per test keeps tests apart on the session's shared server, and doubles as proof
that accounts never see each other's identities.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import Any

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

from tests.conftest import ServerProcess

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)
POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
    }
)
BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def new_account() -> str:
    return str(secrets.randbelow(9 * 10**11) + 10**11)


def client_for(
    server: ServerProcess,
    service: str,
    key: str,
    secret: str = "test",
    token: str | None = None,
) -> Any:
    return boto3.client(
        service,
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
        config=botocore.config.Config(
            retries={"max_attempts": 1, "mode": "standard"},
            parameter_validation=False,  # the server, not botocore, must refuse bad input
        ),
    )


@pytest.fixture
def account() -> str:
    return new_account()


@pytest.fixture
def iam(server: ServerProcess, account: str) -> Any:
    return client_for(server, "iam", account)


@pytest.fixture
def sts(server: ServerProcess, account: str) -> Any:
    return client_for(server, "sts", account)


@pytest.fixture
def make_client(server: ServerProcess) -> Callable[..., Any]:
    def make(service: str, key: str, secret: str = "test", token: str | None = None) -> Any:
        return client_for(server, service, key, secret, token)

    return make


def assert_error(call: Callable[[], Any], code: str, message: str | None, status: int) -> None:
    """The call fails with AWS's code, HTTP status and (when given) exact message."""
    with pytest.raises(ClientError) as caught:
        call()
    error = caught.value.response["Error"]
    assert error["Code"] == code, error
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    if message is not None:
        assert error["Message"] == message


def role_names(iam: Any) -> list[str]:
    return [r["RoleName"] for r in iam.list_roles()["Roles"]]
