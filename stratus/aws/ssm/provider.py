"""Systems Manager's Parameter Store operations (json): parsed requests in, shapes out.

Only the Parameter Store part of SSM is served; the rest of the API answers as an
operation not implemented.
"""

from __future__ import annotations

from typing import Any

from stratus.aws.context import RequestContext
from stratus.aws.ssm.errors import SSM_ERRORS
from stratus.services.parameters.model import Parameter, Version
from stratus.services.parameters.service import ParametersService, ciphertext

__all__ = ["SsmProvider"]

Params = dict[str, Any]
Result = dict[str, Any]


def _page(items: list[Any], params: Params, default: int) -> tuple[list[Any], str | None]:
    token = str(params.get("NextToken") or "0")
    start = int(token) if token.isdigit() else 0
    following = start + int(params.get("MaxResults") or default)
    return items[start:following], (str(following) if following < len(items) else None)


def _user(parameter: Parameter) -> str:
    return f"arn:aws:iam::{parameter.account}:root"


def _value(version: Version, decrypt: bool) -> str:
    if version.type == "SecureString" and not decrypt:
        return ciphertext(version)
    return version.value


def _parameter(
    parameter: Parameter, version: Version, selector: str | None, decrypt: bool
) -> Result:
    answer: Result = {
        "Name": parameter.name,
        "Type": version.type,
        "Value": _value(version, decrypt),
        "Version": version.version,
        "LastModifiedDate": version.modified,
        "ARN": parameter.arn,
        "DataType": version.data_type,
    }
    if selector:
        answer["Selector"] = selector
    return answer


def _metadata(parameter: Parameter) -> Result:
    current = parameter.current
    answer: Result = {
        "Name": parameter.name,
        "ARN": parameter.arn,
        "Type": current.type,
        "LastModifiedDate": current.modified,
        "LastModifiedUser": _user(parameter),
        "Version": current.version,
        "Tier": current.tier,
        "Policies": [],
        "DataType": current.data_type,
    }
    if current.key_id:
        answer["KeyId"] = current.key_id
    if current.description:
        answer["Description"] = current.description
    if current.allowed_pattern:
        answer["AllowedPattern"] = current.allowed_pattern
    return answer


def _history(parameter: Parameter, version: Version, decrypt: bool) -> Result:
    answer: Result = {
        "Name": parameter.name,
        "Type": version.type,
        "LastModifiedDate": version.modified,
        "LastModifiedUser": _user(parameter),
        "Value": _value(version, decrypt),
        "Version": version.version,
        "Labels": list(version.labels),
        "Tier": version.tier,
        "Policies": [],
        "DataType": version.data_type,
    }
    if version.key_id:
        answer["KeyId"] = version.key_id
    if version.description:
        answer["Description"] = version.description
    if version.allowed_pattern:
        answer["AllowedPattern"] = version.allowed_pattern
    return answer


class SsmProvider:
    errors = SSM_ERRORS

    def __init__(self, parameters: ParametersService) -> None:
        self._parameters = parameters

    async def put_parameter(self, ctx: RequestContext, params: Params) -> Result:
        version = await self._parameters.put(ctx.scope, params)
        return {"Version": version.version, "Tier": version.tier}

    async def get_parameter(self, ctx: RequestContext, params: Params) -> Result:
        parameter, version, selector = self._parameters.get(ctx.scope, params["Name"])
        decrypt = bool(params.get("WithDecryption"))
        return {"Parameter": _parameter(parameter, version, selector, decrypt)}

    async def get_parameters(self, ctx: RequestContext, params: Params) -> Result:
        found, missing = self._parameters.get_many(ctx.scope, params["Names"])
        decrypt = bool(params.get("WithDecryption"))
        return {
            "Parameters": [_parameter(p, v, s, decrypt) for p, v, s in found],
            "InvalidParameters": missing,
        }

    async def get_parameters_by_path(self, ctx: RequestContext, params: Params) -> Result:
        chosen = self._parameters.by_path(
            ctx.scope,
            params["Path"],
            recursive=bool(params.get("Recursive")),
            filters=params.get("ParameterFilters") or [],
        )
        page, token = _page(chosen, params, 10)
        decrypt = bool(params.get("WithDecryption"))
        answer: Result = {"Parameters": [_parameter(p, p.current, None, decrypt) for p in page]}
        if token:
            answer["NextToken"] = token
        return answer

    async def describe_parameters(self, ctx: RequestContext, params: Params) -> Result:
        chosen = self._parameters.describe(
            ctx.scope, params.get("Filters") or [], params.get("ParameterFilters") or []
        )
        page, token = _page(chosen, params, 10)
        answer: Result = {"Parameters": [_metadata(p) for p in page]}
        if token:
            answer["NextToken"] = token
        return answer

    async def get_parameter_history(self, ctx: RequestContext, params: Params) -> Result:
        parameter = self._parameters.history(ctx.scope, params["Name"])
        decrypt = bool(params.get("WithDecryption"))
        page, token = _page(parameter.versions, params, 50)
        answer: Result = {"Parameters": [_history(parameter, v, decrypt) for v in page]}
        if token:
            answer["NextToken"] = token
        return answer

    async def delete_parameter(self, ctx: RequestContext, params: Params) -> Result:
        await self._parameters.delete(ctx.scope, params["Name"])
        return {}

    async def delete_parameters(self, ctx: RequestContext, params: Params) -> Result:
        deleted, missing = await self._parameters.delete_many(ctx.scope, params["Names"])
        return {"DeletedParameters": deleted, "InvalidParameters": missing}

    async def label_parameter_version(self, ctx: RequestContext, params: Params) -> Result:
        version, invalid = await self._parameters.label(
            ctx.scope, params["Name"], params.get("ParameterVersion"), params["Labels"]
        )
        return {"InvalidLabels": invalid, "ParameterVersion": version}

    async def add_tags_to_resource(self, ctx: RequestContext, params: Params) -> Result:
        tags = {t["Key"]: t["Value"] for t in params["Tags"]}
        await self._parameters.tag(
            ctx.scope, params["ResourceType"], params["ResourceId"], tags, ()
        )
        return {}

    async def remove_tags_from_resource(self, ctx: RequestContext, params: Params) -> Result:
        await self._parameters.tag(
            ctx.scope, params["ResourceType"], params["ResourceId"], {}, params["TagKeys"]
        )
        return {}

    async def list_tags_for_resource(self, ctx: RequestContext, params: Params) -> Result:
        parameter = self._parameters.tagged(ctx.scope, params["ResourceType"], params["ResourceId"])
        return {"TagList": [{"Key": k, "Value": v} for k, v in parameter.tags.items()]}
