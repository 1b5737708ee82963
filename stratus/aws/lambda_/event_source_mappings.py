"""Lambda's event source mapping operations, a mixin of :class:`LambdaProvider`.

Create/Get/Update/Delete/ListEventSourceMappings on the engine in
``services/event_sources``; tags on mapping ARNs go through the provider's TagResource,
UntagResource and ListTags. Thin: parameters in, engine call, shapes out.
See https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
"""

from __future__ import annotations

from typing import Any

from stratus.aws.context import RequestContext
from stratus.aws.lambda_.pagination import list_result
from stratus.aws.lambda_.scope import fid
from stratus.aws.protocol.error_table import ErrorRule, ErrorTable
from stratus.services.event_sources import errors as ee
from stratus.services.event_sources.engine import EventSourceMappings, MappingChanges
from stratus.services.event_sources.model import Mapping, MappingSettings
from stratus.services.functions.names import parse_function_name

Params = dict[str, Any]

_USER = {"Type": "User"}

#: How the engine's exceptions look on the wire (merged into the provider's table).
EVENT_SOURCE_ERRORS = ErrorTable(
    {
        ee.MappingNotFound: ErrorRule("ResourceNotFoundException", 404, lambda _e: _USER),
        ee.MappingConflict: ErrorRule("ResourceConflictException", 409, lambda _e: _USER),
        ee.MappingInUse: ErrorRule("ResourceInUseException", 400, lambda _e: _USER),
        ee.EventSourceError: ErrorRule("InvalidParameterValueException", 400, lambda _e: _USER),
    }
)

# Members of stream sources kept as given in ``MappingSettings.stream``.
_STREAM = (
    "StartingPosition",
    "StartingPositionTimestamp",
    "ParallelizationFactor",
    "BisectBatchOnFunctionError",
    "MaximumRetryAttempts",
    "MaximumRecordAgeInSeconds",
    "DestinationConfig",
    "TumblingWindowInSeconds",
)

# Members every kind of source shares; the rest are checked by the source (``given``).
_COMMON = {"FunctionName", "EventSourceArn", "Tags", "UUID"}


def mapping_shape(mapping: Mapping) -> Params:
    settings = mapping.settings
    shape: Params = {
        "UUID": mapping.uuid,
        "BatchSize": settings.batch_size,
        "MaximumBatchingWindowInSeconds": settings.window_s,
        "EventSourceArn": mapping.source_arn,
        "FunctionArn": mapping.function_arn,
        "LastModified": mapping.last_modified,
        "LastProcessingResult": mapping.last_processing_result,
        "State": mapping.state,
        "StateTransitionReason": mapping.state_reason,
        "FunctionResponseTypes": list(settings.response_types),
        "EventSourceMappingArn": mapping.arn,
    }
    if settings.filters:
        shape["FilterCriteria"] = {"Filters": [{"Pattern": p} for p in settings.filters]}
    if settings.max_concurrency is not None:
        shape["ScalingConfig"] = {"MaximumConcurrency": settings.max_concurrency}
    shape.update({k: v for k, v in settings.stream.items() if k in _STREAM})
    return shape


def _stream_settings(params: Params) -> Params:
    """The stream members given, as plain data (a timestamp as epoch seconds)."""
    out = {k: params[k] for k in _STREAM if k in params}
    stamp = out.get("StartingPositionTimestamp")
    if stamp is not None and hasattr(stamp, "timestamp"):
        out["StartingPositionTimestamp"] = stamp.timestamp()
    return out


def _filters(params: Params) -> list[str] | None:
    if "FilterCriteria" not in params:
        return None
    return [f.get("Pattern", "") for f in (params["FilterCriteria"] or {}).get("Filters") or []]


class EventSourceMappingsApi:
    _event_sources: EventSourceMappings

    async def create_event_source_mapping(self, ctx: RequestContext, params: Params) -> Params:
        ref = parse_function_name(params["FunctionName"])
        scaling = params.get("ScalingConfig") or {}
        settings = MappingSettings(
            batch_size=0,
            window_s=int(params.get("MaximumBatchingWindowInSeconds") or 0),
            enabled=params.get("Enabled", True),
            filters=_filters(params) or [],
            response_types=list(params.get("FunctionResponseTypes") or []),
            max_concurrency=scaling.get("MaximumConcurrency"),
            stream=_stream_settings(params),
        )
        mapping = await self._event_sources.create(
            ctx.scope,
            params.get("EventSourceArn") or "",
            fid(ctx, ref),
            ref.qualifier,
            settings,
            set(params) - _COMMON,
            batch_size=params.get("BatchSize"),
            tags=params.get("Tags"),
        )
        return mapping_shape(mapping)

    async def get_event_source_mapping(self, ctx: RequestContext, params: Params) -> Params:
        return mapping_shape(self._event_sources.get(ctx.scope, params["UUID"]))

    async def update_event_source_mapping(self, ctx: RequestContext, params: Params) -> Params:
        changes = MappingChanges(given=set(params) - _COMMON)
        if params.get("FunctionName"):
            ref = parse_function_name(params["FunctionName"])
            changes.function_id, changes.qualifier = fid(ctx, ref), ref.qualifier
        changes.batch_size = params.get("BatchSize")
        changes.window_s = params.get("MaximumBatchingWindowInSeconds")
        changes.enabled = params.get("Enabled")
        changes.filters = _filters(params)
        if "FunctionResponseTypes" in params:
            changes.response_types = list(params["FunctionResponseTypes"] or [])
        if "ScalingConfig" in params:
            value = (params["ScalingConfig"] or {}).get("MaximumConcurrency")
            changes.max_concurrency = value
            changes.clear_max_concurrency = value is None
        changes.stream = _stream_settings(params)
        mapping = await self._event_sources.update(ctx.scope, params["UUID"], changes)
        return mapping_shape(mapping)

    async def delete_event_source_mapping(self, ctx: RequestContext, params: Params) -> Params:
        return mapping_shape(await self._event_sources.delete(ctx.scope, params["UUID"]))

    async def list_event_source_mappings(self, ctx: RequestContext, params: Params) -> Params:
        function_id = qualifier = None
        if params.get("FunctionName"):
            ref = parse_function_name(params["FunctionName"])
            function_id, qualifier = fid(ctx, ref), ref.qualifier
        mappings = self._event_sources.list(
            ctx.scope,
            source_arn=params.get("EventSourceArn"),
            function_id=function_id,
            qualifier=qualifier,
        )
        return list_result("EventSourceMappings", mappings, lambda m: m.uuid, params, mapping_shape)

    # -- tags on mapping ARNs (called by the provider's tag operations) ----------------
    @staticmethod
    def _mapping_uuid(resource: str) -> str | None:
        """The UUID in an event source mapping ARN; None for any other resource."""
        marker = ":event-source-mapping:"
        return resource.split(marker, 1)[1] if marker in resource else None
