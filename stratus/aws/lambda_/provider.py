"""The Lambda API (rest-json) on top of the functions service.

Thin by design: each method reads the parsed parameters, calls the service, and renders
the result with ``shapes``. Service errors become AWS errors in ``errors.to_service_error``.
Groups of newer operations live in mixins (``streaming.py``, ``provisioned.py``).
"""

from __future__ import annotations

import time
from typing import Any

from stratus.aws.context import RequestContext
from stratus.aws.lambda_ import shapes
from stratus.aws.lambda_.capacity_providers import (
    CapacityProvidersApi,
    managed_instances_settings,
)
from stratus.aws.lambda_.code_signing import CodeSigningApi
from stratus.aws.lambda_.configs import ConfigsApi
from stratus.aws.lambda_.durable import DURABLE_ERRORS, DurableApi
from stratus.aws.lambda_.errors import to_service_error
from stratus.aws.lambda_.event_source_mappings import EVENT_SOURCE_ERRORS, EventSourceMappingsApi
from stratus.aws.lambda_.function_urls import FunctionUrlsApi
from stratus.aws.lambda_.pagination import list_result
from stratus.aws.lambda_.permissions import PermissionsApi
from stratus.aws.lambda_.provisioned import ProvisionedConcurrencyMixin
from stratus.aws.lambda_.s3_code import S3CodeReader
from stratus.aws.lambda_.scope import fid, invoke_target, layer_id
from stratus.aws.lambda_.streaming import StreamingInvokeMixin
from stratus.aws.protocol.error_table import ErrorTable
from stratus.aws.protocol.errors import ServiceError
from stratus.runtime.limits import Limits
from stratus.runtime.logs import tail
from stratus.services.event_sources.engine import EventSourceMappings
from stratus.services.functions.capacity_providers import CapacityProviders
from stratus.services.functions.code_signing import CodeSigningConfigs
from stratus.services.functions.destinations import check_destination
from stratus.services.functions.errors import (
    FunctionError,
    InvalidParameter,
    NotFound,
    Unsupported,
)
from stratus.services.functions.function_configs import FunctionConfigs
from stratus.services.functions.function_urls import FunctionUrls
from stratus.services.functions.invocations import Invocations
from stratus.services.functions.layers import LayerRegistry
from stratus.services.functions.model import LATEST
from stratus.services.functions.names import (
    parse_function_name,
    parse_layer_version_arn,
    qualified,
)
from stratus.services.functions.permissions import Permissions, ResourcePolicies
from stratus.services.functions.provisioned import ProvisionedConcurrency
from stratus.services.functions.registry import FunctionRegistry
from stratus.services.functions.settings import FunctionSettings
from stratus.services.system_tags import counted

Params = dict[str, Any]

_SETTING_MEMBERS = {
    "Runtime": "runtime",
    "Role": "role",
    "Handler": "handler",
    "Description": "description",
    "Timeout": "timeout",
    "MemorySize": "memory_size",
    "KMSKeyArn": "kms_key_arn",
    "VpcConfig": "vpc_config",
    "Layers": "layers",
    "Architectures": "architectures",
}


def _settings(params: Params) -> FunctionSettings:
    settings = FunctionSettings()
    for member, attribute in _SETTING_MEMBERS.items():
        if member in params:
            setattr(settings, attribute, params[member])
            settings.given.add(attribute)
    if "Environment" in params:
        settings.environment = dict(params["Environment"].get("Variables") or {})
    if "EphemeralStorage" in params:
        settings.ephemeral_storage = params["EphemeralStorage"].get("Size")
    if "TracingConfig" in params:
        settings.tracing_mode = params["TracingConfig"].get("Mode", "PassThrough")
    if "SnapStart" in params:
        settings.snap_start = params["SnapStart"].get("ApplyOn", "None")
    if "DeadLetterConfig" in params:
        settings.dead_letter_target = params["DeadLetterConfig"].get("TargetArn", "")
    if "LoggingConfig" in params:
        settings.logging_config = dict(params["LoggingConfig"])
    if "DurableConfig" in params:
        settings.durable_config = {"RetentionPeriodInDays": 30, **params["DurableConfig"]}
    if "CapacityProviderConfig" in params:
        settings.capacity_provider_config = dict(
            params["CapacityProviderConfig"]["LambdaManagedInstancesCapacityProviderConfig"]
        )
    return settings


class LambdaProvider(
    StreamingInvokeMixin,
    ProvisionedConcurrencyMixin,
    PermissionsApi,
    ConfigsApi,
    CodeSigningApi,
    EventSourceMappingsApi,
    FunctionUrlsApi,
    DurableApi,
    CapacityProvidersApi,
):
    """The Lambda API; streaming, provisioned concurrency, policies, per-function configs,
    code signing, event source mappings and capacity providers come from mixins, one
    module per group of operations."""

    errors = (
        ErrorTable({FunctionError: to_service_error})
        .merged(EVENT_SOURCE_ERRORS)
        .merged(DURABLE_ERRORS)
    )

    def __init__(
        self,
        registry: FunctionRegistry,
        layers: LayerRegistry,
        invocations: Invocations,
        limits: Limits,
        provisioned: ProvisionedConcurrency,
        *,
        code_signing: CodeSigningConfigs,
        event_sources: EventSourceMappings,
        function_urls: FunctionUrls,
        capacity_providers: CapacityProviders,
        gateway_port: int = 8080,
        s3_code: S3CodeReader | None = None,
    ) -> None:
        self._registry = registry
        self._layers = layers
        self._invocations = invocations
        self._limits = limits
        self._provisioned = provisioned
        self._permissions = Permissions(registry, layers)
        self._resource_policies = ResourcePolicies(registry)
        self._configs = FunctionConfigs(registry)
        self._code_signing = code_signing
        self._event_sources = event_sources
        self._function_urls = function_urls
        self._capacity_providers = capacity_providers
        self._gateway_port = gateway_port
        self._s3_code = s3_code

    # -- functions -------------------------------------------------------------------
    async def create_function(self, ctx: RequestContext, params: Params) -> Params:
        ref = parse_function_name(params["FunctionName"])
        if ref.qualifier is not None:
            raise InvalidParameter("Qualifier is not supported in CreateFunction")
        code = params.get("Code") or {}
        if params.get("PackageType") == "Image" or "ImageUri" in code:
            raise Unsupported("Container image functions are not supported by Stratus.")
        zip_bytes = code.get("ZipFile")
        if zip_bytes is None and "S3Bucket" in code:
            zip_bytes = await self._code_from_s3(ctx, code)
        if zip_bytes is None:
            raise InvalidParameter("Please provide a source for function code.")
        self._check_zip_size(zip_bytes)
        settings = _settings(params)
        managed_instances_settings(self._capacity_providers, settings, None)
        config = await self._registry.create(
            fid(ctx, ref),
            settings,
            zip_bytes,
            publish=bool(params.get("Publish")),
            tags=params.get("Tags"),
        )
        return shapes.function_configuration(config)

    def _check_zip_size(self, data: bytes) -> None:
        # Lambda checks the zip itself before the request's size since late 2023 (the
        # older "Request must be smaller than 69905067 bytes for the CreateFunction
        # operation" named the request); localstack/docs#933 records the change.
        if len(data) > self._limits.zip_bytes:
            raise ServiceError(
                f"Zipped size must be smaller than {self._limits.zip_bytes} bytes",
                code="RequestEntityTooLargeException",
                status_code=413,
                fields={"Type": "User"},
            )

    async def get_function(self, ctx: RequestContext, params: Params) -> Params:
        ref = parse_function_name(params["FunctionName"], params.get("Qualifier"))
        function_id = fid(ctx, ref)
        config = await self._registry.resolve_settled(function_id, ref.qualifier)
        record = self._registry.record(function_id)
        host = ctx.request.headers.get("host", "127.0.0.1:4566")
        result: Params = {
            "Configuration": shapes.function_configuration(config),
            "Code": {
                "RepositoryType": "S3",
                "Location": f"http://{host}/_stratus/code/{config.code_digest}",
            },
        }
        if record.tags and ref.qualifier is None:
            result["Tags"] = dict(record.tags)
        if record.reserved_concurrency is not None:
            result["Concurrency"] = {"ReservedConcurrentExecutions": record.reserved_concurrency}
        return result

    async def get_function_configuration(self, ctx: RequestContext, params: Params) -> Params:
        ref = parse_function_name(params["FunctionName"], params.get("Qualifier"))
        config = await self._registry.resolve_settled(fid(ctx, ref), ref.qualifier)
        return shapes.function_configuration(config)

    async def list_functions(self, ctx: RequestContext, params: Params) -> Params:
        everything = params.get("FunctionVersion") == "ALL"
        configs = []
        for name in self._registry.ids_in(ctx.scope):
            configs.extend(
                self._registry.versions(name) if everything else [self._registry.latest(name)]
            )
        return list_result(
            "Functions",
            configs,
            lambda c: f"{c.name}\x00{_version_key(c.version)}",
            params,
            shapes.list_functions_item,
        )

    async def update_function_code(self, ctx: RequestContext, params: Params) -> Params:
        ref = parse_function_name(params["FunctionName"])
        function_id = fid(ctx, ref)
        zip_bytes = params.get("ZipFile")
        if zip_bytes is None and "S3Bucket" in params:
            zip_bytes = await self._code_from_s3(ctx, params)
        if zip_bytes is None:
            if "ImageUri" in params:
                raise Unsupported("Only zip code updates are supported by Stratus.")
            raise InvalidParameter("Please provide a source for function code.")
        self._check_zip_size(zip_bytes)
        if params.get("DryRun"):
            self._registry.latest(function_id)
            config = self._registry.latest(function_id)
            return shapes.function_configuration(config)
        config = await self._registry.update_code(
            function_id,
            zip_bytes,
            publish=bool(params.get("Publish")),
            revision_id=params.get("RevisionId"),
            architectures=params.get("Architectures"),
        )
        return shapes.function_configuration(config)

    async def update_function_configuration(self, ctx: RequestContext, params: Params) -> Params:
        ref = parse_function_name(params["FunctionName"])
        function_id = fid(ctx, ref)
        settings = _settings(params)
        managed_instances_settings(
            self._capacity_providers, settings, self._registry.latest(function_id)
        )
        config = await self._registry.update_configuration(
            function_id, settings, revision_id=params.get("RevisionId")
        )
        return shapes.function_configuration(config)

    async def delete_function(self, ctx: RequestContext, params: Params) -> Params:
        ref = parse_function_name(params["FunctionName"], params.get("Qualifier"))
        function_id = fid(ctx, ref)
        await self._registry.delete(function_id, ref.qualifier)
        if ref.qualifier is None:
            # The reservation goes with the function: a new one of that name starts unreserved.
            self._invocations.set_reserved(function_id, None)
        return {"StatusCode": 204}

    # -- invoke ----------------------------------------------------------------------
    async def invoke(self, ctx: RequestContext, params: Params) -> Params:
        ref, function_id, payload, kind = invoke_target(ctx, params)
        if kind == "DryRun":
            self._invocations.dry_run(function_id, ref.qualifier)
            return {"StatusCode": 204, "Payload": b""}
        # Routed once, here: the durable check and the invocation see the same version
        # (an alias with routing weights draws once per call).
        routed = self._invocations.routed(
            function_id, ref.qualifier, wake=kind == "RequestResponse"
        )
        durable = await self.invoke_durable(params, routed, ref.qualifier, payload, kind)
        if durable is not None:
            return durable
        if kind == "Event":
            await self._invocations.enqueue(
                function_id,
                ref.qualifier,
                payload,
                request_id=ctx.request_id,
                client_context=params.get("ClientContext"),
            )
            return {"StatusCode": 202, "Payload": b""}
        response = await self._invocations.invoke(
            function_id,
            ref.qualifier,
            payload,
            request_id=ctx.request_id,
            client_context=params.get("ClientContext"),
            tail=params.get("LogType") == "Tail",
            # The SDKs send X-Amzn-Trace-Id from inside a Lambda function (botocore's
            # recursion detection): this call's caller is an invocation, waiting for it.
            nested="x-amzn-trace-id" in ctx.request.headers,
            routed=routed,
        )
        result: Params = {
            "StatusCode": response.status,
            "Payload": response.payload,
            "ExecutedVersion": response.executed_version,
        }
        if response.function_error:
            result["FunctionError"] = response.function_error
        if response.log_text is not None:
            result["LogResult"] = shapes.encode_log(
                tail(response.log_text, self._limits.log_tail_bytes)
            )
        return result

    # -- versions and aliases --------------------------------------------------------
    async def publish_version(self, ctx: RequestContext, params: Params) -> Params:
        ref = parse_function_name(params["FunctionName"])
        config = await self._registry.publish(
            fid(ctx, ref),
            code_sha256=params.get("CodeSha256"),
            description=params.get("Description"),
            revision_id=params.get("RevisionId"),
        )
        return shapes.function_configuration(config)

    async def list_versions_by_function(self, ctx: RequestContext, params: Params) -> Params:
        ref = parse_function_name(params["FunctionName"])
        versions = self._registry.versions(fid(ctx, ref))
        return list_result(
            "Versions",
            versions,
            lambda c: _version_key(c.version),
            params,
            shapes.function_configuration,
        )

    async def create_alias(self, ctx: RequestContext, params: Params) -> Params:
        ref = parse_function_name(params["FunctionName"])
        alias = await self._registry.create_alias(
            fid(ctx, ref),
            params["Name"],
            params["FunctionVersion"],
            description=params.get("Description", ""),
            routing_weights=_weights(params),
        )
        return shapes.alias_configuration(alias)

    async def get_alias(self, ctx: RequestContext, params: Params) -> Params:
        ref = parse_function_name(params["FunctionName"])
        return shapes.alias_configuration(self._registry.alias(fid(ctx, ref), params["Name"]))

    async def update_alias(self, ctx: RequestContext, params: Params) -> Params:
        ref = parse_function_name(params["FunctionName"])
        alias = await self._registry.update_alias(
            fid(ctx, ref),
            params["Name"],
            function_version=params.get("FunctionVersion"),
            description=params.get("Description"),
            routing_weights=_weights(params),
            revision_id=params.get("RevisionId"),
        )
        return shapes.alias_configuration(alias)

    async def delete_alias(self, ctx: RequestContext, params: Params) -> Params:
        ref = parse_function_name(params["FunctionName"])
        await self._registry.delete_alias(fid(ctx, ref), params["Name"])
        return {}

    async def list_aliases(self, ctx: RequestContext, params: Params) -> Params:
        ref = parse_function_name(params["FunctionName"])
        aliases = self._registry.aliases(fid(ctx, ref))
        if params.get("FunctionVersion"):
            aliases = [
                a
                for a in aliases
                if a.function_version == params["FunctionVersion"]
                or params["FunctionVersion"] in a.routing_weights
            ]
        return list_result("Aliases", aliases, lambda a: a.name, params, shapes.alias_configuration)

    # -- concurrency -----------------------------------------------------------------
    async def put_function_concurrency(self, ctx: RequestContext, params: Params) -> Params:
        ref = parse_function_name(params["FunctionName"])
        function_id = fid(ctx, ref)
        value = int(params["ReservedConcurrentExecutions"])
        self._registry.record(function_id)  # the model's range (min 0) is checked at the edge
        others = self._registry.reserved_total(excluding=function_id)
        unreserved = self._limits.account_concurrency - others - value
        if unreserved < self._limits.unreserved_concurrency_min:
            raise InvalidParameter(
                "Specified ReservedConcurrentExecutions for function decreases account's "
                "UnreservedConcurrentExecution below its minimum value of "
                f"[{self._limits.unreserved_concurrency_min}]."
            )
        await self._registry.update_record(function_id, reserved_concurrency=value)
        self._invocations.set_reserved(function_id, value)
        return {"ReservedConcurrentExecutions": value}

    async def get_function_concurrency(self, ctx: RequestContext, params: Params) -> Params:
        ref = parse_function_name(params["FunctionName"])
        value = self._registry.record(fid(ctx, ref)).reserved_concurrency
        return {} if value is None else {"ReservedConcurrentExecutions": value}

    async def delete_function_concurrency(self, ctx: RequestContext, params: Params) -> Params:
        ref = parse_function_name(params["FunctionName"])
        function_id = fid(ctx, ref)
        self._registry.record(function_id)
        await self._registry.update_record(function_id, reserved_concurrency=None)
        self._invocations.set_reserved(function_id, None)
        return {}

    # -- event invoke configs --------------------------------------------------------
    def _event_config_key(self, ctx: RequestContext, params: Params) -> tuple[str, str]:
        ref = parse_function_name(params["FunctionName"], params.get("Qualifier"))
        name = fid(ctx, ref)
        self._registry.resolve(name, ref.qualifier)  # raises NotFound
        return name, ref.qualifier or LATEST

    def _event_config_shape(self, name: str, qualifier: str, config: Params) -> Params:
        shape: Params = {
            "LastModified": config["LastModified"],
            "FunctionArn": qualified(name, qualifier),
            "MaximumRetryAttempts": config.get("MaximumRetryAttempts", 2),
            "MaximumEventAgeInSeconds": config.get("MaximumEventAgeInSeconds", 21600),
            "DestinationConfig": config.get(
                "DestinationConfig", {"OnSuccess": {}, "OnFailure": {}}
            ),
        }
        return shape

    async def _store_event_config(
        self, ctx: RequestContext, params: Params, *, merge: bool
    ) -> Params:
        name, qualifier = self._event_config_key(ctx, params)
        configs = dict(self._registry.record(name).event_invoke_configs)
        if merge and qualifier not in configs:
            raise NotFound(
                f"The function {qualified(name, qualifier)} doesn't have an EventInvokeConfig"
            )
        config = dict(configs.get(qualifier, {})) if merge else {}
        for which in ("OnSuccess", "OnFailure"):
            target = ((params.get("DestinationConfig") or {}).get(which) or {}).get("Destination")
            if target:
                check_destination(target, which)
        for member in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig"):
            if member in params:
                config[member] = params[member]
        config["LastModified"] = time.time()
        configs[qualifier] = config
        await self._registry.update_record(name, event_invoke_configs=configs)
        return self._event_config_shape(name, qualifier, config)

    async def put_function_event_invoke_config(self, ctx: RequestContext, params: Params) -> Params:
        return await self._store_event_config(ctx, params, merge=False)

    async def update_function_event_invoke_config(
        self, ctx: RequestContext, params: Params
    ) -> Params:
        return await self._store_event_config(ctx, params, merge=True)

    async def get_function_event_invoke_config(self, ctx: RequestContext, params: Params) -> Params:
        name, qualifier = self._event_config_key(ctx, params)
        config = self._registry.record(name).event_invoke_configs.get(qualifier)
        if config is None:
            raise NotFound(
                f"The function {qualified(name, qualifier)} doesn't have an EventInvokeConfig"
            )
        return self._event_config_shape(name, qualifier, config)

    async def delete_function_event_invoke_config(
        self, ctx: RequestContext, params: Params
    ) -> Params:
        name, qualifier = self._event_config_key(ctx, params)
        configs = dict(self._registry.record(name).event_invoke_configs)
        if qualifier not in configs:
            raise NotFound(
                f"The function {qualified(name, qualifier)} doesn't have an EventInvokeConfig"
            )
        del configs[qualifier]
        await self._registry.update_record(name, event_invoke_configs=configs)
        return {}

    async def list_function_event_invoke_configs(
        self, ctx: RequestContext, params: Params
    ) -> Params:
        ref = parse_function_name(params["FunctionName"])
        function_id = fid(ctx, ref)
        configs = self._registry.record(function_id).event_invoke_configs
        items = sorted(configs.items())
        return list_result(
            "FunctionEventInvokeConfigs",
            items,
            lambda kv: kv[0],
            params,
            lambda kv: self._event_config_shape(function_id, kv[0], kv[1]),
        )

    # -- account and tags ------------------------------------------------------------
    async def get_account_settings(self, ctx: RequestContext, params: Params) -> Params:
        limits = self._limits
        return {
            "AccountLimit": {
                "TotalCodeSize": 80530636800,
                "CodeSizeUnzipped": limits.unzipped_bytes,
                "CodeSizeZipped": limits.zip_bytes,
                "ConcurrentExecutions": limits.account_concurrency,
                "UnreservedConcurrentExecutions": limits.account_concurrency
                - self._registry.reserved_total(),
            },
            "AccountUsage": {
                "TotalCodeSize": self._registry.total_code_size(),
                "FunctionCount": len(self._registry.ids_in(ctx.scope)),
            },
        }

    def _tag_target(self, ctx: RequestContext, resource: str) -> str:
        ref = parse_function_name(resource, member="resource")
        if ref.qualifier is not None:
            raise InvalidParameter(f"Tags are not supported for resource: {resource}")
        name = fid(ctx, ref)
        self._registry.record(name)
        return name

    async def tag_resource(self, ctx: RequestContext, params: Params) -> Params:
        provider_tags = self.capacity_provider_tags(params["Resource"])
        if provider_tags is not None:
            provider_tags.update(params.get("Tags") or {})
            await self.set_capacity_provider_tags(params["Resource"], provider_tags)
            return {}
        uuid = self._mapping_uuid(params["Resource"])
        if uuid is not None:
            await self._event_sources.tag(ctx.scope, uuid, params.get("Tags") or {})
            return {}
        name = self._tag_target(ctx, params["Resource"])
        tags = dict(self._registry.record(name).tags)
        tags.update(params.get("Tags") or {})
        if counted(tags) > 50:  # AWS's own aws: tags do not count
            raise InvalidParameter("Number of tags exceeds resource tag limit.")
        await self._registry.update_record(name, tags=tags)
        return {}

    async def untag_resource(self, ctx: RequestContext, params: Params) -> Params:
        provider_tags = self.capacity_provider_tags(params["Resource"])
        if provider_tags is not None:
            for key in params.get("TagKeys") or []:
                provider_tags.pop(key, None)
            await self.set_capacity_provider_tags(params["Resource"], provider_tags)
            return {}
        uuid = self._mapping_uuid(params["Resource"])
        if uuid is not None:
            await self._event_sources.untag(ctx.scope, uuid, params.get("TagKeys") or [])
            return {}
        name = self._tag_target(ctx, params["Resource"])
        tags = {
            k: v
            for k, v in self._registry.record(name).tags.items()
            if k not in set(params.get("TagKeys") or [])
        }
        await self._registry.update_record(name, tags=tags)
        return {}

    async def list_tags(self, ctx: RequestContext, params: Params) -> Params:
        provider_tags = self.capacity_provider_tags(params["Resource"])
        if provider_tags is not None:
            return {"Tags": provider_tags}
        uuid = self._mapping_uuid(params["Resource"])
        if uuid is not None:
            return {"Tags": dict(self._event_sources.get(ctx.scope, uuid).tags)}
        name = self._tag_target(ctx, params["Resource"])
        return {"Tags": dict(self._registry.record(name).tags)}

    # -- layers ----------------------------------------------------------------------
    async def _code_from_s3(self, ctx: RequestContext, source: Params) -> bytes:
        if self._s3_code is None:
            raise Unsupported("Code from S3 needs the object store.")
        return await self._s3_code.read(ctx, source, self._limits.zip_bytes)

    def _layer_location(self, ctx: RequestContext, digest: str) -> str:
        host = ctx.request.headers.get("host", "127.0.0.1:4566")
        return f"http://{host}/_stratus/code/{digest}"

    async def publish_layer_version(self, ctx: RequestContext, params: Params) -> Params:
        name = layer_id(ctx, params["LayerName"])
        content = dict(params.get("Content") or {})
        if "ZipFile" not in content and "S3Bucket" in content:
            content["ZipFile"] = await self._code_from_s3(ctx, content)
        if "ZipFile" not in content:
            raise InvalidParameter("Please provide a source for layer content.")
        self._check_zip_size(content["ZipFile"])
        layer = await self._layers.publish(
            name,
            content["ZipFile"],
            description=params.get("Description", ""),
            compatible_runtimes=params.get("CompatibleRuntimes"),
            compatible_architectures=params.get("CompatibleArchitectures"),
            license_info=params.get("LicenseInfo"),
        )
        return shapes.layer_version(layer, self._layer_location(ctx, layer.code_digest))

    async def get_layer_version(self, ctx: RequestContext, params: Params) -> Params:
        name = layer_id(ctx, params["LayerName"])
        layer = self._layers.get(name, int(params["VersionNumber"]))
        return shapes.layer_version(layer, self._layer_location(ctx, layer.code_digest))

    async def get_layer_version_by_arn(self, ctx: RequestContext, params: Params) -> Params:
        ref = parse_layer_version_arn(params["Arn"])
        layer = self._layers.get(params["Arn"].rsplit(":", 1)[0], ref.version or 0)
        return shapes.layer_version(layer, self._layer_location(ctx, layer.code_digest))

    async def list_layers(self, ctx: RequestContext, params: Params) -> Params:
        latest = self._layers.latest_versions(ctx.scope, params.get("CompatibleRuntime"))
        return list_result(
            "Layers",
            latest,
            lambda layer: layer.name,
            params,
            lambda layer: {
                "LayerName": layer.name,
                "LayerArn": layer.arn,
                "LatestMatchingVersion": shapes.layer_versions_item(layer),
            },
        )

    async def list_layer_versions(self, ctx: RequestContext, params: Params) -> Params:
        name = layer_id(ctx, params["LayerName"])
        versions = [
            layer
            for layer in self._layers.versions(name)
            if not params.get("CompatibleRuntime")
            or params["CompatibleRuntime"] in layer.compatible_runtimes
        ]
        return list_result(
            "LayerVersions",
            versions,
            lambda layer: f"{1_000_000_000 - layer.version:010d}",
            params,
            shapes.layer_versions_item,
        )

    async def delete_layer_version(self, ctx: RequestContext, params: Params) -> Params:
        name = layer_id(ctx, params["LayerName"])
        await self._layers.delete(name, int(params["VersionNumber"]))
        return {}


def _version_key(version: str) -> str:
    return "" if version == LATEST else f"{int(version):010d}"


def _weights(params: Params) -> dict[str, float] | None:
    routing = params.get("RoutingConfig")
    if routing is None:
        return None
    return {str(k): float(v) for k, v in (routing.get("AdditionalVersionWeights") or {}).items()}
