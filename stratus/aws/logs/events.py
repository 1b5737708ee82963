"""The Logs API's streams and events: CreateLogStream, DeleteLogStream,
DescribeLogStreams, PutLogEvents, GetLogEvents, FilterLogEvents."""

from __future__ import annotations

from stratus.aws.context import RequestContext
from stratus.aws.logs.params import Params, event_token, group_arn, group_name
from stratus.services.logs.errors import InvalidParameter, LogStreamNotFound
from stratus.services.logs.paging import page
from stratus.services.logs.patterns import compile_pattern
from stratus.services.logs.repository import StoredLogEvent
from stratus.services.logs.streams import LogStreams

#: GetLogEvents reads a stream's events whole to answer its newest ones.
NO_LIMIT = 1 << 62


class EventsApi:
    _streams: LogStreams

    async def create_log_stream(self, ctx: RequestContext, params: Params) -> Params:
        await self._streams.create(ctx.scope, group_name(params), params["logStreamName"])
        return {}

    async def delete_log_stream(self, ctx: RequestContext, params: Params) -> Params:
        await self._streams.delete(ctx.scope, group_name(params), params["logStreamName"])
        return {}

    async def describe_log_streams(self, ctx: RequestContext, params: Params) -> Params:
        group = group_name(params)
        streams = await self._streams.describe(
            ctx.scope,
            group,
            prefix=params.get("logStreamNamePrefix"),
            order_by=params.get("orderBy"),
            descending=bool(params.get("descending")),
        )
        # Ordered by time the token cannot name the last stream: it counts streams.
        if params.get("orderBy") == "LastEventTime":
            start = _offset(params.get("nextToken"))
            limit = int(params.get("limit") or 50)
            chosen = streams[start : start + limit]
            token = f"o/{start + limit}" if start + limit < len(streams) else None
        else:
            chosen, token = page(
                streams, lambda s: s.name, int(params.get("limit") or 50), params.get("nextToken")
            )
        arn = group_arn(ctx, group)
        out: list[Params] = []
        for s in chosen:
            entry: Params = {
                "logStreamName": s.name,
                "creationTime": s.created_ms,
                "arn": f"{arn}:log-stream:{s.name}",
                "storedBytes": 0,
            }
            if s.first_ms is not None:
                entry["firstEventTimestamp"] = s.first_ms
                entry["lastEventTimestamp"] = s.last_ms
                entry["lastIngestionTime"] = s.last_ingestion_ms
            out.append(entry)
        result: Params = {"logStreams": out}
        if token:
            result["nextToken"] = token
        return result

    async def put_log_events(self, ctx: RequestContext, params: Params) -> Params:
        events = [(int(e["timestamp"]), str(e["message"])) for e in params["logEvents"]]
        result = await self._streams.put(
            ctx.scope, group_name(params), params["logStreamName"], events
        )
        answer: Params = {"nextSequenceToken": result.next_token}
        if result.rejected:
            answer["rejectedLogEventsInfo"] = result.rejected
        return answer

    async def get_log_events(self, ctx: RequestContext, params: Params) -> Params:
        group = group_name(params)
        stream = params["logStreamName"]
        limit = int(params.get("limit") or 10000)
        token = params.get("nextToken")
        position = event_token(token, "fb")
        backward = bool(token) and str(token).startswith("b/")
        forward = position is not None and not backward
        events: list[StoredLogEvent] = await self._streams.read(
            ctx.scope,
            group,
            after_id=(position or 0) if forward else 0,
            start_ms=params.get("startTime"),
            end_ms=params.get("endTime"),
            stream=stream,
            limit=limit if forward else NO_LIMIT,
        )
        if backward:
            events = [e for e in events if e.id < (position or 0)][-limit:]
        elif not forward:
            events = events[:limit] if params.get("startFromHead") else events[-limit:]
        if not events and token is None:
            await self._check_stream(ctx, group, stream)
        first = events[0].id if events else (position or 0)
        last = events[-1].id if events else (position or 0)
        if backward and not events:
            first = last = position or 0
        return {
            "events": [
                {"timestamp": e.timestamp_ms, "message": e.message, "ingestionTime": e.ingestion_ms}
                for e in events
            ],
            "nextForwardToken": f"f/{last if events or not backward else first}",
            "nextBackwardToken": f"b/{first}",
        }

    async def _check_stream(self, ctx: RequestContext, group: str, stream: str) -> None:
        streams = await self._streams.describe(ctx.scope, group, prefix=stream)
        if not any(s.name == stream for s in streams):
            raise LogStreamNotFound()

    async def filter_log_events(self, ctx: RequestContext, params: Params) -> Params:
        group = group_name(params)
        names = params.get("logStreamNames")
        prefix = params.get("logStreamNamePrefix")
        if names and prefix:
            raise InvalidParameter(
                "logStreamNames and logStreamNamePrefix are mutually exclusive parameters."
            )
        limit = int(params.get("limit") or 10000)
        events = await self._streams.read(
            ctx.scope,
            group,
            after_id=event_token(params.get("nextToken"), "n") or 0,
            start_ms=params.get("startTime"),
            end_ms=params.get("endTime"),
            streams=names,
            stream_prefix=prefix,
            pattern=compile_pattern(params.get("filterPattern")),
            limit=limit + 1,
        )
        result: Params = {
            "events": [
                {
                    "logStreamName": e.stream,
                    "timestamp": e.timestamp_ms,
                    "message": e.message,
                    "ingestionTime": e.ingestion_ms,
                    "eventId": str(e.id),
                }
                for e in events[:limit]
            ],
            "searchedLogStreams": [],
        }
        if len(events) > limit:
            result["nextToken"] = f"n/{events[limit - 1].id}"
        return result


def _offset(token: str | None) -> int:
    if not token:
        return 0
    head, _, tail = token.partition("/")
    if head != "o" or not tail.isdigit():
        raise InvalidParameter("The specified nextToken is invalid.")
    return int(tail)
