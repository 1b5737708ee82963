"""SSM Parameter Store through boto3 against a real server: every operation, and AWS's
errors for bad input."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import botocore.exceptions
import pytest

from tests.conftest import ServerProcess


@pytest.fixture(scope="module")
def ssm(server: ServerProcess) -> Any:
    return server.client("ssm")


@pytest.fixture
def root() -> str:
    """A path of this test's own, so tests sharing the server never see each other's."""
    return f"/t{uuid.uuid4().hex[:10]}"


def error(call: Callable[[], Any]) -> tuple[str, str]:
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call()
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def test_put_get_overwrite_and_history(ssm: Any, root: str) -> None:
    name = f"{root}/db/url"
    assert (
        ssm.put_parameter(Name=name, Value="v1", Type="String", Description="first")["Version"] == 1
    )
    got = ssm.get_parameter(Name=name)["Parameter"]
    assert (got["Name"], got["Value"], got["Type"], got["Version"]) == (name, "v1", "String", 1)
    assert got["ARN"] == f"arn:aws:ssm:us-east-1:000000000000:parameter{name}"
    assert got["DataType"] == "text"

    code, message = error(lambda: ssm.put_parameter(Name=name, Value="v2", Type="String"))
    assert code == "ParameterAlreadyExists"
    assert "set the overwrite option in the request to true" in message

    # Overwrite keeps the type when none is given and makes a new version.
    put = ssm.put_parameter(Name=name, Value="v2", Overwrite=True)
    assert put == {**put, "Version": 2, "Tier": "Standard"}
    assert ssm.get_parameter(Name=name)["Parameter"]["Value"] == "v2"
    assert ssm.get_parameter(Name=f"{name}:1")["Parameter"]["Value"] == "v1"
    assert ssm.get_parameter(Name=f"{name}:1")["Parameter"]["Selector"] == ":1"
    code, message = error(lambda: ssm.get_parameter(Name=f"{name}:9"))
    assert code == "ParameterVersionNotFound"
    assert "could not find version 9" in message

    history = ssm.get_parameter_history(Name=name)["Parameters"]
    assert [(h["Version"], h["Value"]) for h in history] == [(1, "v1"), (2, "v2")]
    assert history[1]["Description"] == "first"  # kept when the overwrite gave none

    # By ARN, as AWS accepts.
    arn = got["ARN"]
    assert ssm.get_parameter(Name=arn)["Parameter"]["Value"] == "v2"


def test_missing_parameters(ssm: Any, root: str) -> None:
    assert error(lambda: ssm.get_parameter(Name=f"{root}/none"))[0] == "ParameterNotFound"
    assert error(lambda: ssm.delete_parameter(Name=f"{root}/none"))[0] == "ParameterNotFound"
    assert error(lambda: ssm.get_parameter_history(Name=f"{root}/none"))[0] == "ParameterNotFound"
    ssm.put_parameter(Name=f"{root}/a", Value="1", Type="String")
    answer = ssm.get_parameters(Names=[f"{root}/a", f"{root}/b"])
    assert [p["Value"] for p in answer["Parameters"]] == ["1"]
    assert answer["InvalidParameters"] == [f"{root}/b"]


def test_bad_input_gets_aws_errors(ssm: Any, root: str) -> None:
    code, message = error(lambda: ssm.put_parameter(Name=f"{root}/x", Value="v"))
    assert (code, message) == (
        "ValidationException",
        "A parameter type is required when you create a parameter.",
    )
    code, message = error(lambda: ssm.put_parameter(Name=f"{root}/a b", Value="v", Type="String"))
    assert code == "ValidationException" and "sub-path" in message
    code, message = error(lambda: ssm.put_parameter(Name="a/b", Value="v", Type="String"))
    assert (code, message) == (
        "ValidationException",
        "Parameter name must be a fully qualified name.",
    )
    code, _ = error(lambda: ssm.put_parameter(Name="/aws/mine", Value="v", Type="String"))
    assert code == "ValidationException"
    code, _ = error(lambda: ssm.put_parameter(Name="ssm-thing", Value="v", Type="String"))
    assert code == "ValidationException"
    deep = root + "/x" * 15
    code, _ = error(lambda: ssm.put_parameter(Name=deep, Value="v", Type="String"))
    assert code == "HierarchyLevelLimitExceededException"
    # The model's enum, checked before the service runs.
    code, _ = error(lambda: ssm.put_parameter(Name=f"{root}/t", Value="v", Type="Number"))
    assert code == "ValidationException"
    code, message = error(
        lambda: ssm.put_parameter(Name=f"{root}/t", Value="v" * 4097, Type="String")
    )
    assert code == "ValidationException" and "maximum parameter value of 4096" in message
    assert (
        ssm.put_parameter(Name=f"{root}/big", Value="v" * 4097, Type="String", Tier="Advanced")[
            "Tier"
        ]
        == "Advanced"
    )
    code, message = error(
        lambda: ssm.put_parameter(
            Name=f"{root}/p", Value="abc", Type="String", AllowedPattern="^[0-9]+$"
        )
    )
    assert code == "ParameterPatternMismatchException"
    assert message == "Parameter value, cannot be validated against allowedPattern: ^[0-9]+$"
    code, _ = error(
        lambda: ssm.put_parameter(Name=f"{root}/p", Value="1", Type="String", AllowedPattern="(")
    )
    assert code == "InvalidAllowedPatternException"
    code, message = error(
        lambda: ssm.put_parameter(
            Name=f"{root}/dt", Value="v", Type="String", DataType="aws:nothing"
        )
    )
    assert code == "ValidationException" and "data type is not supported" in message
    code, message = error(
        lambda: ssm.put_parameter(
            Name=f"{root}/tags",
            Value="v",
            Type="String",
            Overwrite=True,
            Tags=[{"Key": "k", "Value": "v"}],
        )
    )
    assert code == "ValidationException" and "tags and overwrite can't be used together" in message
    # Nothing refused above was stored.
    assert [p["Name"] for p in ssm.get_parameters_by_path(Path=root)["Parameters"]] == [
        f"{root}/big"
    ]


def test_string_list_and_secure_string(ssm: Any, root: str) -> None:
    ssm.put_parameter(Name=f"{root}/list", Value="a,b,c", Type="StringList")
    assert ssm.get_parameter(Name=f"{root}/list")["Parameter"]["Value"] == "a,b,c"
    ssm.put_parameter(Name=f"{root}/secret", Value="hunter2", Type="SecureString")
    hidden = ssm.get_parameter(Name=f"{root}/secret")["Parameter"]
    assert hidden["Type"] == "SecureString" and hidden["Value"] != "hunter2"
    shown = ssm.get_parameter(Name=f"{root}/secret", WithDecryption=True)["Parameter"]
    assert shown["Value"] == "hunter2"
    meta = ssm.describe_parameters(
        ParameterFilters=[{"Key": "Name", "Values": [f"{root}/secret"]}]
    )["Parameters"]
    assert meta[0]["KeyId"] == "alias/aws/ssm"
    code, _ = error(
        lambda: ssm.put_parameter(Name=f"{root}/k", Value="v", Type="String", KeyId="alias/x")
    )
    assert code == "ValidationException"


def test_by_path_and_describe(ssm: Any, root: str) -> None:
    for name in ("a", "b/c", "b/d/e", "f"):
        ssm.put_parameter(Name=f"{root}/{name}", Value=name, Type="String")
    one_level = ssm.get_parameters_by_path(Path=root)["Parameters"]
    assert sorted(p["Value"] for p in one_level) == ["a", "f"]
    deep = ssm.get_parameters_by_path(Path=f"{root}/b", Recursive=True)["Parameters"]
    assert sorted(p["Value"] for p in deep) == ["b/c", "b/d/e"]
    # Paged, MaxResults at most 10 (the model's limit).
    first = ssm.get_parameters_by_path(Path=root, Recursive=True, MaxResults=3)
    assert len(first["Parameters"]) == 3 and first["NextToken"]
    rest = ssm.get_parameters_by_path(
        Path=root, Recursive=True, MaxResults=3, NextToken=first["NextToken"]
    )
    assert len(rest["Parameters"]) == 1 and "NextToken" not in rest
    code, _ = error(lambda: ssm.get_parameters_by_path(Path="no-slash"))
    assert code == "ValidationException"
    code, _ = error(lambda: ssm.get_parameters_by_path(Path=root, MaxResults=11))
    assert code == "ValidationException"

    described = ssm.describe_parameters(
        ParameterFilters=[{"Key": "Path", "Option": "Recursive", "Values": [f"{root}/b"]}]
    )["Parameters"]
    assert sorted(p["Name"] for p in described) == [f"{root}/b/c", f"{root}/b/d/e"]
    begins = ssm.describe_parameters(
        ParameterFilters=[{"Key": "Name", "Option": "BeginsWith", "Values": [f"{root}/b"]}]
    )["Parameters"]
    assert len(begins) == 2
    # DescribeParameters answers 10 at a time unless asked otherwise.
    for i in range(8):
        ssm.put_parameter(Name=f"{root}/many/{i}", Value="v", Type="String")
    page = ssm.describe_parameters(
        ParameterFilters=[{"Key": "Path", "Option": "Recursive", "Values": [root]}]
    )
    assert len(page["Parameters"]) == 10 and page["NextToken"]
    legacy = ssm.describe_parameters(Filters=[{"Key": "Name", "Values": [f"{root}/a"]}])
    assert [p["Name"] for p in legacy["Parameters"]] == [f"{root}/a"]
    code, _ = error(
        lambda: ssm.describe_parameters(
            ParameterFilters=[{"Key": "Name", "Option": "Near", "Values": ["x"]}]
        )
    )
    assert code == "InvalidFilterOption"
    code, message = error(
        lambda: ssm.describe_parameters(
            Filters=[{"Key": "Name", "Values": ["x"]}],
            ParameterFilters=[{"Key": "Name", "Values": ["x"]}],
        )
    )
    assert code == "ValidationException" and "either Filters or ParameterFilters" in message


def test_delete_labels_and_tags(ssm: Any, root: str) -> None:
    name = f"{root}/v"
    ssm.put_parameter(Name=name, Value="1", Type="String", Tags=[{"Key": "team", "Value": "a"}])
    ssm.put_parameter(Name=name, Value="2", Overwrite=True)
    assert (
        ssm.label_parameter_version(Name=name, ParameterVersion=1, Labels=["stable"])[
            "ParameterVersion"
        ]
        == 1
    )
    assert ssm.get_parameter(Name=f"{name}:stable")["Parameter"]["Value"] == "1"
    assert error(lambda: ssm.get_parameter(Name=f"{name}:nolabel"))[0] == "ParameterNotFound"
    # A label moves to the version it is put on; bad labels come back, not as an error.
    answer = ssm.label_parameter_version(Name=name, Labels=["stable", "9lives", "awsy", "ok"])
    assert (answer["ParameterVersion"], answer["InvalidLabels"]) == (2, ["9lives", "awsy"])
    assert ssm.get_parameter(Name=f"{name}:stable")["Parameter"]["Version"] == 2
    history = ssm.get_parameter_history(Name=name)["Parameters"]
    assert [h["Labels"] for h in history] == [[], ["stable", "ok"]]
    code, _ = error(
        lambda: ssm.label_parameter_version(Name=name, Labels=[f"l{i}" for i in range(9)])
    )
    assert code == "ParameterVersionLabelLimitExceeded"

    tags = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)["TagList"]
    assert tags == [{"Key": "team", "Value": "a"}]
    ssm.add_tags_to_resource(
        ResourceType="Parameter", ResourceId=name, Tags=[{"Key": "env", "Value": "dev"}]
    )
    ssm.remove_tags_from_resource(ResourceType="Parameter", ResourceId=name, TagKeys=["team"])
    tags = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)["TagList"]
    assert tags == [{"Key": "env", "Value": "dev"}]
    tagged = ssm.describe_parameters(
        ParameterFilters=[{"Key": "tag:env", "Values": ["dev"]}, {"Key": "Path", "Values": [root]}]
    )["Parameters"]
    assert [p["Name"] for p in tagged] == [name]
    code, _ = error(lambda: ssm.list_tags_for_resource(ResourceType="Document", ResourceId=name))
    assert code == "InvalidResourceType"
    code, _ = error(
        lambda: ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=f"{root}/none")
    )
    assert code == "InvalidResourceId"

    ssm.delete_parameter(Name=name)
    assert error(lambda: ssm.get_parameter(Name=name))[0] == "ParameterNotFound"
    ssm.put_parameter(Name=f"{root}/x", Value="x", Type="String")
    answer = ssm.delete_parameters(Names=[f"{root}/x", f"{root}/y"])
    assert answer["DeletedParameters"] == [f"{root}/x"]
    assert answer["InvalidParameters"] == [f"{root}/y"]


def test_accounts_and_regions_are_apart(server: ServerProcess, root: str) -> None:
    here = server.client("ssm")
    other_account = server.client("ssm", access_key="111111111111")
    other_region = server.client("ssm", region="eu-west-1")
    here.put_parameter(Name=f"{root}/p", Value="here", Type="String")
    for client in (other_account, other_region):
        assert error(lambda c=client: c.get_parameter(Name=f"{root}/p"))[0] == "ParameterNotFound"
    other_account.put_parameter(Name=f"{root}/p", Value="there", Type="String")
    assert here.get_parameter(Name=f"{root}/p")["Parameter"]["Value"] == "here"
    arn = other_account.get_parameter(Name=f"{root}/p")["Parameter"]["ARN"]
    assert arn.startswith("arn:aws:ssm:us-east-1:111111111111:parameter/")


def test_parameters_survive_a_restart(tmp_path: Any) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        ssm = server.client("ssm")
        ssm.put_parameter(Name="/kept/one", Value="1", Type="String")
        ssm.put_parameter(Name="/kept/one", Value="2", Overwrite=True)
        server.stop()
        server.start()
        ssm = server.client("ssm")
        assert ssm.get_parameter(Name="/kept/one")["Parameter"]["Version"] == 2
        assert ssm.get_parameter(Name="/kept/one:1")["Parameter"]["Value"] == "1"
    finally:
        server.stop()
