"""Lambda's code signing config operations, a mixin of :class:`LambdaProvider`.

Create/Get/Update/Delete/ListCodeSigningConfigs, Put/Get/DeleteFunctionCodeSigningConfig
and ListFunctionsByCodeSigningConfig over ``services.functions.code_signing``.
"""

from __future__ import annotations

from typing import Any

from stratus.aws.context import RequestContext
from stratus.aws.lambda_.pagination import list_result
from stratus.aws.lambda_.scope import fid
from stratus.services.functions.code_signing import CodeSigningConfig, CodeSigningConfigs
from stratus.services.functions.names import parse_function_name

Params = dict[str, Any]


def code_signing_config(config: CodeSigningConfig) -> Params:
    return {
        "CodeSigningConfigId": config.id,
        "CodeSigningConfigArn": config.arn,
        "Description": config.description,
        "AllowedPublishers": {
            "SigningProfileVersionArns": list(config.signing_profile_version_arns)
        },
        "CodeSigningPolicies": {
            "UntrustedArtifactOnDeployment": config.untrusted_artifact_on_deployment
        },
        "LastModified": config.last_modified,
    }


class CodeSigningApi:
    _code_signing: CodeSigningConfigs

    async def create_code_signing_config(self, ctx: RequestContext, params: Params) -> Params:
        config = await self._code_signing.create(
            ctx.scope,
            (params.get("AllowedPublishers") or {}).get("SigningProfileVersionArns") or [],
            untrusted_artifact_on_deployment=(params.get("CodeSigningPolicies") or {}).get(
                "UntrustedArtifactOnDeployment"
            ),
            description=params.get("Description"),
            tags=params.get("Tags"),
        )
        return {"CodeSigningConfig": code_signing_config(config)}

    async def get_code_signing_config(self, ctx: RequestContext, params: Params) -> Params:
        config = self._code_signing.get(params["CodeSigningConfigArn"])
        return {"CodeSigningConfig": code_signing_config(config)}

    async def update_code_signing_config(self, ctx: RequestContext, params: Params) -> Params:
        publishers = params.get("AllowedPublishers")
        policies = params.get("CodeSigningPolicies")
        config = await self._code_signing.update(
            params["CodeSigningConfigArn"],
            signing_profile_version_arns=None
            if publishers is None
            else publishers.get("SigningProfileVersionArns") or [],
            untrusted_artifact_on_deployment=None
            if policies is None
            else policies.get("UntrustedArtifactOnDeployment"),
            description=params.get("Description"),
        )
        return {"CodeSigningConfig": code_signing_config(config)}

    async def delete_code_signing_config(self, ctx: RequestContext, params: Params) -> Params:
        await self._code_signing.delete(params["CodeSigningConfigArn"])
        return {}

    async def list_code_signing_configs(self, ctx: RequestContext, params: Params) -> Params:
        return list_result(
            "CodeSigningConfigs",
            self._code_signing.all(ctx.scope),
            lambda config: config.id,
            params,
            code_signing_config,
        )

    async def put_function_code_signing_config(self, ctx: RequestContext, params: Params) -> Params:
        ref = parse_function_name(params["FunctionName"])
        await self._code_signing.attach(fid(ctx, ref), params["CodeSigningConfigArn"])
        return {"CodeSigningConfigArn": params["CodeSigningConfigArn"], "FunctionName": ref.name}

    async def get_function_code_signing_config(self, ctx: RequestContext, params: Params) -> Params:
        ref = parse_function_name(params["FunctionName"])
        arn = self._code_signing.of_function(fid(ctx, ref))
        return {"CodeSigningConfigArn": arn or "", "FunctionName": ref.name}

    async def delete_function_code_signing_config(
        self, ctx: RequestContext, params: Params
    ) -> Params:
        ref = parse_function_name(params["FunctionName"])
        await self._code_signing.detach(fid(ctx, ref))
        return {}

    async def list_functions_by_code_signing_config(
        self, ctx: RequestContext, params: Params
    ) -> Params:
        arns = self._code_signing.functions_using(params["CodeSigningConfigArn"])
        return list_result("FunctionArns", arns, lambda arn: arn, params, lambda arn: arn)
