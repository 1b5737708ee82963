"""Capacity providers (Lambda Managed Instances) and function scaling configs.

Stored and reported, not acted on: functions that name a provider run on Stratus's own
runtime. Checked here: shapes and ARNs, Pending then Active, the rules the model cannot
express, in-use protection, tags, the functions that name a provider, restarts.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.aws.lambda_.conftest import ACCOUNT, REGION, assert_error, function_arn
from tests.conftest import ServerProcess, create_function, make_zip, unique_name

SOURCE = "def handler(event, context):\n    return {'ok': True}\n"
VPC = {"SubnetIds": ["subnet-1", "subnet-2"], "SecurityGroupIds": ["sg-1"]}
PERMISSIONS = {"CapacityProviderOperatorRoleArn": f"arn:aws:iam::{ACCOUNT}:role/operator"}


def provider_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:capacity-provider:{name}"


def _create(client: Any, name: str | None = None, **extra: Any) -> dict[str, Any]:
    name = name or unique_name("cp")
    response = client.create_capacity_provider(
        CapacityProviderName=name, VpcConfig=VPC, PermissionsConfig=PERMISSIONS, **extra
    )
    provider: dict[str, Any] = response["CapacityProvider"]
    return provider


def _wait_active(client: Any, name: str) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while True:
        provider: dict[str, Any] = client.get_capacity_provider(CapacityProviderName=name)[
            "CapacityProvider"
        ]
        if provider["State"] == "Active" or time.monotonic() > deadline:
            return provider
        time.sleep(0.05)


def _managed_function(client: Any, provider: str) -> str:
    name = unique_name("managed")
    client.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=f"arn:aws:iam::{ACCOUNT}:role/x",
        Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": SOURCE})},
        CapacityProviderConfig={
            "LambdaManagedInstancesCapacityProviderConfig": {
                "CapacityProviderArn": provider_arn(provider),
                "PerExecutionEnvironmentMaxConcurrency": 10,
            }
        },
    )
    client.get_waiter("function_active_v2").wait(FunctionName=name)
    return name


def test_create_get_list_pending_then_active(lambda_client: Any) -> None:
    name = unique_name("cp")
    created = lambda_client.create_capacity_provider(
        CapacityProviderName=name,
        VpcConfig=VPC,
        PermissionsConfig=PERMISSIONS,
        InstanceRequirements={"Architectures": ["arm64"], "AllowedInstanceTypes": ["m7g.large"]},
        CapacityProviderScalingConfig={"MaxVCpuCount": 64},
        KmsKeyArn="arn:aws:kms:us-east-1:000000000000:key/k",
        Tags={"team": "a"},
    )
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    provider = created["CapacityProvider"]
    assert provider["CapacityProviderArn"] == provider_arn(name)
    assert provider["State"] == "Pending"
    assert provider["VpcConfig"] == VPC
    assert provider["PermissionsConfig"] == PERMISSIONS
    assert provider["InstanceRequirements"] == {
        "Architectures": ["arm64"],
        "AllowedInstanceTypes": ["m7g.large"],
    }
    assert provider["CapacityProviderScalingConfig"] == {"MaxVCpuCount": 64, "ScalingMode": "Auto"}
    assert provider["KmsKeyArn"] == "arn:aws:kms:us-east-1:000000000000:key/k"
    active = _wait_active(lambda_client, name)
    assert active["State"] == "Active"
    # a name or the ARN names it
    by_arn = lambda_client.get_capacity_provider(CapacityProviderName=provider_arn(name))
    assert by_arn["CapacityProvider"]["CapacityProviderArn"] == provider_arn(name)
    listed = lambda_client.list_capacity_providers()["CapacityProviders"]
    assert provider_arn(name) in [p["CapacityProviderArn"] for p in listed]
    active_only = lambda_client.list_capacity_providers(State="Active")["CapacityProviders"]
    assert provider_arn(name) in [p["CapacityProviderArn"] for p in active_only]
    pending = lambda_client.list_capacity_providers(State="Failed")["CapacityProviders"]
    assert provider_arn(name) not in [p["CapacityProviderArn"] for p in pending]
    assert lambda_client.list_tags(Resource=provider_arn(name))["Tags"] == {"team": "a"}


def test_list_pages(lambda_client: Any) -> None:
    for _ in range(3):
        _create(lambda_client)
    seen: list[str] = []
    marker: str | None = None
    while True:
        page = lambda_client.list_capacity_providers(
            MaxItems=2, **({"Marker": marker} if marker else {})
        )
        assert len(page["CapacityProviders"]) <= 2
        seen.extend(p["CapacityProviderArn"] for p in page["CapacityProviders"])
        marker = page.get("NextMarker")
        if not marker:
            break
    assert len(seen) == len(set(seen)) >= 3
    assert seen == sorted(seen)


def test_duplicate_and_missing(lambda_client: Any) -> None:
    name = unique_name("cp")
    _create(lambda_client, name)
    with pytest.raises(lambda_client.exceptions.ResourceConflictException) as error:
        _create(lambda_client, name)
    assert_error(
        error,
        "ResourceConflictException",
        f"Capacity provider already exists: {provider_arn(name)}",
        409,
    )
    missing = provider_arn("no-such-provider")
    for call in (
        lambda_client.get_capacity_provider,
        lambda_client.delete_capacity_provider,
        lambda_client.update_capacity_provider,
        lambda_client.list_function_versions_by_capacity_provider,
    ):
        with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
            call(CapacityProviderName="no-such-provider")
        assert_error(
            error, "ResourceNotFoundException", f"Capacity provider not found: {missing}", 404
        )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {
                "InstanceRequirements": {
                    "AllowedInstanceTypes": ["m7i.large"],
                    "ExcludedInstanceTypes": ["c7i.large"],
                }
            },
            "AllowedInstanceTypes and ExcludedInstanceTypes cannot be specified together.",
        ),
        (
            {"CapacityProviderScalingConfig": {"ScalingMode": "Manual"}},
            "ScalingPolicies must be specified when ScalingMode is Manual.",
        ),
        (
            {
                "CapacityProviderScalingConfig": {
                    "ScalingMode": "Auto",
                    "ScalingPolicies": [
                        {
                            "PredefinedMetricType": "LambdaCapacityProviderAverageCPUUtilization",
                            "TargetValue": 50.0,
                        }
                    ],
                }
            },
            "ScalingPolicies can only be specified when ScalingMode is Manual.",
        ),
        (
            {"PropagateTags": {"Mode": "None", "ExplicitTags": {"a": "b"}}},
            "ExplicitTags can only be specified when Mode is Explicit.",
        ),
    ],
)
def test_bad_settings(lambda_client: Any, extra: dict[str, Any], message: str) -> None:
    name = unique_name("cp")
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error:
        _create(lambda_client, name, **extra)
    assert_error(error, "InvalidParameterValueException", message, 400)
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException):
        lambda_client.get_capacity_provider(CapacityProviderName=name)


def test_model_checks_come_first(raw_client: Any) -> None:
    with pytest.raises(raw_client.exceptions.ClientError) as error:
        raw_client.create_capacity_provider(CapacityProviderName="x", VpcConfig=VPC)
    assert error.value.response["Error"]["Code"] == "ValidationException"


def test_update(lambda_client: Any) -> None:
    name = unique_name("cp")
    _create(lambda_client, name)
    policies = [
        {"PredefinedMetricType": "LambdaCapacityProviderAverageCPUUtilization", "TargetValue": 60.0}
    ]
    updated = lambda_client.update_capacity_provider(
        CapacityProviderName=name,
        CapacityProviderScalingConfig={"ScalingMode": "Manual", "ScalingPolicies": policies},
        PropagateTags={"Mode": "Explicit", "ExplicitTags": {"env": "dev"}},
        TelemetryConfig={"LoggingConfig": {"SystemLogLevel": "WARN"}},
    )
    assert updated["ResponseMetadata"]["HTTPStatusCode"] == 202
    provider = updated["CapacityProvider"]
    assert provider["CapacityProviderScalingConfig"] == {
        "ScalingMode": "Manual",
        "ScalingPolicies": policies,
    }
    assert provider["PropagateTags"] == {"Mode": "Explicit", "ExplicitTags": {"env": "dev"}}
    assert provider["TelemetryConfig"] == {"LoggingConfig": {"SystemLogLevel": "WARN"}}
    assert provider["VpcConfig"] == VPC  # untouched
    # a bad update changes nothing
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException):
        lambda_client.update_capacity_provider(
            CapacityProviderName=name, CapacityProviderScalingConfig={"ScalingMode": "Manual"}
        )
    got = lambda_client.get_capacity_provider(CapacityProviderName=name)["CapacityProvider"]
    assert got["CapacityProviderScalingConfig"]["ScalingPolicies"] == policies


def test_tags(lambda_client: Any) -> None:
    name = unique_name("cp")
    _create(lambda_client, name, Tags={"a": "1"})
    arn = provider_arn(name)
    lambda_client.tag_resource(Resource=arn, Tags={"b": "2"})
    assert lambda_client.list_tags(Resource=arn)["Tags"] == {"a": "1", "b": "2"}
    lambda_client.untag_resource(Resource=arn, TagKeys=["a"])
    assert lambda_client.list_tags(Resource=arn)["Tags"] == {"b": "2"}
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException):
        lambda_client.list_tags(Resource=provider_arn("no-such-provider"))


def test_functions_naming_a_provider(lambda_client: Any) -> None:
    provider = unique_name("cp")
    _create(lambda_client, provider)
    name = _managed_function(lambda_client, provider)
    config = lambda_client.get_function_configuration(FunctionName=name)
    assert config["CapacityProviderConfig"] == {
        "LambdaManagedInstancesCapacityProviderConfig": {
            "CapacityProviderArn": provider_arn(provider),
            "PerExecutionEnvironmentMaxConcurrency": 10,
            "ExecutionEnvironmentMemoryGiBPerVCpu": 2.0,  # Lambda's default
        }
    }
    # Lambda's defaults for a function on a provider: 2048 MB, JSON logs
    assert config["MemorySize"] == 2048
    assert config["LoggingConfig"] == {
        "LogFormat": "JSON",
        "ApplicationLogLevel": "INFO",
        "SystemLogLevel": "INFO",
        "LogGroup": f"/aws/lambda/{name}",
    }
    updated = lambda_client.update_function_configuration(
        FunctionName=name,
        CapacityProviderConfig={
            "LambdaManagedInstancesCapacityProviderConfig": {
                "CapacityProviderArn": provider_arn(provider),
                "ExecutionEnvironmentMemoryGiBPerVCpu": 4.0,
            }
        },
    )
    assert updated["CapacityProviderConfig"]["LambdaManagedInstancesCapacityProviderConfig"] == {
        "CapacityProviderArn": provider_arn(provider),
        "PerExecutionEnvironmentMaxConcurrency": 16,
        "ExecutionEnvironmentMemoryGiBPerVCpu": 4.0,
    }
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=name)
    # it runs on Stratus's own runtime
    assert lambda_client.invoke(FunctionName=name)["Payload"].read() == b'{"ok": true}'
    lambda_client.publish_version(FunctionName=name)
    versions = lambda_client.list_function_versions_by_capacity_provider(
        CapacityProviderName=provider
    )
    assert versions["CapacityProviderArn"] == provider_arn(provider)
    assert versions["FunctionVersions"] == [
        {"FunctionArn": function_arn(name, "$LATEST"), "State": "Active"},
        {"FunctionArn": function_arn(name, "1"), "State": "Active"},
    ]
    with pytest.raises(lambda_client.exceptions.ResourceConflictException) as error:
        lambda_client.delete_capacity_provider(CapacityProviderName=provider)
    assert_error(
        error,
        "ResourceConflictException",
        f"Capacity provider {provider_arn(provider)} is in use by function versions: "
        f"{function_arn(name, '$LATEST')}, {function_arn(name, '1')}",
        409,
    )
    lambda_client.delete_function(FunctionName=name)
    deleted = lambda_client.delete_capacity_provider(CapacityProviderName=provider)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert deleted["CapacityProvider"]["State"] == "Deleting"
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException):
        lambda_client.get_capacity_provider(CapacityProviderName=provider)


def test_a_function_names_only_a_provider_that_exists(lambda_client: Any) -> None:
    missing = provider_arn("no-such-provider")
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error:
        lambda_client.create_function(
            FunctionName=unique_name("managed"),
            Runtime="python3.12",
            Role=f"arn:aws:iam::{ACCOUNT}:role/x",
            Handler="app.handler",
            Code={"ZipFile": make_zip({"app.py": SOURCE})},
            CapacityProviderConfig={
                "LambdaManagedInstancesCapacityProviderConfig": {"CapacityProviderArn": missing}
            },
        )
    assert_error(
        error, "InvalidParameterValueException", f"Capacity provider not found: {missing}", 400
    )
    name = create_function(lambda_client, SOURCE)
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error:
        lambda_client.update_function_configuration(
            FunctionName=name,
            CapacityProviderConfig={
                "LambdaManagedInstancesCapacityProviderConfig": {"CapacityProviderArn": missing}
            },
        )
    assert_error(
        error, "InvalidParameterValueException", f"Capacity provider not found: {missing}", 400
    )
    # a function created without a provider cannot take one later
    provider = unique_name("cp")
    _create(lambda_client, provider)
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error:
        lambda_client.update_function_configuration(
            FunctionName=name,
            CapacityProviderConfig={
                "LambdaManagedInstancesCapacityProviderConfig": {
                    "CapacityProviderArn": provider_arn(provider)
                }
            },
        )
    assert_error(
        error,
        "InvalidParameterValueException",
        "CapacityProviderConfig isn't supported for Lambda Default functions.",
        400,
    )
    assert "CapacityProviderConfig" not in lambda_client.get_function_configuration(
        FunctionName=name
    )


def test_function_scaling_config(lambda_client: Any) -> None:
    provider = unique_name("cp")
    _create(lambda_client, provider)
    name = _managed_function(lambda_client, provider)
    lambda_client.publish_version(FunctionName=name)
    put = lambda_client.put_function_scaling_config(
        FunctionName=name,
        Qualifier="1",
        FunctionScalingConfig={"MinExecutionEnvironments": 2, "MaxExecutionEnvironments": 8},
    )
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert put["FunctionState"] == "Active"
    got = lambda_client.get_function_scaling_config(FunctionName=name, Qualifier="1")
    assert got["FunctionArn"] == function_arn(name, "1")
    assert got["AppliedFunctionScalingConfig"] == {
        "MinExecutionEnvironments": 2,
        "MaxExecutionEnvironments": 8,
    }
    assert "RequestedFunctionScalingConfig" not in got
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error:
        lambda_client.put_function_scaling_config(
            FunctionName=name,
            Qualifier="1",
            FunctionScalingConfig={"MinExecutionEnvironments": 9, "MaxExecutionEnvironments": 3},
        )
    assert_error(
        error,
        "InvalidParameterValueException",
        "MinExecutionEnvironments must be less than or equal to MaxExecutionEnvironments.",
        400,
    )
    got = lambda_client.get_function_scaling_config(FunctionName=name, Qualifier="1")
    assert got["AppliedFunctionScalingConfig"]["MinExecutionEnvironments"] == 2
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        lambda_client.get_function_scaling_config(FunctionName=name, Qualifier="7")
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        lambda_client.get_function_scaling_config(FunctionName=name, Qualifier="$LATEST.PUBLISHED")
    assert_error(
        error,
        "ResourceNotFoundException",
        f"Function not found: {function_arn(name, '$LATEST.PUBLISHED')}",
        404,
    )


def test_scaling_config_needs_a_capacity_provider(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    lambda_client.publish_version(FunctionName=name)
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error:
        lambda_client.put_function_scaling_config(
            FunctionName=name, Qualifier="1", FunctionScalingConfig={"MinExecutionEnvironments": 1}
        )
    assert_error(
        error,
        "InvalidParameterValueException",
        "Function scaling configuration is only supported for functions that use a capacity "
        f"provider: {function_arn(name, '1')}",
        400,
    )
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException):
        lambda_client.put_function_scaling_config(
            FunctionName=unique_name("missing"), Qualifier="1", FunctionScalingConfig={}
        )


def test_state_survives_a_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = ServerProcess(data_dir).start()
    second: ServerProcess | None = None
    try:
        client = first.client("lambda")
        provider = unique_name("cp")
        _create(client, provider, Tags={"k": "v"})
        name = _managed_function(client, provider)
        client.publish_version(FunctionName=name)
        client.put_function_scaling_config(
            FunctionName=name, Qualifier="1", FunctionScalingConfig={"MaxExecutionEnvironments": 4}
        )
        before = _wait_active(client, provider)
        first.kill()
        second = ServerProcess(data_dir).start()
        client = second.client("lambda")
        after = client.get_capacity_provider(CapacityProviderName=provider)["CapacityProvider"]
        assert after == before
        assert client.list_tags(Resource=provider_arn(provider))["Tags"] == {"k": "v"}
        versions = client.list_function_versions_by_capacity_provider(
            CapacityProviderName=provider
        )["FunctionVersions"]
        assert [v["FunctionArn"] for v in versions] == [
            function_arn(name, "$LATEST"),
            function_arn(name, "1"),
        ]
        scaling = client.get_function_scaling_config(FunctionName=name, Qualifier="1")
        assert scaling["AppliedFunctionScalingConfig"] == {"MaxExecutionEnvironments": 4}
        with pytest.raises(client.exceptions.ResourceConflictException):
            client.delete_capacity_provider(CapacityProviderName=provider)
    finally:
        if second is not None:
            second.stop()
        first.stop()
