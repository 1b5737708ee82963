"""Capacity providers and function scaling configs, a mixin of :class:`LambdaProvider`.

CreateCapacityProvider, GetCapacityProvider, UpdateCapacityProvider,
DeleteCapacityProvider, ListCapacityProviders, ListFunctionVersionsByCapacityProvider,
PutFunctionScalingConfig and GetFunctionScalingConfig. Stored and reported, not acted on:
Stratus has no EC2 fleet, functions naming a provider run on its own runtime
(``services/functions/capacity_providers.py``).
"""

from __future__ import annotations

from typing import Any

from stratus.aws.context import RequestContext
from stratus.aws.lambda_.pagination import list_result
from stratus.aws.lambda_.scope import fid
from stratus.services.functions.capacity_providers import CapacityProvider, CapacityProviders
from stratus.services.functions.errors import InvalidParameter, NotFound
from stratus.services.functions.model import FunctionConfig
from stratus.services.functions.names import parse_function_name, qualified
from stratus.services.functions.registry import FunctionRegistry
from stratus.services.functions.settings import FunctionSettings
from stratus.services.system_tags import counted

Params = dict[str, Any]

# The model's PublishedFunctionQualifier admits $LATEST.PUBLISHED (a version Lambda
# publishes by itself, with CreateFunction's PublishTo), which Stratus does not make.
LATEST_PUBLISHED = "$LATEST.PUBLISHED"


def capacity_provider_shape(provider: CapacityProvider) -> Params:
    shape: Params = {
        "CapacityProviderArn": provider.arn,
        "State": provider.state(),
        "VpcConfig": dict(provider.vpc_config),
        "PermissionsConfig": dict(provider.permissions_config),
        "InstanceRequirements": dict(provider.instance_requirements),
        "CapacityProviderScalingConfig": dict(provider.scaling_config),
        "LastModified": provider.last_modified,
    }
    if provider.kms_key_arn:
        shape["KmsKeyArn"] = provider.kms_key_arn
    if provider.propagate_tags is not None:
        shape["PropagateTags"] = dict(provider.propagate_tags)
    if provider.telemetry_config is not None:
        shape["TelemetryConfig"] = dict(provider.telemetry_config)
    return shape


class CapacityProvidersApi:
    _registry: FunctionRegistry
    _capacity_providers: CapacityProviders

    async def create_capacity_provider(self, ctx: RequestContext, params: Params) -> Params:
        tags = params.get("Tags") or {}
        if counted(tags) > 50:
            raise InvalidParameter("Number of tags exceeds resource tag limit.")
        provider = await self._capacity_providers.create(
            ctx.scope,
            params["CapacityProviderName"],
            vpc_config=params["VpcConfig"],
            permissions_config=params["PermissionsConfig"],
            instance_requirements=params.get("InstanceRequirements"),
            scaling_config=params.get("CapacityProviderScalingConfig"),
            kms_key_arn=params.get("KmsKeyArn"),
            propagate_tags=params.get("PropagateTags"),
            telemetry_config=params.get("TelemetryConfig"),
            tags=tags,
        )
        return {"CapacityProvider": capacity_provider_shape(provider)}

    def _provider_arn(self, ctx: RequestContext, params: Params) -> str:
        return self._capacity_providers.arn_of(ctx.scope, params["CapacityProviderName"])

    async def get_capacity_provider(self, ctx: RequestContext, params: Params) -> Params:
        provider = self._capacity_providers.get(self._provider_arn(ctx, params))
        return {"CapacityProvider": capacity_provider_shape(provider)}

    async def update_capacity_provider(self, ctx: RequestContext, params: Params) -> Params:
        provider = await self._capacity_providers.update(
            self._provider_arn(ctx, params),
            scaling_config=params.get("CapacityProviderScalingConfig"),
            propagate_tags=params.get("PropagateTags"),
            telemetry_config=params.get("TelemetryConfig"),
        )
        return {"CapacityProvider": capacity_provider_shape(provider)}

    async def delete_capacity_provider(self, ctx: RequestContext, params: Params) -> Params:
        provider = await self._capacity_providers.delete(self._provider_arn(ctx, params))
        return {"CapacityProvider": {**capacity_provider_shape(provider), "State": "Deleting"}}

    async def list_capacity_providers(self, ctx: RequestContext, params: Params) -> Params:
        providers = self._capacity_providers.all(ctx.scope, params.get("State"))
        return list_result(
            "CapacityProviders", providers, lambda p: p.arn, params, capacity_provider_shape
        )

    async def list_function_versions_by_capacity_provider(
        self, ctx: RequestContext, params: Params
    ) -> Params:
        arn = self._provider_arn(ctx, params)
        versions = self._capacity_providers.function_versions(arn)
        result = list_result(
            "FunctionVersions",
            versions,
            lambda v: v[0],
            params,
            lambda v: {"FunctionArn": v[0], "State": v[1]},
        )
        return {"CapacityProviderArn": arn, **result}

    def capacity_provider_tags(self, resource: str) -> dict[str, str] | None:
        """A provider's tags when ``resource`` is a provider's ARN; None for others."""
        if ":capacity-provider:" not in resource:
            return None
        return dict(self._capacity_providers.get(resource).tags)

    async def set_capacity_provider_tags(self, resource: str, tags: dict[str, str]) -> None:
        if counted(tags) > 50:
            raise InvalidParameter("Number of tags exceeds resource tag limit.")
        await self._capacity_providers.set_tags(resource, tags)

    # -- function scaling configs ------------------------------------------------------
    def _scaling_target(self, ctx: RequestContext, params: Params) -> tuple[str, str]:
        ref = parse_function_name(params["FunctionName"])
        name = fid(ctx, ref)
        qualifier = params["Qualifier"]
        arn = qualified(name, qualifier)
        if qualifier == LATEST_PUBLISHED:
            self._registry.record(name)
            raise NotFound(f"Function not found: {arn}")
        config = self._registry.resolve(name, qualifier)  # NotFound for a missing version
        if config.capacity_provider_config is None:
            raise InvalidParameter(
                "Function scaling configuration is only supported for functions that use a "
                f"capacity provider: {arn}"
            )
        return name, qualifier

    async def put_function_scaling_config(self, ctx: RequestContext, params: Params) -> Params:
        name, qualifier = self._scaling_target(ctx, params)
        config = {
            k: int(v)
            for k, v in (params.get("FunctionScalingConfig") or {}).items()
            if k in ("MinExecutionEnvironments", "MaxExecutionEnvironments")
        }
        low, high = config.get("MinExecutionEnvironments"), config.get("MaxExecutionEnvironments")
        if low is not None and high is not None and low > high:
            raise InvalidParameter(
                "MinExecutionEnvironments must be less than or equal to MaxExecutionEnvironments."
            )
        configs = dict(self._registry.record(name).scaling_configs)
        configs[qualifier] = config
        await self._registry.update_record(name, scaling_configs=configs)
        return {"FunctionState": self._registry.resolve(name, qualifier).state}

    async def get_function_scaling_config(self, ctx: RequestContext, params: Params) -> Params:
        name, qualifier = self._scaling_target(ctx, params)
        result: Params = {"FunctionArn": qualified(name, qualifier)}
        config = self._registry.record(name).scaling_configs.get(qualifier)
        if config is not None:
            # Applied at once: there is no fleet to resize, so nothing stays "Requested".
            result["AppliedFunctionScalingConfig"] = dict(config)
        return result


# What Lambda fills in for a function on a capacity provider when the request leaves it out.
MANAGED_INSTANCES_DEFAULTS: dict[str, Any] = {
    "ExecutionEnvironmentMemoryGiBPerVCpu": 2.0,
    "PerExecutionEnvironmentMaxConcurrency": 16,
}
MANAGED_INSTANCES_MEMORY_MB = 2048


def managed_instances_settings(
    providers: CapacityProviders, settings: FunctionSettings, current: FunctionConfig | None
) -> None:
    """Check and complete a Create/UpdateFunctionConfiguration's CapacityProviderConfig.

    The provider must exist; a function created without one cannot take one later
    ("Lambda Default" functions stay so). A new function on a provider gets Lambda's
    defaults: 2 GiB per vCPU, 16 concurrent requests per environment, 2048 MB of memory
    and JSON logs, unless the request says otherwise.
    """
    given = settings.capacity_provider_config
    if given is None:
        return
    arn = given["CapacityProviderArn"]
    if not providers.exists(arn):
        raise InvalidParameter(f"Capacity provider not found: {arn}")
    if current is not None and current.capacity_provider_config is None:
        raise InvalidParameter(
            "CapacityProviderConfig isn't supported for Lambda Default functions."
        )
    settings.capacity_provider_config = {**MANAGED_INSTANCES_DEFAULTS, **given}
    if current is None:
        if "memory_size" not in settings.given:
            settings.memory_size = MANAGED_INSTANCES_MEMORY_MB
        if settings.logging_config is None:
            settings.logging_config = {"LogFormat": "JSON"}
