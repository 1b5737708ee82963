"""The archive and replay operations of :class:`~stratus.aws.events.provider.EventsProvider`.

https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateArchive.html and
API_StartReplay.html: shapes as the model has them; EventCount and SizeBytes counted now.
"""

from __future__ import annotations

from typing import Any

from stratus.aws.context import RequestContext
from stratus.aws.events.shapes import compact, one_filter, page, when
from stratus.services.events.archives import Archive
from stratus.services.events.replays import Replay
from stratus.services.events.service import EventsService

Params = dict[str, Any]
Result = dict[str, Any]


class ArchivesApi:
    _events: EventsService

    # -- archives -----------------------------------------------------------------------
    async def _archive_shape(self, archive: Archive, *, full: bool) -> Result:
        stats = await self._events.archives.statistics(archive)
        answer: Result = {
            "ArchiveName": archive.name,
            "EventSourceArn": archive.source_arn,
            "State": archive.state,
            "RetentionDays": archive.retention_days,
            "SizeBytes": stats.size_bytes,
            "EventCount": stats.event_count,
            "CreationTime": when(archive.created),
        }
        if full:
            answer = {
                "ArchiveArn": archive.arn,
                **answer,
                "Description": archive.description,
                "EventPattern": archive.event_pattern,
                "KmsKeyIdentifier": archive.kms_key,
            }
        return compact(answer)

    async def create_archive(self, ctx: RequestContext, params: Params) -> Result:
        archive = await self._events.archives.create(ctx.scope, params)
        return {
            "ArchiveArn": archive.arn,
            "State": archive.state,
            "CreationTime": when(archive.created),
        }

    async def describe_archive(self, ctx: RequestContext, params: Params) -> Result:
        archive = self._events.archives.archive(ctx.scope, params["ArchiveName"])
        return await self._archive_shape(archive, full=True)

    async def update_archive(self, ctx: RequestContext, params: Params) -> Result:
        archive = await self._events.archives.update(ctx.scope, params)
        return {
            "ArchiveArn": archive.arn,
            "State": archive.state,
            "CreationTime": when(archive.created),
        }

    async def delete_archive(self, ctx: RequestContext, params: Params) -> Result:
        await self._events.archives.delete(ctx.scope, params["ArchiveName"])
        return {}

    async def list_archives(self, ctx: RequestContext, params: Params) -> Result:
        one_filter("ListArchives", params)
        found = self._events.archives.listing(
            ctx.scope, params.get("NamePrefix"), params.get("EventSourceArn"), params.get("State")
        )
        chosen, token = page(found, params)
        answer: Result = {"Archives": [await self._archive_shape(a, full=False) for a in chosen]}
        if token:
            answer["NextToken"] = token
        return answer

    # -- replays ------------------------------------------------------------------------
    @staticmethod
    def _replay_shape(replay: Replay, *, full: bool) -> Result:
        answer: Result = {
            "ReplayName": replay.name,
            "EventSourceArn": replay.archive_arn,
            "State": replay.state,
            "StateReason": replay.state_reason,
            "EventStartTime": when(replay.start),
            "EventEndTime": when(replay.end),
            "EventLastReplayedTime": when(replay.last_replayed),
            "ReplayStartTime": when(replay.started),
            "ReplayEndTime": when(replay.ended),
        }
        if full:
            answer = {
                **answer,
                "ReplayArn": replay.arn,
                "Description": replay.description,
                "Destination": replay.destination,
            }
        return compact(answer)

    async def start_replay(self, ctx: RequestContext, params: Params) -> Result:
        replay = await self._events.replays.start(ctx.scope, params)
        return {
            "ReplayArn": replay.arn,
            "State": "STARTING",
            "ReplayStartTime": when(replay.started),
        }

    async def describe_replay(self, ctx: RequestContext, params: Params) -> Result:
        replay = self._events.replays.replay(ctx.scope, params["ReplayName"])
        return self._replay_shape(replay, full=True)

    async def cancel_replay(self, ctx: RequestContext, params: Params) -> Result:
        replay = await self._events.replays.cancel(ctx.scope, params["ReplayName"])
        return {"ReplayArn": replay.arn, "State": "CANCELLING"}

    async def list_replays(self, ctx: RequestContext, params: Params) -> Result:
        one_filter("ListReplays", params)
        found = self._events.replays.listing(
            ctx.scope, params.get("NamePrefix"), params.get("EventSourceArn"), params.get("State")
        )
        chosen, token = page(found, params)
        answer: Result = {"Replays": [self._replay_shape(r, full=False) for r in chosen]}
        if token:
            answer["NextToken"] = token
        return answer
