"""The read side of CloudFormation's type registry: the AWS resource types a template may
use on Stratus, described as AWS describes its public types (no schema: Stratus has no
faithful one to give, so ``Schema`` is left out).

https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeType.html
"""

from __future__ import annotations

from typing import Any

from stratus.aws.cloudformation.pages import page
from stratus.aws.context import RequestContext
from stratus.services.stacks.errors import RegistryError, TypeNotFound
from stratus.services.stacks.resources.registry import HANDLERS

__all__ = ["TypeRegistryOperations"]

Params = dict[str, Any]

#: AWS's public types are all at this version.
_VERSION = "00000001"

#: Types whose every property is create-only or read-only in AWS's resource schemas:
#: nothing about them can be updated (AWS registers them IMMUTABLE).
_IMMUTABLE = frozenset(
    {
        "AWS::ApiGateway::Resource",
        "AWS::Lambda::LayerVersion",
        "AWS::Lambda::Permission",
        "AWS::Logs::LogStream",
        "AWS::StepFunctions::StateMachineVersion",
        "AWS::CloudFormation::WaitConditionHandle",
    }
)

#: Handled by Stratus but no registry type on AWS (CDK's metadata is stripped by AWS).
_NOT_REGISTERED = frozenset({"AWS::CDK::Metadata"})


def _types() -> list[str]:
    return sorted(k for k in HANDLERS if k.startswith("AWS::") and k not in _NOT_REGISTERED)


def _arn(region: str, name: str) -> str:
    return f"arn:aws:cloudformation:{region}::type/resource/{name.replace('::', '-')}"


def _name_of_arn(arn: str) -> str | None:
    parts = arn.split(":", 5)
    if len(parts) != 6 or not parts[5].startswith("type/resource/"):
        return None
    segments = parts[5].split("/")
    if len(segments) not in (3, 4) or (len(segments) == 4 and segments[3] != _VERSION):
        return None
    return segments[2].replace("-", "::")


def _resolve(ctx: RequestContext, params: Params) -> str:
    """The type a request names, by ARN or by Type and TypeName."""
    arn, name = params.get("Arn"), params.get("TypeName")
    if arn and name:
        raise RegistryError("Specify either Arn or TypeName, not both")
    if not arn and not name:
        raise RegistryError("Must specify either Arn or TypeName")
    if arn:
        found = _name_of_arn(arn)
        if found is None or found not in _types():
            raise TypeNotFound(f"The type '{arn}' cannot be found.")
        return found
    if params.get("Type", "RESOURCE") != "RESOURCE" or name not in _types():
        raise TypeNotFound(f"The type '{name}' cannot be found.")
    version = params.get("VersionId")
    if version is not None and version != _VERSION:
        raise TypeNotFound(f"The type '{name}' with version '{version}' cannot be found.")
    return str(name)


class TypeRegistryOperations:
    async def describe_type(self, ctx: RequestContext, params: Params) -> Params:
        name = _resolve(ctx, params)
        return {
            "Arn": _arn(ctx.region, name),
            "Type": "RESOURCE",
            "TypeName": name,
            "DefaultVersionId": _VERSION,
            "IsDefaultVersion": True,
            "ProvisioningType": "IMMUTABLE" if name in _IMMUTABLE else "FULLY_MUTABLE",
            "DeprecatedStatus": "LIVE",
            "Visibility": "PUBLIC",
            "IsActivated": True,
        }

    async def list_types(self, ctx: RequestContext, params: Params) -> Params:
        # ListTypes lists PRIVATE types unless told otherwise; AWS's own are PUBLIC.
        filters = params.get("Filters") or {}
        if (
            params.get("Visibility", "PRIVATE") != "PUBLIC"
            or params.get("Type", "RESOURCE") != "RESOURCE"
            or params.get("DeprecatedStatus", "LIVE") != "LIVE"
            or filters.get("Category", "AWS_TYPES") != "AWS_TYPES"
            or filters.get("PublisherId")
        ):
            return {"TypeSummaries": []}
        wanted = params.get("ProvisioningType")
        prefix = filters.get("TypeNamePrefix", "")
        return page(
            "TypeSummaries",
            [
                {
                    "Type": "RESOURCE",
                    "TypeName": name,
                    "DefaultVersionId": _VERSION,
                    "TypeArn": _arn(ctx.region, name),
                    "IsActivated": True,
                }
                for name in _types()
                if name.startswith(prefix)
                and (
                    wanted is None
                    or wanted == ("IMMUTABLE" if name in _IMMUTABLE else "FULLY_MUTABLE")
                )
            ],
            params,
        )

    async def list_type_versions(self, ctx: RequestContext, params: Params) -> Params:
        name = _resolve(ctx, {k: v for k, v in params.items() if k != "VersionId"})
        if params.get("DeprecatedStatus", "LIVE") != "LIVE":
            return {"TypeVersionSummaries": []}
        return {
            "TypeVersionSummaries": [
                {
                    "Type": "RESOURCE",
                    "TypeName": name,
                    "VersionId": _VERSION,
                    "IsDefaultVersion": True,
                    "Arn": f"{_arn(ctx.region, name)}/{_VERSION}",
                }
            ]
        }
