"""CreateFunctionUrlConfig and friends through boto3: shapes and AWS's errors."""

from __future__ import annotations

import re
from typing import Any

import botocore.exceptions
import pytest

from tests.aws.function_urls.conftest import UrlClient, public_grants
from tests.aws.lambda_.conftest import assert_error, function_arn
from tests.conftest import ServerProcess, create_function

HELLO = "def handler(event, context):\n    return 'hi'\n"
URL = re.compile(r"^http://[a-z0-9]{32}\.lambda-url\.us-east-1\.localhost:\d+/$")
NOT_EXIST = "The resource you requested does not exist."


def test_create_get_update_list_delete(lambda_client: Any, server: ServerProcess) -> None:
    name = create_function(lambda_client, HELLO)
    created = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert URL.match(created["FunctionUrl"]), created["FunctionUrl"]
    assert str(server.gateway_port) in created["FunctionUrl"]
    assert created["FunctionArn"] == function_arn(name)
    assert created["AuthType"] == "NONE"
    assert created["InvokeMode"] == "BUFFERED"
    assert "LastModifiedTime" not in created
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", created["CreationTime"])

    got = lambda_client.get_function_url_config(FunctionName=name)
    assert got["FunctionUrl"] == created["FunctionUrl"]
    assert got["LastModifiedTime"] >= got["CreationTime"]

    cors = {"AllowOrigins": ["https://example.com"], "AllowMethods": ["GET"], "MaxAge": 60}
    updated = lambda_client.update_function_url_config(
        FunctionName=name, AuthType="AWS_IAM", Cors=cors, InvokeMode="RESPONSE_STREAM"
    )
    assert updated["FunctionUrl"] == created["FunctionUrl"]  # the endpoint never changes
    assert updated["AuthType"] == "AWS_IAM"
    assert updated["Cors"] == cors
    assert updated["InvokeMode"] == "RESPONSE_STREAM"
    # an update without Cors keeps the configured one
    kept = lambda_client.update_function_url_config(FunctionName=name, AuthType="NONE")
    assert kept["Cors"] == cors

    listed = lambda_client.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"]
    assert [c["FunctionUrl"] for c in listed] == [created["FunctionUrl"]]

    deleted = lambda_client.delete_function_url_config(FunctionName=name)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(botocore.exceptions.ClientError) as error:
        lambda_client.get_function_url_config(FunctionName=name)
    assert_error(error, "ResourceNotFoundException", NOT_EXIST, 404)
    assert lambda_client.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"] == []


def test_conflict_when_one_exists(lambda_client: Any) -> None:
    name = create_function(lambda_client, HELLO)
    lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE")
    with pytest.raises(botocore.exceptions.ClientError) as error:
        lambda_client.create_function_url_config(FunctionName=name, AuthType="AWS_IAM")
    assert_error(
        error,
        "ResourceConflictException",
        f"Failed to create function url config for [functionArn = {function_arn(name)}]. "
        "Error message:  FunctionUrlConfig exists for this Lambda function",
        409,
    )


def test_alias_urls_are_their_own(lambda_client: Any, server: ServerProcess) -> None:
    name = create_function(lambda_client, HELLO, Publish=True)
    lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    base = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE")
    live = lambda_client.create_function_url_config(
        FunctionName=name, Qualifier="live", AuthType="NONE"
    )
    assert live["FunctionArn"] == function_arn(name, "live")
    assert live["FunctionUrl"] != base["FunctionUrl"]
    same = lambda_client.get_function_url_config(FunctionName=f"{name}:live")
    assert same["FunctionUrl"] == live["FunctionUrl"]
    listed = lambda_client.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"]
    assert {c["FunctionArn"] for c in listed} == {function_arn(name), function_arn(name, "live")}
    # deleting the alias deletes its URL, as Lambda does
    public_grants(lambda_client, name, "live")
    client = UrlClient(server, live["FunctionUrl"])
    assert client.request("GET").status_code == 200
    lambda_client.delete_alias(FunctionName=name, Name="live")
    with pytest.raises(botocore.exceptions.ClientError) as error:
        lambda_client.get_function_url_config(FunctionName=name, Qualifier="live")
    assert_error(error, "ResourceNotFoundException", status=404)
    assert client.request("GET").status_code == 403


@pytest.mark.parametrize(
    ("qualifier", "pattern"),
    [
        ("$LATEST", "((?!^\\d+$)^[0-9a-zA-Z-_]+$)"),
        ("1", "((?!^\\d+$)^[0-9a-zA-Z-_]+$)"),
    ],
)
def test_qualifier_must_be_an_alias(
    raw_client: Any, lambda_client: Any, qualifier: str, pattern: str
) -> None:
    name = create_function(lambda_client, HELLO, Publish=True)
    with pytest.raises(botocore.exceptions.ClientError) as error:
        raw_client.create_function_url_config(
            FunctionName=name, Qualifier=qualifier, AuthType="NONE"
        )
    assert_error(
        error,
        "ValidationException",
        f"1 validation error detected: Value '{qualifier}' at 'qualifier' failed to satisfy "
        f"constraint: Member must satisfy regular expression pattern: {pattern}",
        400,
    )


def test_qualifier_in_the_name_is_checked_too(lambda_client: Any) -> None:
    name = create_function(lambda_client, HELLO, Publish=True)
    with pytest.raises(botocore.exceptions.ClientError) as error:
        lambda_client.create_function_url_config(FunctionName=f"{name}:1", AuthType="NONE")
    assert_error(error, "ValidationException", status=400)
    assert "at 'functionName'" in error.value.response["Error"]["Message"]


def test_missing_function_alias_and_url(lambda_client: Any) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as error:
        lambda_client.create_function_url_config(FunctionName="no-such-fn", AuthType="NONE")
    assert_error(error, "ResourceNotFoundException", "Function does not exist", 404)
    name = create_function(lambda_client, HELLO)
    with pytest.raises(botocore.exceptions.ClientError) as error:
        lambda_client.create_function_url_config(
            FunctionName=name, Qualifier="nope", AuthType="NONE"
        )
    assert_error(error, "ResourceNotFoundException", "Function does not exist", 404)
    for call in (lambda_client.get_function_url_config, lambda_client.delete_function_url_config):
        with pytest.raises(botocore.exceptions.ClientError) as error:
            call(FunctionName=name)
        assert_error(error, "ResourceNotFoundException", NOT_EXIST, 404)
    with pytest.raises(botocore.exceptions.ClientError) as error:
        lambda_client.update_function_url_config(FunctionName=name, AuthType="NONE")
    assert_error(error, "ResourceNotFoundException", NOT_EXIST, 404)
    with pytest.raises(botocore.exceptions.ClientError) as error:
        lambda_client.list_function_url_configs(FunctionName="no-such-fn")
    assert_error(error, "ResourceNotFoundException", "Function does not exist", 404)


def test_bad_auth_type_invoke_mode_and_cors(raw_client: Any, lambda_client: Any) -> None:
    name = create_function(lambda_client, HELLO)
    with pytest.raises(botocore.exceptions.ClientError) as error:
        raw_client.create_function_url_config(FunctionName=name, AuthType="OPEN")
    assert_error(error, "ValidationException", status=400)
    assert "Member must satisfy enum value set: [NONE, AWS_IAM]" in str(error.value)
    with pytest.raises(botocore.exceptions.ClientError) as error:
        raw_client.create_function_url_config(FunctionName=name, AuthType="NONE", InvokeMode="FAST")
    assert_error(error, "ValidationException", status=400)
    with pytest.raises(botocore.exceptions.ClientError) as error:
        raw_client.create_function_url_config(
            FunctionName=name, AuthType="NONE", Cors={"MaxAge": 86401}
        )
    assert_error(error, "ValidationException", status=400)
    with pytest.raises(botocore.exceptions.ClientError) as error:
        raw_client.create_function_url_config(
            FunctionName=name, AuthType="NONE", Cors={"AllowMethods": ["FETCH"]}
        )
    assert_error(error, "ValidationException", status=400)
    with pytest.raises(botocore.exceptions.ClientError) as error:
        raw_client.create_function_url_config(
            FunctionName=name, AuthType="NONE", Cors={"AllowOrigins": ["x"] * 101}
        )
    assert_error(error, "ValidationException", status=400)
    # nothing was stored by the refused requests
    with pytest.raises(botocore.exceptions.ClientError):
        lambda_client.get_function_url_config(FunctionName=name)


def test_deleting_the_function_deletes_its_url(lambda_client: Any, server: ServerProcess) -> None:
    name = create_function(lambda_client, HELLO)
    url = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE")
    public_grants(lambda_client, name)
    client = UrlClient(server, url["FunctionUrl"])
    assert client.request("GET").status_code == 200
    lambda_client.delete_function(FunctionName=name)
    assert client.request("GET").status_code == 403
    create_function(lambda_client, HELLO, name=name)
    with pytest.raises(botocore.exceptions.ClientError):
        lambda_client.get_function_url_config(FunctionName=name)


def test_add_permission_invoked_via_function_url(lambda_client: Any) -> None:
    import json

    name = create_function(lambda_client, HELLO)
    public_grants(lambda_client, name)
    policy = json.loads(lambda_client.get_policy(FunctionName=name)["Policy"])
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert by_sid["FunctionURLAllowPublicAccess"]["Condition"] == {
        "StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}
    }
    assert by_sid["FunctionURLInvokeAllowPublicAccess"]["Condition"] == {
        "Bool": {"lambda:InvokedViaFunctionUrl": "true"}
    }


def test_list_pages_with_marker(lambda_client: Any) -> None:
    name = create_function(lambda_client, HELLO, Publish=True)
    for alias in ("a1", "a2", "a3"):
        lambda_client.create_alias(FunctionName=name, Name=alias, FunctionVersion="1")
        lambda_client.create_function_url_config(
            FunctionName=name, Qualifier=alias, AuthType="NONE"
        )
    first = lambda_client.list_function_url_configs(FunctionName=name, MaxItems=2)
    assert len(first["FunctionUrlConfigs"]) == 2 and first["NextMarker"]
    rest = lambda_client.list_function_url_configs(FunctionName=name, Marker=first["NextMarker"])
    arns = [c["FunctionArn"] for c in first["FunctionUrlConfigs"] + rest["FunctionUrlConfigs"]]
    assert arns == [function_arn(name, a) for a in ("a1", "a2", "a3")]
    assert "NextMarker" not in rest
