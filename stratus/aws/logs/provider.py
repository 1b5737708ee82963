"""The CloudWatch Logs API (json 1.1), read side: enough for ``aws logs tail`` and for
code that reads a function's logs with boto3."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from stratus.aws.context import RequestContext
from stratus.aws.protocol.error_table import ErrorTable
from stratus.aws.protocol.errors import ServiceError
from stratus.services.logs.service import LogGroupNotFound, LogService

Params = dict[str, Any]
F = TypeVar("F", bound=Callable[..., Awaitable[Params]])


def _group(params: Params) -> str:
    group = params.get("logGroupName") or params.get("logGroupIdentifier")
    if not group:
        raise ServiceError(
            "Either logGroupName or logGroupIdentifier must be provided.",
            code="InvalidParameterException",
        )
    return str(group).rsplit(":log-group:", 1)[-1].removesuffix(":*")


def _token(params: Params) -> int:
    token = params.get("nextToken")
    if not token:
        return 0
    try:
        return int(str(token).split("/", 1)[-1])
    except ValueError as exc:
        raise ServiceError(
            "The specified nextToken is invalid.", code="InvalidParameterException"
        ) from exc


class LogsProvider:
    errors = ErrorTable(
        {
            LogGroupNotFound: lambda _exc: ServiceError(
                "The specified log group does not exist.", code="ResourceNotFoundException"
            )
        }
    )

    def __init__(self, logs: LogService) -> None:
        self._logs = logs

    def _arn(self, ctx: RequestContext, group: str) -> str:
        return f"arn:aws:logs:{ctx.region}:{ctx.account_id}:log-group:{group}"

    async def describe_log_groups(self, ctx: RequestContext, params: Params) -> Params:
        groups = self._logs.groups(ctx.scope, params.get("logGroupNamePrefix") or "")
        return {
            "logGroups": [
                {
                    "logGroupName": g,
                    "creationTime": 0,
                    "metricFilterCount": 0,
                    "arn": self._arn(ctx, g) + ":*",
                    "logGroupArn": self._arn(ctx, g),
                    "storedBytes": 0,
                    "logGroupClass": "STANDARD",
                }
                for g in groups
            ]
        }

    async def describe_log_streams(self, ctx: RequestContext, params: Params) -> Params:
        group = _group(params)
        streams = await self._logs.streams(ctx.scope, group)
        prefix = params.get("logStreamNamePrefix") or ""
        streams = [s for s in streams if s.name.startswith(prefix)]
        if params.get("orderBy") == "LastEventTime":
            streams.sort(key=lambda s: s.last_ms)
        if params.get("descending"):
            streams.reverse()
        limit = int(params.get("limit") or 50)
        return {
            "logStreams": [
                {
                    "logStreamName": s.name,
                    "creationTime": s.first_ms,
                    "firstEventTimestamp": s.first_ms,
                    "lastEventTimestamp": s.last_ms,
                    "lastIngestionTime": s.last_ms,
                    "arn": f"{self._arn(ctx, group)}:log-stream:{s.name}",
                    "storedBytes": 0,
                }
                for s in streams[:limit]
            ]
        }

    async def get_log_events(self, ctx: RequestContext, params: Params) -> Params:
        group = _group(params)
        after = _token(params)
        limit = int(params.get("limit") or 10000)
        events = await self._logs.events(
            ctx.scope,
            group,
            after_id=after,
            start_ms=params.get("startTime"),
            end_ms=params.get("endTime"),
            stream=params["logStreamName"],
        )
        if not params.get("startFromHead") and not params.get("nextToken"):
            events = events[-limit:]
        else:
            events = events[:limit]
        last = events[-1].id if events else after
        return {
            "events": [
                {"timestamp": e.timestamp_ms, "message": e.message, "ingestionTime": e.timestamp_ms}
                for e in events
            ],
            "nextForwardToken": f"f/{last}",
            "nextBackwardToken": f"b/{events[0].id if events else after}",
        }

    async def filter_log_events(self, ctx: RequestContext, params: Params) -> Params:
        group = _group(params)
        limit = int(params.get("limit") or 10000)
        streams = params.get("logStreamNames")
        pattern = (params.get("filterPattern") or "").strip().strip('"') or None
        events = await self._logs.events(
            ctx.scope,
            group,
            after_id=_token(params),
            start_ms=params.get("startTime"),
            end_ms=params.get("endTime"),
            contains=pattern,
            limit=limit + 1,
        )
        if streams:
            events = [e for e in events if e.stream in streams]
        prefix = params.get("logStreamNamePrefix")
        if prefix:
            events = [e for e in events if e.stream.startswith(prefix)]
        result: Params = {
            "events": [
                {
                    "logStreamName": e.stream,
                    "timestamp": e.timestamp_ms,
                    "message": e.message,
                    "ingestionTime": e.timestamp_ms,
                    "eventId": str(e.id),
                }
                for e in events[:limit]
            ],
            "searchedLogStreams": [],
        }
        if len(events) > limit:
            result["nextToken"] = f"n/{events[limit - 1].id}"
        return result
