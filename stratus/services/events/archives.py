"""Archives: the events a bus received that match an archive's pattern, kept for replays.

https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-archive.html

An archive takes events from one source bus (fixed at creation), filtered by its
optional ``EventPattern``, and keeps them ``RetentionDays`` days (0, the default: for
ever). AWS implements an archive as a managed rule whose pattern is the archive's plus
``{"replay-name": [{"exists": false}]}``, so replayed events are never archived again;
Stratus applies the same two tests without showing a rule. An accepted event is
archived in the same write as its deliveries, before PutEvents answers: an archived
event survives a ``kill -9`` exactly as a delivery does.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from stratus.services.events.errors import AlreadyExists, NotFound
from stratus.services.events.registry import Registry, compile_pattern
from stratus.services.events.repository import (
    ArchivedEvent,
    ArchiveStatistics,
    EventsRepository,
)
from stratus.services.patterns import EventPattern
from stratus.services.scope import Scope

__all__ = ["Archive", "Archives", "event_time"]

KIND = "archive"
REPLAY_NAME = "replay-name"
DAY_S = 86400.0


def event_time(event: dict[str, Any], default: float) -> float:
    """An event's ``time`` as epoch seconds (replays choose events by it)."""
    text = event.get("time")
    if isinstance(text, str):
        try:
            return (
                dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC).timestamp()
            )
        except ValueError:
            pass
    return default


@dataclass(slots=True)
class Archive:
    name: str
    arn: str
    source_arn: str  # the bus
    description: str | None = None
    event_pattern: str | None = None
    retention_days: int = 0  # 0: kept for ever
    kms_key: str | None = None
    state: str = "ENABLED"
    created: float = 0.0
    pattern: EventPattern | None = field(default=None, compare=False, repr=False)

    def keeps(self, event: dict[str, Any]) -> bool:
        if REPLAY_NAME in event:
            return False
        return self.pattern is None or self.pattern.matches(event)

    def to_document(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "arn": self.arn,
            "source": self.source_arn,
            "description": self.description,
            "pattern": self.event_pattern,
            "retention": self.retention_days,
            "kms": self.kms_key,
            "state": self.state,
            "created": self.created,
        }

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Archive:
        archive = cls(
            doc["name"],
            doc["arn"],
            doc["source"],
            doc.get("description"),
            doc.get("pattern"),
            int(doc.get("retention") or 0),
            doc.get("kms"),
            doc.get("state", "ENABLED"),
            float(doc.get("created") or 0.0),
        )
        archive.pattern = compile_pattern(archive.event_pattern) if archive.event_pattern else None
        return archive


def archive_arn(scope: Scope, name: str) -> str:
    return f"arn:aws:events:{scope.region}:{scope.account}:archive/{name}"


class Archives:
    def __init__(
        self,
        repository: EventsRepository,
        registry: Registry,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._repository = repository
        self._registry = registry
        self._clock = clock
        self.archives: dict[str, Archive] = {}

    def load(self, documents: list[dict[str, Any]]) -> None:
        for doc in documents:
            archive = Archive.from_document(doc)
            self.archives[archive.arn] = archive

    def archive(self, scope: Scope, name: str) -> Archive:
        found = self.archives.get(archive_arn(scope, name))
        if found is None:
            raise NotFound(f"Archive {name} does not exist.")
        return found

    async def create(self, scope: Scope, params: dict[str, Any]) -> Archive:
        bus = self._registry.bus(scope, params["EventSourceArn"])
        name = params["ArchiveName"]
        arn = archive_arn(scope, name)
        if arn in self.archives:
            raise AlreadyExists(f"Archive {name} already exists.")
        text = params.get("EventPattern") or None
        archive = Archive(
            name,
            arn,
            bus.arn,
            params.get("Description"),
            text,
            int(params.get("RetentionDays") or 0),
            params.get("KmsKeyIdentifier") or None,
            created=self._clock(),
            pattern=compile_pattern(text) if text else None,
        )
        await self._repository.put_record(KIND, arn, archive.to_document())
        self.archives[arn] = archive
        return archive

    async def update(self, scope: Scope, params: dict[str, Any]) -> Archive:
        archive = self.archive(scope, params["ArchiveName"])
        text = params.get("EventPattern")
        pattern = compile_pattern(text) if text else archive.pattern
        if "Description" in params:
            archive.description = params["Description"]
        if text is not None:
            archive.event_pattern = text or None
            archive.pattern = pattern if text else None
        if params.get("RetentionDays") is not None:
            archive.retention_days = int(params["RetentionDays"])
        if "KmsKeyIdentifier" in params:
            archive.kms_key = params["KmsKeyIdentifier"] or None
        await self._repository.put_record(KIND, archive.arn, archive.to_document())
        return archive

    async def delete(self, scope: Scope, name: str) -> None:
        archive = self.archive(scope, name)
        await self._repository.delete_archive(archive.arn)
        del self.archives[archive.arn]

    def listing(
        self, scope: Scope, prefix: str | None, source_arn: str | None, state: str | None
    ) -> list[Archive]:
        return sorted(
            (
                a
                for a in self.archives.values()
                if scope.owns(a.arn)
                and a.name.startswith(prefix or "")
                and (source_arn is None or a.source_arn == source_arn)
                and (state is None or a.state == state)
            ),
            key=lambda a: a.name,
        )

    async def statistics(self, archive: Archive) -> ArchiveStatistics:
        """EventCount and SizeBytes as of now (AWS updates its figures with a delay)."""
        return await self._repository.archive_statistics(archive.arn)

    def entries(self, bus_arn: str, event: dict[str, Any], now: float) -> list[ArchivedEvent]:
        """What the archives of ``bus_arn`` keep of ``event``, to store with its deliveries."""
        kept = [a for a in self.archives.values() if a.source_arn == bus_arn and a.keeps(event)]
        if not kept:
            return []
        body = orjson.dumps(event)
        moment = event_time(event, now)
        return [ArchivedEvent(a.arn, moment, now, body) for a in kept]

    async def expire(self) -> int:
        """Drop events past their archive's retention; how many went."""
        now = self._clock()
        dropped = 0
        for archive in list(self.archives.values()):
            if archive.retention_days > 0:
                cutoff = now - archive.retention_days * DAY_S
                dropped += await self._repository.purge_archive(archive.arn, cutoff)
        return dropped
