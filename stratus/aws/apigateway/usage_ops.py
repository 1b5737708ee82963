"""API Gateway (v1) usage: ``GetUsage`` and ``UpdateUsage`` over the quota counters the
gateway keeps (``stratus.services.apis.usage``), and ``ImportApiKeys``. A mixin of
:class:`ApiGatewayProvider`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stratus.aws.apigateway.pages import page
from stratus.aws.context import RequestContext
from stratus.services.apis.errors import BadRequest, NotFound
from stratus.services.apis.key_import import import_keys
from stratus.services.apis.usage import MAX_DAYS, DayUsage, parse_day

if TYPE_CHECKING:
    from stratus.services.apis.rest_apis import RestApis
    from stratus.services.apis.rest_model import UsagePlan

__all__ = ["UsageOperations"]

Params = dict[str, Any]


def _log(entries: list[DayUsage]) -> list[list[int]]:
    return [[entry.used, entry.remaining] for entry in entries]


class UsageOperations:
    _apis: RestApis

    def _plan_key(self, ctx: RequestContext, plan: UsagePlan, key_id: str) -> str:
        self._apis.api_key(ctx.account_id, key_id)
        if key_id not in plan.key_ids:
            raise NotFound("Invalid API Key identifier specified")
        return key_id

    async def get_usage(self, ctx: RequestContext, params: Params) -> Params:
        plan = self._apis.usage_plan(ctx.account_id, params["usagePlanId"])
        start = parse_day(params["startDate"], "startDate")
        end = parse_day(params["endDate"], "endDate")
        if end < start:
            raise BadRequest("The end date must not be before the start date")
        if (end - start).days >= MAX_DAYS:
            raise BadRequest(f"The date range must not be more than {MAX_DAYS} days")
        key_ids = list(plan.key_ids)
        if params.get("keyId"):
            key_ids = [self._plan_key(ctx, plan, params["keyId"])]
        usage = self._apis.usage
        listing = page(
            key_ids,
            lambda key_id: key_id,
            params,
            lambda key_id: (key_id, _log(usage.daily(plan, key_id, start, end))),
        )
        out: Params = {
            "usagePlanId": plan.id,
            "startDate": start.isoformat(),
            "endDate": end.isoformat(),
            "items": dict(listing["items"]),
        }
        if "position" in listing:
            out["position"] = listing["position"]
        return out

    async def update_usage(self, ctx: RequestContext, params: Params) -> Params:
        plan = self._apis.usage_plan(ctx.account_id, params["usagePlanId"])
        key_id = self._plan_key(ctx, plan, params["keyId"])
        grants: list[int] = []
        for operation in params.get("patchOperations") or []:
            op, path = operation.get("op"), operation.get("path")
            if op != "replace" or path != "/remaining":
                raise BadRequest(
                    f"Invalid patch path '{path}' specified for op '{op}'. "
                    "Must be one of: [/remaining]"
                )
            try:
                remaining = int(str(operation.get("value")))
            except ValueError as exc:
                raise BadRequest(
                    f"Invalid value for remaining: {operation.get('value')}. "
                    "It must be a non-negative integer"
                ) from exc
            if remaining < 0:
                raise BadRequest(
                    f"Invalid value for remaining: {remaining}. It must be a non-negative integer"
                )
            grants.append(remaining)
        for remaining in grants:
            await self._apis.usage.set_remaining(plan, key_id, remaining)
        start, today, entry = self._apis.usage.current(plan, key_id)
        return {
            "usagePlanId": plan.id,
            "startDate": start.isoformat(),
            "endDate": today.isoformat(),
            "items": {key_id: _log([entry])},
        }

    async def import_api_keys(self, ctx: RequestContext, params: Params) -> Params:
        body = params.get("body") or b""
        if isinstance(body, str):
            body = body.encode()
        ids, warnings = await import_keys(
            self._apis, ctx.account_id, bytes(body), bool(params.get("failOnWarnings"))
        )
        out: Params = {"ids": ids}
        if warnings:
            out["warnings"] = warnings
        return out
