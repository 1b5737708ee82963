"""Functions, layers and logs are scoped by account and region, as in AWS.

A 12-digit access key id acts as that account, any other key as 000000000000; the region is
the client's. Two teams (accounts) in two regions create functions of the same name and
never see, invoke, change or delete each other's.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ROLE, ServerProcess

SCOPES = [
    ("111111111111", "us-east-1"),
    ("111111111111", "eu-west-1"),
    ("222222222222", "us-east-1"),
    ("test", "us-east-1"),  # any other key: the default account
]
SOURCE = (
    "import os\n"
    "def handler(event, context):\n"
    "    return {'arn': context.invoked_function_arn,\n"
    "            'region': os.environ['AWS_REGION'], 'tag': os.environ['TAG']}\n"
)


def _zip(source: str, name: str = "app.py") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, source)
    return buffer.getvalue()


def _account(key: str) -> str:
    return key if key.isdigit() and len(key) == 12 else "000000000000"


def _client(server: ServerProcess, key: str, region: str, service: str = "lambda") -> Any:
    return server.client(service, access_key=key, region=region)


@pytest.fixture(scope="module")
def scoped(server: ServerProcess) -> dict[tuple[str, str], Any]:
    clients = {scope: _client(server, *scope) for scope in SCOPES}
    for (key, region), client in clients.items():
        client.create_function(
            FunctionName="shared-name",
            Runtime="python3.11",
            Role=ROLE,
            Handler="app.handler",
            Code={"ZipFile": _zip(SOURCE)},
            Environment={"Variables": {"TAG": f"{key}/{region}"}},
        )
        client.get_waiter("function_active_v2").wait(FunctionName="shared-name")
    yield clients
    for client in clients.values():
        client.delete_function(FunctionName="shared-name")


def test_same_name_is_one_function_per_account_and_region(scoped: dict[Any, Any]) -> None:
    for (key, region), client in scoped.items():
        config = client.get_function_configuration(FunctionName="shared-name")
        arn = f"arn:aws:lambda:{region}:{_account(key)}:function:shared-name"
        assert config["FunctionArn"] == arn
        assert config["Environment"]["Variables"]["TAG"] == f"{key}/{region}"
        result = json.loads(client.invoke(FunctionName="shared-name")["Payload"].read())
        assert result == {"arn": arn, "region": region, "tag": f"{key}/{region}"}
        names = [f["FunctionArn"] for f in client.list_functions()["Functions"]]
        assert arn in names
        assert all(f":{region}:{_account(key)}:" in n for n in names)


def test_a_change_in_one_scope_leaves_the_others(scoped: dict[Any, Any]) -> None:
    first = scoped[("111111111111", "us-east-1")]
    first.update_function_configuration(
        FunctionName="shared-name", Environment={"Variables": {"TAG": "changed"}}
    )
    first.get_waiter("function_updated_v2").wait(FunctionName="shared-name")
    first.put_function_concurrency(FunctionName="shared-name", ReservedConcurrentExecutions=3)
    try:
        for scope, client in scoped.items():
            if scope == ("111111111111", "us-east-1"):
                continue
            config = client.get_function_configuration(FunctionName="shared-name")
            assert config["Environment"]["Variables"]["TAG"] == "/".join(scope)
            assert "ReservedConcurrentExecutions" not in client.get_function_concurrency(
                FunctionName="shared-name"
            )
    finally:
        first.delete_function_concurrency(FunctionName="shared-name")
        first.update_function_configuration(
            FunctionName="shared-name", Environment={"Variables": {"TAG": "111111111111/us-east-1"}}
        )
        first.get_waiter("function_updated_v2").wait(FunctionName="shared-name")


def test_an_arn_names_its_own_scope(scoped: dict[Any, Any]) -> None:
    """A full ARN carries its account and region: a function of another scope is reached
    by ARN (policies are stored, not enforced), a missing one is not found in that scope."""
    caller = scoped[("test", "us-east-1")]
    other = "arn:aws:lambda:eu-west-1:111111111111:function:shared-name"
    result = json.loads(caller.invoke(FunctionName=other)["Payload"].read())
    assert result["tag"] == "111111111111/eu-west-1"
    missing = "arn:aws:lambda:eu-west-1:222222222222:function:shared-name"
    with pytest.raises(ClientError) as caught:
        caller.get_function(FunctionName=missing)
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert caught.value.response["Error"]["Message"] == f"Function not found: {missing}"


def test_a_name_missing_in_the_callers_scope_is_not_found(server: ServerProcess) -> None:
    client = _client(server, "333333333333", "us-east-1")
    _client(server, "111111111111", "ap-south-1").create_function(
        FunctionName="only-there",
        Runtime="python3.11",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": _zip(SOURCE)},
    )
    with pytest.raises(ClientError) as caught:
        client.invoke(FunctionName="only-there")
    assert caught.value.response["Error"]["Message"] == (
        "Function not found: arn:aws:lambda:us-east-1:333333333333:function:only-there"
    )
    assert client.list_functions()["Functions"] == []
    assert client.get_account_settings()["AccountUsage"]["FunctionCount"] == 0


def test_layers_and_log_groups_are_scoped(server: ServerProcess) -> None:
    east = _client(server, "444444444444", "us-east-1")
    west = _client(server, "444444444444", "us-west-2")
    layer = east.publish_layer_version(LayerName="libs", Content={"ZipFile": _zip("x = 1")})
    assert layer["LayerArn"] == "arn:aws:lambda:us-east-1:444444444444:layer:libs"
    assert [x["LayerName"] for x in east.list_layers()["Layers"]] == ["libs"]
    assert west.list_layers()["Layers"] == []
    with pytest.raises(ClientError):
        west.get_layer_version(LayerName="libs", VersionNumber=1)

    east.create_function(
        FunctionName="logger",
        Runtime="python3.11",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": _zip(SOURCE)},
        Environment={"Variables": {"TAG": "east"}},
    )
    east.get_waiter("function_active_v2").wait(FunctionName="logger")
    east.invoke(FunctionName="logger")
    east_logs = _client(server, "444444444444", "us-east-1", "logs")
    west_logs = _client(server, "444444444444", "us-west-2", "logs")
    groups = east_logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/logger")
    assert [g["logGroupName"] for g in groups["logGroups"]] == ["/aws/lambda/logger"]
    assert west_logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/logger")["logGroups"] == []


def test_scopes_survive_a_restart(tmp_path: Any) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        for key, region in SCOPES[:3]:
            _client(server, key, region).create_function(
                FunctionName="kept",
                Runtime="python3.11",
                Role=ROLE,
                Handler="app.handler",
                Code={"ZipFile": _zip(SOURCE)},
                Environment={"Variables": {"TAG": f"{key}/{region}"}},
            )
        server.kill()
        server.start()
        for key, region in SCOPES[:3]:
            client = _client(server, key, region)
            client.get_waiter("function_active_v2").wait(FunctionName="kept")
            result = json.loads(client.invoke(FunctionName="kept")["Payload"].read())
            assert result["tag"] == f"{key}/{region}"
    finally:
        server.stop()


def test_a_function_calls_aws_as_its_own_account(server: ServerProcess) -> None:
    """boto3 inside a function reaches its own account and region's resources."""
    source = (
        "import boto3\n"
        "def handler(event, context):\n"
        "    lam = boto3.client('lambda')\n"
        "    return [f['FunctionName'] for f in lam.list_functions()['Functions']]\n"
    )
    client = _client(server, "555555555555", "eu-central-1")
    client.create_function(
        FunctionName="lister",
        Runtime="python3.11",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": _zip(source)},
        Timeout=30,
    )
    client.get_waiter("function_active_v2").wait(FunctionName="lister")
    response = client.invoke(FunctionName="lister")
    assert json.loads(response["Payload"].read()) == ["lister"]
