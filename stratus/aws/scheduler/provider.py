"""EventBridge Scheduler's operations (rest-json): parsed requests in, output shapes out."""

from __future__ import annotations

from typing import Any

from stratus.aws.context import RequestContext
from stratus.aws.scheduler.errors import SCHEDULER_ERRORS
from stratus.services.schedules.model import Group, Schedule
from stratus.services.schedules.service import SchedulesService

__all__ = ["SchedulerProvider"]

Params = dict[str, Any]
Result = dict[str, Any]


def _page(items: list[Any], params: Params) -> tuple[list[Any], str | None]:
    token = str(params.get("NextToken") or "0")
    start = int(token) if token.isdigit() else 0
    limit = int(params.get("MaxResults") or 100)
    following = start + limit
    return items[start:following], (str(following) if following < len(items) else None)


def _group(group: Group) -> Result:
    return {
        "Arn": group.arn,
        "Name": group.name,
        "State": "ACTIVE",
        "CreationDate": group.created,
        "LastModificationDate": group.modified,
    }


def _schedule(schedule: Schedule) -> Result:
    answer: Result = {
        "Arn": schedule.arn,
        "Name": schedule.name,
        "GroupName": schedule.group,
        "CreationDate": schedule.created,
        "LastModificationDate": schedule.modified,
    }
    answer.update(schedule.settings)
    return answer


def _summary(schedule: Schedule) -> Result:
    return {
        "Arn": schedule.arn,
        "Name": schedule.name,
        "GroupName": schedule.group,
        "State": schedule.settings.get("State", "ENABLED"),
        "CreationDate": schedule.created,
        "LastModificationDate": schedule.modified,
        "Target": {"Arn": schedule.target["Arn"]},
    }


class SchedulerProvider:
    errors = SCHEDULER_ERRORS

    def __init__(self, schedules: SchedulesService) -> None:
        self._schedules = schedules

    # -- groups --------------------------------------------------------------------------
    async def create_schedule_group(self, ctx: RequestContext, params: Params) -> Result:
        tags = {t["Key"]: t["Value"] for t in params.get("Tags") or []}
        group = await self._schedules.create_group(ctx.scope, params["Name"], tags)
        return {"ScheduleGroupArn": group.arn}

    async def get_schedule_group(self, ctx: RequestContext, params: Params) -> Result:
        return _group(self._schedules.group(ctx.scope, params["Name"]))

    async def delete_schedule_group(self, ctx: RequestContext, params: Params) -> Result:
        await self._schedules.delete_group(ctx.scope, params["Name"])
        return {}

    async def list_schedule_groups(self, ctx: RequestContext, params: Params) -> Result:
        groups, token = _page(
            self._schedules.list_groups(ctx.scope, params.get("NamePrefix")), params
        )
        answer: Result = {"ScheduleGroups": [_group(g) for g in groups]}
        if token:
            answer["NextToken"] = token
        return answer

    # -- schedules -----------------------------------------------------------------------
    async def create_schedule(self, ctx: RequestContext, params: Params) -> Result:
        schedule = await self._schedules.put_schedule(ctx.scope, params, create=True)
        return {"ScheduleArn": schedule.arn}

    async def update_schedule(self, ctx: RequestContext, params: Params) -> Result:
        schedule = await self._schedules.put_schedule(ctx.scope, params, create=False)
        return {"ScheduleArn": schedule.arn}

    async def get_schedule(self, ctx: RequestContext, params: Params) -> Result:
        return _schedule(
            self._schedules.schedule(ctx.scope, params["Name"], params.get("GroupName"))
        )

    async def delete_schedule(self, ctx: RequestContext, params: Params) -> Result:
        await self._schedules.delete_schedule(ctx.scope, params["Name"], params.get("GroupName"))
        return {}

    async def list_schedules(self, ctx: RequestContext, params: Params) -> Result:
        found = self._schedules.list_schedules(
            ctx.scope, params.get("GroupName"), params.get("NamePrefix"), params.get("State")
        )
        schedules, token = _page(found, params)
        answer: Result = {"Schedules": [_summary(s) for s in schedules]}
        if token:
            answer["NextToken"] = token
        return answer

    # -- tags (schedule groups carry them) ----------------------------------------------------
    def _tagged(self, ctx: RequestContext, arn: str) -> Group:
        name = arn.rsplit("schedule-group/", 1)[-1]
        return self._schedules.group(ctx.scope, name if "schedule-group/" in arn else "\0")

    async def tag_resource(self, ctx: RequestContext, params: Params) -> Result:
        group = self._tagged(ctx, params["ResourceArn"])
        group.tags.update({t["Key"]: t["Value"] for t in params["Tags"]})
        await self._schedules.save_group_tags(group)
        return {}

    async def untag_resource(self, ctx: RequestContext, params: Params) -> Result:
        group = self._tagged(ctx, params["ResourceArn"])
        for key in params["TagKeys"]:
            group.tags.pop(key, None)
        await self._schedules.save_group_tags(group)
        return {}

    async def list_tags_for_resource(self, ctx: RequestContext, params: Params) -> Result:
        group = self._tagged(ctx, params["ResourceArn"])
        return {"Tags": [{"Key": k, "Value": v} for k, v in group.tags.items()]}
