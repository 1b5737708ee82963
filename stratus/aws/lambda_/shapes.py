"""Records of the functions service rendered as Lambda's API shapes."""

from __future__ import annotations

import base64
from typing import Any

from stratus.services.functions.model import AliasConfig, FunctionConfig, LayerVersion


def function_configuration(config: FunctionConfig) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "FunctionName": config.name,
        "FunctionArn": config.arn if config.version == "$LATEST" else config.qualified_arn,
        "Runtime": config.runtime,
        "Role": config.role,
        "Handler": config.handler,
        "CodeSize": config.code_size,
        "Description": config.description,
        "Timeout": config.timeout,
        "MemorySize": config.memory_size,
        "LastModified": config.last_modified,
        "CodeSha256": config.code_sha256,
        "Version": config.version,
        "TracingConfig": {"Mode": config.tracing_mode},
        "RevisionId": config.revision_id,
        "State": config.state,
        "LastUpdateStatus": config.last_update_status,
        "PackageType": "Zip",
        "Architectures": list(config.architectures),
        "EphemeralStorage": {"Size": config.ephemeral_storage},
        "SnapStart": {
            "ApplyOn": config.snap_start,
            "OptimizationStatus": "On"
            if config.snap_start == "PublishedVersions" and config.version != "$LATEST"
            else "Off",
        },
        "RuntimeVersionConfig": {"RuntimeVersionArn": runtime_version_arn(config)},
        "LoggingConfig": dict(
            config.logging_config or {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{config.name}"}
        ),
    }
    for member, value in (
        ("StateReason", config.state_reason),
        ("StateReasonCode", config.state_reason_code),
        ("LastUpdateStatusReason", config.last_update_status_reason),
        ("LastUpdateStatusReasonCode", config.last_update_status_reason_code),
    ):
        if value is not None:
            shape[member] = value
    if config.environment is not None:
        shape["Environment"] = {"Variables": dict(config.environment)}
    if config.layers:
        shape["Layers"] = [{"Arn": u.arn, "CodeSize": u.code_size} for u in config.layer_uses()]
    if config.dead_letter_target:
        shape["DeadLetterConfig"] = {"TargetArn": config.dead_letter_target}
    if config.kms_key_arn:
        shape["KMSKeyArn"] = config.kms_key_arn
    if config.durable_config is not None:
        shape["DurableConfig"] = dict(config.durable_config)
    if config.capacity_provider_config is not None:
        shape["CapacityProviderConfig"] = {
            "LambdaManagedInstancesCapacityProviderConfig": dict(config.capacity_provider_config)
        }
    if config.vpc_config is not None:
        shape["VpcConfig"] = {
            "SubnetIds": list(config.vpc_config.get("SubnetIds", [])),
            "SecurityGroupIds": list(config.vpc_config.get("SecurityGroupIds", [])),
            "VpcId": "",
        }
    return shape


# ListFunctions returns "a subset of the FunctionConfiguration fields": not these, which
# only GetFunction/GetFunctionConfiguration report (API_ListFunctions.html).
_NOT_LISTED = (
    "State",
    "StateReason",
    "StateReasonCode",
    "LastUpdateStatus",
    "LastUpdateStatusReason",
    "LastUpdateStatusReasonCode",
    "RuntimeVersionConfig",
)


def list_functions_item(config: FunctionConfig) -> dict[str, Any]:
    shape = function_configuration(config)
    for member in _NOT_LISTED:
        shape.pop(member, None)
    return shape


def runtime_version_arn(config: FunctionConfig) -> str:
    """The runtime version a version runs: the pinned one (Manual), else the platform's."""
    if config.update_runtime_on == "Manual" and config.runtime_version_arn:
        return config.runtime_version_arn
    return f"arn:aws:lambda:{config.region}::runtime:stratus-{config.runtime}"


def alias_configuration(alias: AliasConfig) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "AliasArn": alias.arn,
        "Name": alias.name,
        "FunctionVersion": alias.function_version,
        "Description": alias.description,
        "RevisionId": alias.revision_id,
    }
    if alias.routing_weights:
        shape["RoutingConfig"] = {"AdditionalVersionWeights": dict(alias.routing_weights)}
    return shape


def layer_version(layer: LayerVersion, location: str) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "Content": {
            "Location": location,
            "CodeSha256": layer.code_sha256,
            "CodeSize": layer.code_size,
        },
        "LayerArn": layer.arn,
        "LayerVersionArn": layer.version_arn,
        "Description": layer.description,
        "CreatedDate": layer.created_date,
        "Version": layer.version,
        "CompatibleRuntimes": list(layer.compatible_runtimes),
        "CompatibleArchitectures": list(layer.compatible_architectures),
    }
    if layer.license_info is not None:
        shape["LicenseInfo"] = layer.license_info
    return shape


def layer_versions_item(layer: LayerVersion) -> dict[str, Any]:
    item = layer_version(layer, "")
    del item["Content"]
    del item["LayerArn"]
    return item


def encode_log(text: str) -> str:
    return base64.b64encode(text.encode()).decode()
