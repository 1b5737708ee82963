"""Functions CRUD through boto3: create, get, list (paginated), update, delete, waiters."""

from __future__ import annotations

import base64
import hashlib
import urllib.request
from typing import Any

import pytest

from tests.aws.lambda_.conftest import (
    assert_error,
    assert_no_function,
    function_arn,
    read_payload,
)
from tests.conftest import ROLE, create_function, make_zip, unique_name

SOURCE = "def handler(event, context):\n    return 'v1'\n"


def test_create_returns_lambda_configuration(lambda_client: Any) -> None:
    name = unique_name()
    code = make_zip({"app.py": SOURCE})
    config = lambda_client.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": code},
        Description="first",
        Timeout=7,
        MemorySize=256,
        Environment={"Variables": {"COLOR": "blue"}},
    )
    assert config["FunctionName"] == name
    assert config["FunctionArn"] == function_arn(name)
    assert config["Runtime"] == "python3.12"
    assert config["Handler"] == "app.handler"
    assert config["Role"] == ROLE
    assert config["Description"] == "first"
    assert config["Timeout"] == 7
    assert config["MemorySize"] == 256
    assert config["Version"] == "$LATEST"
    assert config["CodeSize"] == len(code)
    assert config["CodeSha256"] == base64.b64encode(hashlib.sha256(code).digest()).decode()
    assert config["Environment"] == {"Variables": {"COLOR": "blue"}}
    # As Lambda: the new function is Pending until its code is ready (then Active; see
    # test_lifecycle.py), and its creation is the update in progress.
    assert config["State"] == "Pending"
    assert config["StateReason"] == "The function is being created."
    assert config["StateReasonCode"] == "Creating"
    assert config["LastUpdateStatus"] == "InProgress"
    assert config["PackageType"] == "Zip"
    assert config["Architectures"] == ["x86_64"]
    assert config["RevisionId"]


def test_create_with_defaults(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    config = lambda_client.get_function_configuration(FunctionName=name)
    assert config["Timeout"] == 3
    assert config["MemorySize"] == 128
    assert config["Description"] == ""
    assert config["EphemeralStorage"] == {"Size": 512}
    assert "Environment" not in config


def test_get_function_has_configuration_code_and_tags(lambda_client: Any) -> None:
    code = make_zip({"app.py": SOURCE})
    name = unique_name()
    lambda_client.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": code},
        Tags={"team": "core"},
    )
    response = lambda_client.get_function(FunctionName=name)
    assert response["Configuration"]["FunctionName"] == name
    assert response["Code"]["RepositoryType"] == "S3"
    assert response["Tags"] == {"team": "core"}
    with urllib.request.urlopen(response["Code"]["Location"], timeout=10) as download:
        assert download.read() == code


@pytest.mark.parametrize(
    "form",
    [
        pytest.param(lambda name: name, id="name"),
        pytest.param(lambda name: function_arn(name), id="arn"),
        pytest.param(lambda name: f"000000000000:function:{name}", id="partial-arn"),
    ],
)
def test_function_name_forms(lambda_client: Any, form: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    assert (
        lambda_client.get_function(FunctionName=form(name))["Configuration"]["FunctionName"] == name
    )


def test_list_functions_paginates_with_marker(lambda_client: Any) -> None:
    created = {create_function(lambda_client, SOURCE, name=unique_name("page")) for _ in range(5)}
    seen: list[str] = []
    marker: str | None = None
    pages = 0
    while True:
        kwargs: dict[str, Any] = {"MaxItems": 2}
        if marker:
            kwargs["Marker"] = marker
        page = lambda_client.list_functions(**kwargs)
        assert len(page["Functions"]) <= 2
        seen.extend(f["FunctionName"] for f in page["Functions"])
        pages += 1
        marker = page.get("NextMarker")
        if not marker:
            break
    assert pages >= 3
    assert len(seen) == len(set(seen)), "a function was listed twice"
    assert created <= set(seen)


def test_list_functions_version_all(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    lambda_client.publish_version(FunctionName=name)
    default = [
        f
        for page in lambda_client.get_paginator("list_functions").paginate()
        for f in page["Functions"]
        if f["FunctionName"] == name
    ]
    assert [f["Version"] for f in default] == ["$LATEST"]
    every = [
        f
        for page in lambda_client.get_paginator("list_functions").paginate(FunctionVersion="ALL")
        for f in page["Functions"]
        if f["FunctionName"] == name
    ]
    assert sorted(f["Version"] for f in every) == ["$LATEST", "1"]


def test_update_code_changes_what_runs(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    assert lambda_client.invoke(FunctionName=name)["Payload"].read() == b'"v1"'
    before = lambda_client.get_function_configuration(FunctionName=name)
    new_code = make_zip({"app.py": "def handler(event, context):\n    return 'v2'\n"})
    after = lambda_client.update_function_code(FunctionName=name, ZipFile=new_code)
    assert after["CodeSha256"] == base64.b64encode(hashlib.sha256(new_code).digest()).decode()
    assert after["CodeSha256"] != before["CodeSha256"]
    assert after["RevisionId"] != before["RevisionId"]
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=name)
    assert lambda_client.invoke(FunctionName=name)["Payload"].read() == b'"v2"'


def test_update_code_with_publish_creates_version(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    new_code = make_zip({"app.py": "def handler(event, context):\n    return 'v2'\n"})
    config = lambda_client.update_function_code(FunctionName=name, ZipFile=new_code, Publish=True)
    assert config["Version"] == "1"
    assert lambda_client.invoke(FunctionName=name, Qualifier="1")["Payload"].read() == b'"v2"'


def test_update_configuration(lambda_client: Any) -> None:
    name = create_function(
        lambda_client,
        "import os\ndef handler(event, context):\n    return [os.environ.get('COLOR'), context.memory_limit_in_mb]\n",
    )
    config = lambda_client.update_function_configuration(
        FunctionName=name,
        MemorySize=512,
        Timeout=30,
        Description="changed",
        Environment={"Variables": {"COLOR": "red"}},
    )
    assert (config["MemorySize"], config["Timeout"], config["Description"]) == (512, 30, "changed")
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=name)
    stored = lambda_client.get_function_configuration(FunctionName=name)
    assert stored["Environment"] == {"Variables": {"COLOR": "red"}}
    # context.memory_limit_in_mb is a string in Lambda's Python runtime
    assert read_payload(lambda_client.invoke(FunctionName=name)) == ["red", "512"]


def test_update_configuration_handler_takes_effect(lambda_client: Any) -> None:
    name = create_function(
        lambda_client,
        "def handler(event, context):\n    return 1\ndef other(event, context):\n    return 2\n",
    )
    assert lambda_client.invoke(FunctionName=name)["Payload"].read() == b"1"
    lambda_client.update_function_configuration(FunctionName=name, Handler="app.other")
    assert lambda_client.invoke(FunctionName=name)["Payload"].read() == b"2"


def test_revision_id_guards_updates(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    current = lambda_client.get_function_configuration(FunctionName=name)["RevisionId"]
    updated = lambda_client.update_function_configuration(
        FunctionName=name, Description="one", RevisionId=current
    )
    with pytest.raises(lambda_client.exceptions.PreconditionFailedException) as error:
        lambda_client.update_function_configuration(
            FunctionName=name, Description="two", RevisionId=current
        )
    assert_error(
        error,
        "PreconditionFailedException",
        "The Revision Id provided does not match the latest Revision Id. Call the "
        "GetFunction/GetAlias API to retrieve the latest Revision Id",
        412,
    )
    with pytest.raises(lambda_client.exceptions.PreconditionFailedException):
        lambda_client.update_function_code(
            FunctionName=name, ZipFile=make_zip({"app.py": SOURCE + "#\n"}), RevisionId=current
        )
    stored = lambda_client.get_function_configuration(FunctionName=name)
    assert stored["Description"] == "one"
    assert stored["RevisionId"] == updated["RevisionId"]


def test_delete_function(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    lambda_client.delete_function(FunctionName=name)
    assert_no_function(lambda_client, name)
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        lambda_client.delete_function(FunctionName=name)
    assert_error(
        error, "ResourceNotFoundException", f"Function not found: {function_arn(name)}", 404
    )
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException):
        lambda_client.invoke(FunctionName=name)


def test_delete_then_create_again(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    lambda_client.delete_function(FunctionName=name)
    create_function(lambda_client, "def handler(event, context):\n    return 'again'\n", name=name)
    assert lambda_client.invoke(FunctionName=name)["Payload"].read() == b'"again"'


def test_delete_version_with_qualifier(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    lambda_client.publish_version(FunctionName=name)
    lambda_client.delete_function(FunctionName=name, Qualifier="1")
    versions = lambda_client.list_versions_by_function(FunctionName=name)["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST"]
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        lambda_client.get_function(FunctionName=name, Qualifier="1")
    assert_error(
        error, "ResourceNotFoundException", f"Function not found: {function_arn(name, '1')}", 404
    )
    # the function itself is still there
    assert lambda_client.get_function(FunctionName=name)["Configuration"]["Version"] == "$LATEST"


def test_delete_latest_qualifier_is_refused(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error:
        lambda_client.delete_function(FunctionName=name, Qualifier="$LATEST")
    assert_error(
        error,
        "InvalidParameterValueException",
        "$LATEST version cannot be deleted without deleting the function.",
        400,
    )
    assert lambda_client.get_function(FunctionName=name)


def test_delete_version_used_by_alias_is_refused(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    lambda_client.publish_version(FunctionName=name)
    lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    with pytest.raises(lambda_client.exceptions.ResourceConflictException) as error:
        lambda_client.delete_function(FunctionName=name, Qualifier="1")
    assert_error(
        error,
        "ResourceConflictException",
        "Unable to delete version because the following aliases reference it: [live]",
        409,
    )
    assert lambda_client.get_function(FunctionName=name, Qualifier="1")


def test_waiters_pass(lambda_client: Any) -> None:
    name = unique_name()
    lambda_client.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": SOURCE})},
    )
    fast = {"Delay": 1, "MaxAttempts": 5}
    lambda_client.get_waiter("function_exists").wait(FunctionName=name, WaiterConfig=fast)
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig=fast)
    lambda_client.get_waiter("function_active").wait(FunctionName=name, WaiterConfig=fast)
    lambda_client.update_function_configuration(FunctionName=name, Timeout=9)
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig=fast)
    lambda_client.get_waiter("function_updated").wait(FunctionName=name, WaiterConfig=fast)
    version = lambda_client.publish_version(FunctionName=name)["Version"]
    lambda_client.get_waiter("published_version_active").wait(
        FunctionName=name, Qualifier=version, WaiterConfig=fast
    )


def test_function_exists_waiter_fails_for_missing_function(lambda_client: Any) -> None:
    import botocore.exceptions

    with pytest.raises(botocore.exceptions.WaiterError):
        lambda_client.get_waiter("function_exists").wait(
            FunctionName=unique_name("missing"), WaiterConfig={"Delay": 1, "MaxAttempts": 1}
        )
