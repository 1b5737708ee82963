"""Tags on functions and the account's settings."""

from __future__ import annotations

from typing import Any

import pytest

from tests.aws.lambda_.conftest import assert_error, function_arn
from tests.conftest import create_function, make_zip, unique_name

SOURCE = "def handler(event, context):\n    return 1\n"


def test_tag_list_untag(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE, Tags={"stage": "dev"})
    arn = function_arn(name)
    assert lambda_client.list_tags(Resource=arn)["Tags"] == {"stage": "dev"}
    lambda_client.tag_resource(Resource=arn, Tags={"team": "core", "stage": "prod"})
    assert lambda_client.list_tags(Resource=arn)["Tags"] == {"stage": "prod", "team": "core"}
    lambda_client.untag_resource(Resource=arn, TagKeys=["stage", "not-there"])
    assert lambda_client.list_tags(Resource=arn)["Tags"] == {"team": "core"}
    assert lambda_client.get_function(FunctionName=name)["Tags"] == {"team": "core"}


def test_tags_on_unknown_function(lambda_client: Any) -> None:
    name = unique_name("ghost")
    arn = function_arn(name)
    for call in (
        lambda: lambda_client.list_tags(Resource=arn),
        lambda: lambda_client.tag_resource(Resource=arn, Tags={"a": "b"}),
        lambda: lambda_client.untag_resource(Resource=arn, TagKeys=["a"]),
    ):
        with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
            call()
        assert_error(error, "ResourceNotFoundException", f"Function not found: {arn}", 404)


def test_too_many_tags(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE, Tags={f"k{i}": "v" for i in range(45)})
    arn = function_arn(name)
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error:
        lambda_client.tag_resource(Resource=arn, Tags={f"new{i}": "v" for i in range(6)})
    assert_error(
        error, "InvalidParameterValueException", "Number of tags exceeds resource tag limit.", 400
    )
    assert len(lambda_client.list_tags(Resource=arn)["Tags"]) == 45


def test_tags_on_qualified_arn_refused(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    lambda_client.publish_version(FunctionName=name)
    arn = function_arn(name, "1")
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error:
        lambda_client.tag_resource(Resource=arn, Tags={"a": "b"})
    assert_error(
        error, "InvalidParameterValueException", f"Tags are not supported for resource: {arn}"
    )
    assert lambda_client.list_tags(Resource=function_arn(name))["Tags"] == {}


def test_account_settings(lambda_client: Any) -> None:
    before = lambda_client.get_account_settings()
    limit = before["AccountLimit"]
    assert limit["ConcurrentExecutions"] == 1000
    assert limit["CodeSizeZipped"] == 50 * 1024 * 1024
    assert limit["CodeSizeUnzipped"] == 250 * 1024 * 1024
    assert limit["TotalCodeSize"] > 0
    code = make_zip({"app.py": SOURCE, "padding.txt": "p" * 100})
    name = unique_name()
    lambda_client.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role="arn:aws:iam::000000000000:role/test",
        Handler="app.handler",
        Code={"ZipFile": code},
    )
    after = lambda_client.get_account_settings()
    usage_before, usage_after = before["AccountUsage"], after["AccountUsage"]
    assert usage_after["FunctionCount"] == usage_before["FunctionCount"] + 1
    assert usage_after["TotalCodeSize"] == usage_before["TotalCodeSize"] + len(code)
    lambda_client.delete_function(FunctionName=name)
    assert (
        lambda_client.get_account_settings()["AccountUsage"]["FunctionCount"]
        == usage_before["FunctionCount"]
    )
