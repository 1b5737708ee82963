"""Identity as part of the platform: restarts, accounts, and Lambda using IAM's roles."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.aws.iam.conftest import ADMIN, TRUST, assert_error, client_for, new_account
from tests.conftest import ServerProcess, make_zip, unique_name


def test_identities_and_credentials_survive_kill_9(tmp_path: Path) -> None:
    account = new_account()
    server = ServerProcess(tmp_path / "data").start()
    try:
        iam = client_for(server, "iam", account)
        sts = client_for(server, "sts", account)
        role = iam.create_role(RoleName="durable", AssumeRolePolicyDocument=TRUST)["Role"]
        iam.attach_role_policy(RoleName="durable", PolicyArn=ADMIN)
        iam.create_user(UserName="u")
        key = iam.create_access_key(UserName="u")["AccessKey"]
        policy_arn = iam.create_policy(
            PolicyName="p",
            PolicyDocument=json.dumps(
                {"Version": "2012-10-17",
                 "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
            ),
        )["Policy"]["Arn"]  # fmt: skip
        iam.create_policy_version(
            PolicyArn=policy_arn,
            PolicyDocument=json.dumps(
                {"Version": "2012-10-17",
                 "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}
            ),
            SetAsDefault=True,
        )  # fmt: skip
        oidc = iam.create_open_id_connect_provider(
            Url="https://oidc.example.com", ClientIDList=["sts.amazonaws.com"]
        )["OpenIDConnectProviderArn"]
        iam.create_group(GroupName="g")
        iam.add_user_to_group(GroupName="g", UserName="u")
        credentials = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="before")["Credentials"]
        server.kill()  # acknowledged means committed: nothing may be lost
        server.start()
        iam = client_for(server, "iam", account)
        again = iam.get_role(RoleName="durable")["Role"]
        assert (again["RoleId"], again["Arn"]) == (role["RoleId"], role["Arn"])
        assert iam.list_attached_role_policies(RoleName="durable")["AttachedPolicies"] == [
            {"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN}
        ]
        assert iam.get_policy(PolicyArn=policy_arn)["Policy"]["DefaultVersionId"] == "v2"
        assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=oidc)["ClientIDList"] == [
            "sts.amazonaws.com"
        ]
        assert [u["UserName"] for u in iam.get_group(GroupName="g")["Users"]] == ["u"]
        as_user = client_for(server, "sts", key["AccessKeyId"], key["SecretAccessKey"])
        assert as_user.get_caller_identity()["Arn"] == f"arn:aws:iam::{account}:user/u"
        as_role = client_for(
            server,
            "sts",
            credentials["AccessKeyId"],
            credentials["SecretAccessKey"],
            credentials["SessionToken"],
        )
        identity = as_role.get_caller_identity()
        assert identity["Arn"] == f"arn:aws:sts::{account}:assumed-role/durable/before"
        assert identity["Account"] == account
    finally:
        server.stop()


def test_two_accounts_never_see_each_others_identities(server: ServerProcess) -> None:
    first, second = new_account(), new_account()
    iam_a, iam_b = client_for(server, "iam", first), client_for(server, "iam", second)
    iam_a.create_role(RoleName="same-name", AssumeRolePolicyDocument=TRUST, Description="a")
    iam_b.create_role(RoleName="same-name", AssumeRolePolicyDocument=TRUST, Description="b")
    iam_a.create_role(RoleName="only-a", AssumeRolePolicyDocument=TRUST)
    assert [r["RoleName"] for r in iam_a.list_roles()["Roles"]] == ["only-a", "same-name"]
    assert [r["RoleName"] for r in iam_b.list_roles()["Roles"]] == ["same-name"]
    assert iam_a.get_role(RoleName="same-name")["Role"]["Description"] == "a"
    b_role = iam_b.get_role(RoleName="same-name")["Role"]
    assert (b_role["Description"], b_role["Arn"]) == (
        "b",
        f"arn:aws:iam::{second}:role/same-name",
    )
    assert_error(
        lambda: iam_b.get_role(RoleName="only-a"),
        "NoSuchEntity",
        "The role with name only-a cannot be found.",
        404,
    )
    policy = json.dumps(
        {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    )  # fmt: skip
    a_policy = iam_a.create_policy(PolicyName="mine", PolicyDocument=policy)["Policy"]["Arn"]
    assert_error(
        lambda: iam_b.attach_role_policy(RoleName="same-name", PolicyArn=a_policy),
        "NoSuchEntity",
        f"Policy {a_policy} does not exist or is not attachable.",
        404,
    )
    iam_a.create_user(UserName="shared")
    assert [u["UserName"] for u in iam_b.list_users()["Users"]] == []


def test_a_function_runs_with_a_role_iam_created(server: ServerProcess) -> None:
    iam = server.client("iam")
    name = unique_name("role")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    iam.attach_role_policy(
        RoleName=name,
        PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    )
    lambda_client = server.client("lambda")
    function = unique_name()
    source = "def handler(event, context):\n    return {'ok': event['n'] + 1}\n"
    created = lambda_client.create_function(
        FunctionName=function,
        Runtime="python3.11",
        Role=arn,
        Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": source})},
    )
    assert created["Role"] == arn
    answer = lambda_client.invoke(FunctionName=function, Payload=b'{"n": 41}')
    assert json.loads(answer["Payload"].read()) == {"ok": 42}
    lambda_client.delete_function(FunctionName=function)


def test_aws_cli_get_caller_identity(server: ServerProcess, tmp_path: Path) -> None:
    """The AWS CLI (when installed) sees the same identity as boto3."""
    cli = str(Path(sys.executable).with_name("aws"))  # the one installed next to our Python
    if not Path(cli).exists():
        pytest.skip("the AWS CLI (pip install awscli) is not installed")
    env = {
        "PATH": str(Path(sys.executable).parent),
        "HOME": str(tmp_path),
        "AWS_ACCESS_KEY_ID": "123456789012",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    out = subprocess.run(
        [cli, "--endpoint-url", server.endpoint, "sts", "get-caller-identity", "--output", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    assert json.loads(out.stdout)["Arn"] == "arn:aws:iam::123456789012:root"
