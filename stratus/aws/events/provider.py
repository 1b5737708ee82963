"""EventBridge's operations: parsed JSON in, the model's output shapes out.

Thin by design: each method calls the event bus service in the caller's scope and shapes
the answer. Archives and replays (``archives.py``), connections and API destinations
(``api_destinations.py``), global endpoints (``endpoints.py``) are mixins. Partner
sources are not offered (the protocol layer answers UnknownOperation-style errors).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson

from stratus.aws.context import RequestContext
from stratus.aws.events.api_destinations import ApiDestinationsApi
from stratus.aws.events.archives import ArchivesApi
from stratus.aws.events.endpoints import EndpointsApi
from stratus.aws.events.errors import EVENTS_ERRORS
from stratus.services.events.errors import Invalid
from stratus.services.events.model import Bus
from stratus.services.events.registry import compile_pattern
from stratus.services.events.service import EventsService

__all__ = ["EventsProvider"]

Params = dict[str, Any]
Result = dict[str, Any]

#: TestEventPattern's event must carry these (AWS: "Parameter Event is not valid.").
_EVENT_FIELDS = ("id", "account", "source", "time", "region", "detail-type")


def _page(items: list[Any], params: Params) -> tuple[list[Any], str | None]:
    start = (
        int(params.get("NextToken") or 0) if str(params.get("NextToken") or "0").isdigit() else 0
    )
    limit = int(params.get("Limit") or 100)
    chunk = items[start : start + limit]
    following = start + limit
    return chunk, (str(following) if following < len(items) else None)


def _bus(bus: Bus, *, full: bool = False) -> Result:
    answer: Result = {"Name": bus.name, "Arn": bus.arn}
    if bus.description:
        answer["Description"] = bus.description
    if bus.policy is not None:
        answer["Policy"] = bus.policy
    if full or bus.created:
        answer["CreationTime"] = dt.datetime.fromtimestamp(bus.created or 0, dt.UTC)
        answer["LastModifiedTime"] = dt.datetime.fromtimestamp(bus.modified or 0, dt.UTC)
    return answer


class EventsProvider(ArchivesApi, ApiDestinationsApi, EndpointsApi):
    errors = EVENTS_ERRORS

    def __init__(self, events: EventsService) -> None:
        self._events = events
        self._registry = events.registry

    # -- buses ---------------------------------------------------------------------------
    async def create_event_bus(self, ctx: RequestContext, params: Params) -> Result:
        tags = {t["Key"]: t["Value"] for t in params.get("Tags") or []}
        bus = await self._registry.create_bus(
            ctx.scope, params["Name"], params.get("Description"), tags
        )
        answer: Result = {"EventBusArn": bus.arn}
        if bus.description:
            answer["Description"] = bus.description
        return answer

    async def describe_event_bus(self, ctx: RequestContext, params: Params) -> Result:
        return _bus(self._registry.bus(ctx.scope, params.get("Name")))

    async def update_event_bus(self, ctx: RequestContext, params: Params) -> Result:
        bus = await self._registry.update_bus(
            ctx.scope, params.get("Name"), params.get("Description")
        )
        answer: Result = {"Arn": bus.arn, "Name": bus.name}
        if bus.description:
            answer["Description"] = bus.description
        return answer

    async def delete_event_bus(self, ctx: RequestContext, params: Params) -> Result:
        await self._registry.delete_bus(ctx.scope, params["Name"])
        return {}

    async def list_event_buses(self, ctx: RequestContext, params: Params) -> Result:
        buses, token = _page(self._registry.list_buses(ctx.scope, params.get("NamePrefix")), params)
        answer: Result = {"EventBuses": [_bus(b) for b in buses]}
        if token:
            answer["NextToken"] = token
        return answer

    # -- the bus's resource policy (stored and shown, not enforced) ---------------------
    async def put_permission(self, ctx: RequestContext, params: Params) -> Result:
        await self._registry.put_permission(ctx.scope, params)
        return {}

    async def remove_permission(self, ctx: RequestContext, params: Params) -> Result:
        await self._registry.remove_permission(
            ctx.scope,
            params.get("EventBusName"),
            params.get("StatementId"),
            bool(params.get("RemoveAllPermissions")),
        )
        return {}

    # -- rules ---------------------------------------------------------------------------
    async def put_rule(self, ctx: RequestContext, params: Params) -> Result:
        rule = await self._registry.put_rule(ctx.scope, params)
        return {"RuleArn": rule.arn}

    async def describe_rule(self, ctx: RequestContext, params: Params) -> Result:
        rule = self._registry.rule(ctx.scope, params["Name"], params.get("EventBusName"))
        answer = rule.to_api()
        answer["CreatedBy"] = ctx.account_id
        return answer

    async def enable_rule(self, ctx: RequestContext, params: Params) -> Result:
        await self._registry.set_state(
            ctx.scope, params["Name"], params.get("EventBusName"), "ENABLED"
        )
        return {}

    async def disable_rule(self, ctx: RequestContext, params: Params) -> Result:
        await self._registry.set_state(
            ctx.scope, params["Name"], params.get("EventBusName"), "DISABLED"
        )
        return {}

    async def delete_rule(self, ctx: RequestContext, params: Params) -> Result:
        await self._registry.delete_rule(ctx.scope, params["Name"], params.get("EventBusName"))
        return {}

    async def list_rules(self, ctx: RequestContext, params: Params) -> Result:
        rules, token = _page(
            self._registry.list_rules(
                ctx.scope, params.get("EventBusName"), params.get("NamePrefix")
            ),
            params,
        )
        answer: Result = {"Rules": [r.to_api() for r in rules]}
        if token:
            answer["NextToken"] = token
        return answer

    async def list_rule_names_by_target(self, ctx: RequestContext, params: Params) -> Result:
        rules, token = _page(
            self._registry.rules_by_target(
                ctx.scope, params.get("EventBusName"), params["TargetArn"]
            ),
            params,
        )
        answer: Result = {"RuleNames": [r.name for r in rules]}
        if token:
            answer["NextToken"] = token
        return answer

    # -- targets -------------------------------------------------------------------------
    async def put_targets(self, ctx: RequestContext, params: Params) -> Result:
        failed = await self._registry.put_targets(
            ctx.scope, params["Rule"], params.get("EventBusName"), params["Targets"]
        )
        return {"FailedEntryCount": len(failed), "FailedEntries": failed}

    async def remove_targets(self, ctx: RequestContext, params: Params) -> Result:
        failed = await self._registry.remove_targets(
            ctx.scope, params["Rule"], params.get("EventBusName"), params["Ids"]
        )
        return {"FailedEntryCount": len(failed), "FailedEntries": failed}

    async def list_targets_by_rule(self, ctx: RequestContext, params: Params) -> Result:
        rule = self._registry.rule(ctx.scope, params["Rule"], params.get("EventBusName"))
        targets, token = _page([t.document for t in rule.targets.values()], params)
        answer: Result = {"Targets": targets}
        if token:
            answer["NextToken"] = token
        return answer

    # -- events --------------------------------------------------------------------------
    async def put_events(self, ctx: RequestContext, params: Params) -> Result:
        entries = await self._events.put_events(ctx.scope, params["Entries"])
        failed = sum(1 for e in entries if "ErrorCode" in e)
        return {"FailedEntryCount": failed, "Entries": entries}

    async def test_event_pattern(self, ctx: RequestContext, params: Params) -> Result:
        pattern = compile_pattern(params["EventPattern"])
        try:
            event = orjson.loads(params["Event"])  # refuses nesting past 1024 levels
        except orjson.JSONDecodeError:
            raise Invalid("Parameter Event is not valid.") from None
        if not isinstance(event, dict) or any(f not in event for f in _EVENT_FIELDS):
            raise Invalid("Parameter Event is not valid.")
        return {"Result": pattern.matches(event)}

    # -- tags ----------------------------------------------------------------------------
    async def tag_resource(self, ctx: RequestContext, params: Params) -> Result:
        item = self._registry.tagged(ctx.scope, params["ResourceARN"])
        item.tags.update({t["Key"]: t["Value"] for t in params["Tags"]})
        await self._registry.save_tags(item)
        return {}

    async def untag_resource(self, ctx: RequestContext, params: Params) -> Result:
        item = self._registry.tagged(ctx.scope, params["ResourceARN"])
        for key in params["TagKeys"]:
            item.tags.pop(key, None)
        await self._registry.save_tags(item)
        return {}

    async def list_tags_for_resource(self, ctx: RequestContext, params: Params) -> Result:
        item = self._registry.tagged(ctx.scope, params["ResourceARN"])
        return {"Tags": [{"Key": k, "Value": v} for k, v in item.tags.items()]}
