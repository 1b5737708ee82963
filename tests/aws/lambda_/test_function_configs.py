"""Recursion config, runtime management config, code signing configs and InvokeAsync."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.aws.lambda_.conftest import ACCOUNT, REGION, assert_error, function_arn, wait_for
from tests.conftest import create_function, unique_name

SOURCE = "def handler(event, context):\n    return 1\n"
RUNTIME_ARN = (
    "arn:aws:lambda:us-east-1::runtime:"
    "0b1c3a8bc2d7c4d49e1a3f0b8a5d4e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d"
)
PROFILE = "arn:aws:signer:us-east-1:000000000000:/signing-profiles/p/abcdef1234"


# -- recursion -----------------------------------------------------------------------
def test_recursion_config(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    assert lambda_client.get_function_recursion_config(FunctionName=name)["RecursiveLoop"] == (
        "Terminate"
    )
    put = lambda_client.put_function_recursion_config(FunctionName=name, RecursiveLoop="Allow")
    assert put["RecursiveLoop"] == "Allow"
    assert lambda_client.get_function_recursion_config(FunctionName=name)["RecursiveLoop"] == (
        "Allow"
    )


def test_recursion_config_bad_input(raw_client: Any, lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    with pytest.raises(raw_client.exceptions.ClientError) as error:
        raw_client.put_function_recursion_config(FunctionName=name, RecursiveLoop="Sometimes")
    assert_error(
        error,
        "ValidationException",
        "1 validation error detected: Value 'Sometimes' at 'recursiveLoop' failed to satisfy "
        "constraint: Member must satisfy enum value set: [Allow, Terminate]",
        400,
    )
    assert lambda_client.get_function_recursion_config(FunctionName=name)["RecursiveLoop"] == (
        "Terminate"
    )
    ghost = unique_name("ghost")
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        lambda_client.put_function_recursion_config(FunctionName=ghost, RecursiveLoop="Allow")
    assert_error(error, "ResourceNotFoundException", f"Function not found: {function_arn(ghost)}")


# -- runtime management --------------------------------------------------------------
def test_runtime_management_config(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    default = lambda_client.get_runtime_management_config(FunctionName=name)
    assert default["UpdateRuntimeOn"] == "Auto"
    assert "RuntimeVersionArn" not in default
    put = lambda_client.put_runtime_management_config(
        FunctionName=name, UpdateRuntimeOn="Manual", RuntimeVersionArn=RUNTIME_ARN
    )
    assert put["UpdateRuntimeOn"] == "Manual"
    assert put["RuntimeVersionArn"] == RUNTIME_ARN
    assert put["FunctionArn"] == function_arn(name)
    got = lambda_client.get_runtime_management_config(FunctionName=name)
    assert (got["UpdateRuntimeOn"], got["RuntimeVersionArn"]) == ("Manual", RUNTIME_ARN)
    config = lambda_client.get_function_configuration(FunctionName=name)
    assert config["RuntimeVersionConfig"] == {"RuntimeVersionArn": RUNTIME_ARN}

    lambda_client.put_runtime_management_config(FunctionName=name, UpdateRuntimeOn="FunctionUpdate")
    got = lambda_client.get_runtime_management_config(FunctionName=name)
    assert got["UpdateRuntimeOn"] == "FunctionUpdate"
    assert "RuntimeVersionArn" not in got
    runtime_arn = lambda_client.get_function(FunctionName=name)["Configuration"][
        "RuntimeVersionConfig"
    ]["RuntimeVersionArn"]
    assert re.match(r"^arn:aws:lambda:us-east-1::runtime:.+", runtime_arn)


def test_manual_runtime_pins_the_runtime(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE, runtime="python3.12")
    lambda_client.put_runtime_management_config(
        FunctionName=name, UpdateRuntimeOn="Manual", RuntimeVersionArn=RUNTIME_ARN
    )
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error:
        lambda_client.update_function_configuration(FunctionName=name, Runtime="python3.13")
    assert_error(
        error,
        "InvalidParameterValueException",
        "Cannot change runtime identifier when runtime management configuration is set to "
        "'Manual'. Change the runtime management configuration to 'Auto' or 'FunctionUpdate', "
        "then retry.",
        400,
    )
    assert lambda_client.get_function_configuration(FunctionName=name)["Runtime"] == "python3.12"
    lambda_client.update_function_configuration(FunctionName=name, Timeout=5)  # others may


def test_runtime_management_per_version(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    lambda_client.publish_version(FunctionName=name)
    put = lambda_client.put_runtime_management_config(
        FunctionName=name, Qualifier="1", UpdateRuntimeOn="Manual", RuntimeVersionArn=RUNTIME_ARN
    )
    assert put["FunctionArn"] == function_arn(name, "1")
    assert (
        lambda_client.get_runtime_management_config(FunctionName=name, Qualifier="1")[
            "UpdateRuntimeOn"
        ]
        == "Manual"
    )
    assert lambda_client.get_runtime_management_config(FunctionName=name)["UpdateRuntimeOn"] == (
        "Auto"
    )


RUNTIME_BAD_INPUTS = [
    pytest.param(
        {"UpdateRuntimeOn": "Weekly"},
        "ValidationException",
        "1 validation error detected: Value 'Weekly' at 'updateRuntimeOn' failed to satisfy "
        "constraint: Member must satisfy enum value set: [Auto, Manual, FunctionUpdate]",
        id="bad-mode",
    ),
    pytest.param(
        {"UpdateRuntimeOn": "Manual"},
        "InvalidParameterValueException",
        "RuntimeVersionArn is required when UpdateRuntimeOn is set to Manual.",
        id="manual-without-arn",
    ),
    pytest.param(
        {"UpdateRuntimeOn": "Auto", "RuntimeVersionArn": RUNTIME_ARN},
        "InvalidParameterValueException",
        "RuntimeVersionArn can only be specified when UpdateRuntimeOn is set to Manual.",
        id="arn-without-manual",
    ),
    pytest.param(
        {"UpdateRuntimeOn": "Manual", "RuntimeVersionArn": "arn:aws:lambda:us-east-1::nope:x" * 2},
        "ValidationException",
        None,
        id="bad-arn",
    ),
    pytest.param(
        {"UpdateRuntimeOn": "Auto", "Qualifier": "live"},
        "InvalidParameterValueException",
        "The qualifier parameter must be a function version or $LATEST.",
        id="alias-qualifier",
    ),
]


@pytest.mark.parametrize(("params", "code", "message"), RUNTIME_BAD_INPUTS)
def test_runtime_management_bad_input(
    raw_client: Any, lambda_client: Any, params: dict[str, Any], code: str, message: str | None
) -> None:
    name = create_function(lambda_client, SOURCE)
    with pytest.raises(raw_client.exceptions.ClientError) as error:
        raw_client.put_runtime_management_config(FunctionName=name, **params)
    assert_error(error, code, message, 400)
    assert lambda_client.get_runtime_management_config(FunctionName=name)["UpdateRuntimeOn"] == (
        "Auto"
    )


# -- code signing configs ------------------------------------------------------------
def test_code_signing_config_lifecycle(lambda_client: Any) -> None:
    created = lambda_client.create_code_signing_config(
        Description="signed only",
        AllowedPublishers={"SigningProfileVersionArns": [PROFILE]},
        CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Enforce"},
    )
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    config = created["CodeSigningConfig"]
    arn = config["CodeSigningConfigArn"]
    assert re.match(r"^csc-[0-9a-f]{17}$", config["CodeSigningConfigId"])
    assert (
        arn
        == f"arn:aws:lambda:{REGION}:{ACCOUNT}:code-signing-config:{config['CodeSigningConfigId']}"
    )
    assert config["AllowedPublishers"] == {"SigningProfileVersionArns": [PROFILE]}
    assert config["CodeSigningPolicies"] == {"UntrustedArtifactOnDeployment": "Enforce"}
    assert config["Description"] == "signed only"
    assert lambda_client.get_code_signing_config(CodeSigningConfigArn=arn)["CodeSigningConfig"] == (
        config
    )
    listed = [
        c["CodeSigningConfigArn"]
        for page in lambda_client.get_paginator("list_code_signing_configs").paginate()
        for c in page["CodeSigningConfigs"]
    ]
    assert arn in listed

    updated = lambda_client.update_code_signing_config(
        CodeSigningConfigArn=arn, CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Warn"}
    )["CodeSigningConfig"]
    assert updated["CodeSigningPolicies"] == {"UntrustedArtifactOnDeployment": "Warn"}
    assert updated["Description"] == "signed only"

    name = create_function(lambda_client, SOURCE)
    other = create_function(lambda_client, SOURCE)
    assert (
        lambda_client.get_function_code_signing_config(FunctionName=name)["CodeSigningConfigArn"]
        == ""
    )
    put = lambda_client.put_function_code_signing_config(
        CodeSigningConfigArn=arn, FunctionName=name
    )
    assert (put["CodeSigningConfigArn"], put["FunctionName"]) == (arn, name)
    got = lambda_client.get_function_code_signing_config(FunctionName=name)
    assert (got["CodeSigningConfigArn"], got["FunctionName"]) == (arn, name)
    users = lambda_client.list_functions_by_code_signing_config(CodeSigningConfigArn=arn)
    assert users["FunctionArns"] == [function_arn(name)]
    assert function_arn(other) not in users["FunctionArns"]

    deleted = lambda_client.delete_function_code_signing_config(FunctionName=name)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert (
        lambda_client.list_functions_by_code_signing_config(CodeSigningConfigArn=arn)[
            "FunctionArns"
        ]
        == []
    )
    assert (
        lambda_client.delete_code_signing_config(CodeSigningConfigArn=arn)["ResponseMetadata"][
            "HTTPStatusCode"
        ]
        == 204
    )
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        lambda_client.get_code_signing_config(CodeSigningConfigArn=arn)
    assert_error(
        error,
        "ResourceNotFoundException",
        f"The Lambda code signing configuration {arn} can not be found.",
        404,
    )


def test_code_signing_bad_input(raw_client: Any, lambda_client: Any) -> None:
    missing = f"arn:aws:lambda:{REGION}:{ACCOUNT}:code-signing-config:csc-0123456789abcdef0"
    for call in (
        lambda: lambda_client.get_code_signing_config(CodeSigningConfigArn=missing),
        lambda: lambda_client.update_code_signing_config(
            CodeSigningConfigArn=missing, Description="x"
        ),
        lambda: lambda_client.delete_code_signing_config(CodeSigningConfigArn=missing),
        lambda: lambda_client.list_functions_by_code_signing_config(CodeSigningConfigArn=missing),
    ):
        with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
            call()
        assert_error(
            error,
            "ResourceNotFoundException",
            f"The Lambda code signing configuration {missing} can not be found.",
            404,
        )
    name = create_function(lambda_client, SOURCE)
    with pytest.raises(lambda_client.exceptions.CodeSigningConfigNotFoundException) as error:
        lambda_client.put_function_code_signing_config(
            CodeSigningConfigArn=missing, FunctionName=name
        )
    assert_error(
        error,
        "CodeSigningConfigNotFoundException",
        "The code signing configuration cannot be found. Check that the provided configuration "
        f"is not deleted: {missing}.",
        404,
    )
    assert (
        lambda_client.get_function_code_signing_config(FunctionName=name)["CodeSigningConfigArn"]
        == ""
    )
    with pytest.raises(raw_client.exceptions.ClientError) as error:
        raw_client.create_code_signing_config(
            AllowedPublishers={"SigningProfileVersionArns": [PROFILE]},
            CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Sometimes"},
        )
    assert_error(
        error,
        "ValidationException",
        "1 validation error detected: Value 'Sometimes' at "
        "'codeSigningPolicies.untrustedArtifactOnDeployment' failed to satisfy constraint: "
        "Member must satisfy enum value set: [Warn, Enforce]",
        400,
    )
    ghost = unique_name("ghost")
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        lambda_client.get_function_code_signing_config(FunctionName=ghost)
    assert_error(error, "ResourceNotFoundException", f"Function not found: {function_arn(ghost)}")


# -- InvokeAsync ---------------------------------------------------------------------
def test_invoke_async(lambda_client: Any, tmp_path: Path) -> None:
    out = tmp_path / "ran.json"
    name = create_function(
        lambda_client,
        "import json\n\ndef handler(event, context):\n"
        "    open(event['path'], 'w').write(json.dumps(event))\n",
    )
    response = lambda_client.invoke_async(
        FunctionName=name, InvokeArgs=json.dumps({"path": str(out), "n": 1})
    )
    assert response["Status"] == 202
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 202
    wait_for(out.exists)
    assert json.loads(wait_for(lambda: out.read_text()))["n"] == 1

    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        lambda_client.invoke_async(FunctionName=unique_name("ghost"), InvokeArgs=b"{}")
    assert_error(error, "ResourceNotFoundException", None, 404)
    with pytest.raises(lambda_client.exceptions.InvalidRequestContentException):
        lambda_client.invoke_async(FunctionName=name, InvokeArgs=b"not json")
