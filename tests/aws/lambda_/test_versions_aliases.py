"""Versions and aliases: publish, list, alias CRUD, weighted routing that really splits."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.aws.lambda_.conftest import assert_error, function_arn
from tests.conftest import create_function, make_zip

V = "def handler(event, context):\n    return context.function_version\n"


def _two_versions(client: Any) -> str:
    name = create_function(client, V)
    client.publish_version(FunctionName=name, Description="first")
    client.update_function_code(FunctionName=name, ZipFile=make_zip({"app.py": V + "# 2\n"}))
    client.publish_version(FunctionName=name, Description="second")
    return name


def test_publish_version(lambda_client: Any) -> None:
    name = create_function(lambda_client, V)
    latest = lambda_client.get_function_configuration(FunctionName=name)
    version = lambda_client.publish_version(FunctionName=name, Description="release 1")
    assert version["Version"] == "1"
    assert version["FunctionArn"] == function_arn(name, "1")
    assert version["Description"] == "release 1"
    assert version["CodeSha256"] == latest["CodeSha256"]
    assert version["State"] == "Active"
    got = lambda_client.get_function(FunctionName=name, Qualifier="1")["Configuration"]
    assert got["Version"] == "1"
    assert got["FunctionArn"] == function_arn(name, "1")


def test_publish_without_changes_returns_same_version(lambda_client: Any) -> None:
    name = create_function(lambda_client, V)
    first = lambda_client.publish_version(FunctionName=name)
    again = lambda_client.publish_version(FunctionName=name)
    assert again["Version"] == first["Version"] == "1"


def test_published_version_is_immutable(lambda_client: Any) -> None:
    name = create_function(lambda_client, "def handler(e, c):\n    return 'old'\n")
    lambda_client.publish_version(FunctionName=name)
    lambda_client.update_function_code(
        FunctionName=name, ZipFile=make_zip({"app.py": "def handler(e, c):\n    return 'new'\n"})
    )
    lambda_client.update_function_configuration(FunctionName=name, Timeout=20)
    assert lambda_client.invoke(FunctionName=name, Qualifier="1")["Payload"].read() == b'"old"'
    assert lambda_client.invoke(FunctionName=name)["Payload"].read() == b'"new"'
    v1 = lambda_client.get_function_configuration(FunctionName=name, Qualifier="1")
    assert v1["Timeout"] == 3


def test_publish_with_wrong_code_sha(lambda_client: Any) -> None:
    name = create_function(lambda_client, V)
    sha = lambda_client.get_function_configuration(FunctionName=name)["CodeSha256"]
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error:
        lambda_client.publish_version(FunctionName=name, CodeSha256="bm90LXRoZS1zaGE=")
    assert_error(
        error,
        "InvalidParameterValueException",
        f"CodeSHA256 (bm90LXRoZS1zaGE=) is different from current CodeSHA256 in $LATEST "
        f"({sha}). Please try again with the CodeSHA256 in $LATEST.",
        400,
    )
    versions = lambda_client.list_versions_by_function(FunctionName=name)["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST"]


def test_publish_with_stale_revision(lambda_client: Any) -> None:
    name = create_function(lambda_client, V)
    old = lambda_client.get_function_configuration(FunctionName=name)["RevisionId"]
    lambda_client.update_function_configuration(FunctionName=name, Timeout=4)
    with pytest.raises(lambda_client.exceptions.PreconditionFailedException):
        lambda_client.publish_version(FunctionName=name, RevisionId=old)
    versions = lambda_client.list_versions_by_function(FunctionName=name)["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST"]


def test_list_versions_paginates(lambda_client: Any) -> None:
    name = create_function(lambda_client, V)
    for i in range(4):
        lambda_client.update_function_configuration(FunctionName=name, Timeout=10 + i)
        lambda_client.publish_version(FunctionName=name)
    seen = []
    kwargs: dict[str, Any] = {"FunctionName": name, "MaxItems": 2}
    while True:
        page = lambda_client.list_versions_by_function(**kwargs)
        seen.extend(v["Version"] for v in page["Versions"])
        if "NextMarker" not in page:
            break
        kwargs["Marker"] = page["NextMarker"]
    assert seen == ["$LATEST", "1", "2", "3", "4"]
    every = [
        v["Version"]
        for page in lambda_client.get_paginator("list_versions_by_function").paginate(
            FunctionName=name
        )
        for v in page["Versions"]
    ]
    assert every == seen


def test_alias_crud(lambda_client: Any) -> None:
    name = _two_versions(lambda_client)
    created = lambda_client.create_alias(
        FunctionName=name, Name="prod", FunctionVersion="1", Description="production"
    )
    assert created["AliasArn"] == function_arn(name, "prod")
    assert created["Name"] == "prod"
    assert created["FunctionVersion"] == "1"
    assert created["Description"] == "production"
    assert created["RevisionId"]
    got = lambda_client.get_alias(FunctionName=name, Name="prod")
    assert got["FunctionVersion"] == "1"
    updated = lambda_client.update_alias(FunctionName=name, Name="prod", FunctionVersion="2")
    assert updated["FunctionVersion"] == "2"
    assert updated["Description"] == "production"
    assert lambda_client.invoke(FunctionName=name, Qualifier="prod")["Payload"].read() == b'"2"'
    lambda_client.create_alias(FunctionName=name, Name="beta", FunctionVersion="$LATEST")
    listed = lambda_client.list_aliases(FunctionName=name)["Aliases"]
    assert [a["Name"] for a in listed] == ["beta", "prod"]
    only_v2 = lambda_client.list_aliases(FunctionName=name, FunctionVersion="2")["Aliases"]
    assert [a["Name"] for a in only_v2] == ["prod"]
    lambda_client.delete_alias(FunctionName=name, Name="prod")
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        lambda_client.get_alias(FunctionName=name, Name="prod")
    assert_error(
        error,
        "ResourceNotFoundException",
        f"Cannot find alias arn: {function_arn(name, 'prod')}",
        404,
    )
    assert [a["Name"] for a in lambda_client.list_aliases(FunctionName=name)["Aliases"]] == ["beta"]


def test_alias_stale_revision(lambda_client: Any) -> None:
    name = _two_versions(lambda_client)
    alias = lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    lambda_client.update_alias(FunctionName=name, Name="live", Description="moved")
    with pytest.raises(lambda_client.exceptions.PreconditionFailedException) as error:
        lambda_client.update_alias(
            FunctionName=name, Name="live", FunctionVersion="2", RevisionId=alias["RevisionId"]
        )
    assert_error(
        error,
        "PreconditionFailedException",
        "The Revision Id provided does not match the latest Revision Id. Call the "
        "GetFunction/GetAlias API to retrieve the latest Revision Id",
        412,
    )
    assert lambda_client.get_alias(FunctionName=name, Name="live")["FunctionVersion"] == "1"


def test_duplicate_alias(lambda_client: Any) -> None:
    name = _two_versions(lambda_client)
    lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    with pytest.raises(lambda_client.exceptions.ResourceConflictException) as error:
        lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="2")
    assert_error(
        error,
        "ResourceConflictException",
        f"Alias already exists: {function_arn(name, 'live')}",
        409,
    )
    assert lambda_client.get_alias(FunctionName=name, Name="live")["FunctionVersion"] == "1"


def test_alias_to_missing_version(lambda_client: Any) -> None:
    name = _two_versions(lambda_client)
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="9")
    assert_error(
        error, "ResourceNotFoundException", f"Function not found: {function_arn(name, '9')}", 404
    )
    assert lambda_client.list_aliases(FunctionName=name)["Aliases"] == []


@pytest.mark.parametrize(
    ("alias_name", "message"),
    [
        pytest.param(
            "123",
            "1 validation error detected: Value '123' at 'name' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)",
            id="numeric",
        ),
        pytest.param(
            "has space",
            "1 validation error detected: Value 'has space' at 'name' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: "
            "(?!^[0-9]+$)([a-zA-Z0-9-_]+)",
            id="space",
        ),
    ],
)
def test_bad_alias_names(
    lambda_client: Any, raw_client: Any, alias_name: str, message: str
) -> None:
    name = _two_versions(lambda_client)
    with pytest.raises(raw_client.exceptions.ClientError) as error:
        raw_client.create_alias(FunctionName=name, Name=alias_name, FunctionVersion="1")
    assert_error(error, "ValidationException", message, 400)
    assert lambda_client.list_aliases(FunctionName=name)["Aliases"] == []


@pytest.mark.parametrize(
    ("version", "weights", "code", "message"),
    [
        pytest.param(
            "1",
            {"9": 0.5},
            "InvalidParameterValueException",
            "Function version 9 does not exist",
            id="unknown-extra-version",
        ),
        pytest.param(
            "1",
            {"1": 0.5},
            "InvalidParameterValueException",
            "Invalid function version 1. Function version 1 is already included in routing "
            "configuration.",
            id="same-version",
        ),
        pytest.param(
            "$LATEST",
            {"1": 0.5},
            "InvalidParameterValueException",
            "$LATEST is not supported for an alias pointing to more than 1 version",
            id="latest-primary",
        ),
        pytest.param("1", {"2": 1.5}, "ValidationException", None, id="weight-over-one"),
    ],
)
def test_bad_routing_config(
    lambda_client: Any,
    raw_client: Any,
    version: str,
    weights: dict[str, float],
    code: str,
    message: str | None,
) -> None:
    name = _two_versions(lambda_client)
    with pytest.raises(raw_client.exceptions.ClientError) as error:
        raw_client.create_alias(
            FunctionName=name,
            Name="split",
            FunctionVersion=version,
            RoutingConfig={"AdditionalVersionWeights": weights},
        )
    assert_error(error, code, message, 400)
    assert lambda_client.list_aliases(FunctionName=name)["Aliases"] == []


def test_weighted_alias_splits_invocations(lambda_client: Any) -> None:
    name = _two_versions(lambda_client)
    alias = lambda_client.create_alias(
        FunctionName=name,
        Name="canary",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}},
    )
    assert alias["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.5}}
    got = lambda_client.get_alias(FunctionName=name, Name="canary")
    assert got["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.5}}
    counts = {"1": 0, "2": 0}
    for _ in range(200):
        response = lambda_client.invoke(FunctionName=name, Qualifier="canary")
        executed = response["ExecutedVersion"]
        assert json.loads(response["Payload"].read()) == executed
        counts[executed] += 1
    # 0.5 over 200 draws: either side under 40 has probability far below 1e-15
    assert counts["1"] > 40 and counts["2"] > 40, counts
    # removing the weights sends everything to the primary version again
    lambda_client.update_alias(
        FunctionName=name, Name="canary", RoutingConfig={"AdditionalVersionWeights": {}}
    )
    executed = {
        lambda_client.invoke(FunctionName=name, Qualifier="canary")["ExecutedVersion"]
        for _ in range(20)
    }
    assert executed == {"1"}


def test_delete_missing_alias_is_quiet(lambda_client: Any) -> None:
    """DeleteAlias of an alias that is not there succeeds, as Lambda's does."""
    name = create_function(lambda_client, V)
    lambda_client.delete_alias(FunctionName=name, Name="never")
    assert lambda_client.list_aliases(FunctionName=name)["Aliases"] == []


def test_list_aliases_paginates(lambda_client: Any) -> None:
    name = _two_versions(lambda_client)
    for alias in ("a1", "a2", "a3", "a4", "a5"):
        lambda_client.create_alias(FunctionName=name, Name=alias, FunctionVersion="1")
    seen: list[str] = []
    kwargs: dict[str, Any] = {"FunctionName": name, "MaxItems": 2}
    while True:
        page = lambda_client.list_aliases(**kwargs)
        assert len(page["Aliases"]) <= 2
        seen.extend(a["Name"] for a in page["Aliases"])
        if "NextMarker" not in page:
            break
        kwargs["Marker"] = page["NextMarker"]
    assert seen == ["a1", "a2", "a3", "a4", "a5"]


def test_event_invoke_through_alias(lambda_client: Any, tmp_path: Any) -> None:
    from tests.aws.lambda_.conftest import wait_for

    marker = tmp_path / "version"
    name = create_function(
        lambda_client,
        "def handler(event, context):\n"
        "    open(event['path'], 'w').write(context.function_version + ' ' + "
        "context.invoked_function_arn)\n",
    )
    lambda_client.publish_version(FunctionName=name)
    lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    response = lambda_client.invoke(
        FunctionName=name,
        Qualifier="live",
        InvocationType="Event",
        Payload=json.dumps({"path": str(marker)}),
    )
    assert response["StatusCode"] == 202
    written = wait_for(lambda: marker.exists() and marker.read_text())
    assert written == f"1 {function_arn(name, 'live')}"
