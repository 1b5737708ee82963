"""The event source mapping service: mappings of one account and region, their checks,
states and storage; the supervisor runs their pollers.

Mappings live in memory and are written through to the store before any answer, so a
restart finds every mapping and the supervisor resumes each enabled one's poller.
Sources (``source.py``) register here; a mapping's source is the one whose ``service``
is its EventSourceArn's service.
"""

from __future__ import annotations

import asyncio
import time
import uuid as uuids
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from stratus.services.event_sources.errors import (
    InvalidMapping,
    MappingConflict,
    MappingInUse,
    MappingNotFound,
)
from stratus.services.event_sources.filters import FilterSet
from stratus.services.event_sources.model import (
    CREATING,
    DELETING,
    DISABLING,
    ENABLING,
    TRANSITIONAL,
    UPDATING,
    USER_INITIATED,
    Mapping,
    MappingSettings,
)
from stratus.services.event_sources.repository import MappingStore
from stratus.services.event_sources.source import EventSource
from stratus.services.event_sources.supervisor import Supervisor
from stratus.services.event_sources.unknown import missing_source
from stratus.services.functions.invocations import Invocations
from stratus.services.functions.names import name_of
from stratus.services.functions.registry import FunctionRegistry
from stratus.services.scope import Scope

NOT_FOUND = "The resource you requested does not exist."
IN_USE = "Cannot update the event source mapping because it is in use."


@dataclass(slots=True)
class MappingChanges:
    """What UpdateEventSourceMapping changes (None: left as it is)."""

    function_id: str | None = None
    qualifier: str | None = None
    batch_size: int | None = None
    window_s: int | None = None
    enabled: bool | None = None
    filters: list[str] | None = None
    response_types: list[str] | None = None
    max_concurrency: int | None = None
    clear_max_concurrency: bool = False
    stream: dict[str, Any] | None = None  # stream settings given (merged over the old)
    given: set[str] = field(default_factory=set)


class EventSourceMappings:
    def __init__(
        self, store: MappingStore, registry: FunctionRegistry, invocations: Invocations
    ) -> None:
        self._store = store
        self._registry = registry
        self._sources: dict[str, EventSource] = {}
        self._mappings: dict[str, Mapping] = {}
        self._write_lock = asyncio.Lock()
        self.supervisor = Supervisor(self, invocations, registry)

    # -- sources ---------------------------------------------------------------------
    def register(self, source: EventSource) -> None:
        """Serve mappings whose EventSourceArn is of ``source.service``."""
        self._sources[source.service] = source
        self.supervisor.notify_all()

    def source_of(self, arn: str) -> EventSource | None:
        parts = arn.split(":")
        return self._sources.get(parts[2]) if len(parts) > 2 else None

    # -- storage ---------------------------------------------------------------------
    async def load(self) -> None:
        for record in await self._store.load():
            mapping = Mapping.from_record(record)
            self._mappings[mapping.uuid] = mapping

    async def persist(self, uuid: str) -> None:
        """Write the mapping's current record (or its absence): always the latest, so
        writes racing each other cannot leave an older one on disk."""
        async with self._write_lock:
            mapping = self._mappings.get(uuid)
            if mapping is None:
                await self._store.delete(uuid)
            else:
                await self._store.put(uuid, mapping.to_record())

    # -- reads -----------------------------------------------------------------------
    def all(self) -> list[Mapping]:
        return list(self._mappings.values())

    def find(self, uuid: str) -> Mapping | None:
        return self._mappings.get(uuid)

    def get(self, scope: Scope, uuid: str) -> Mapping:
        mapping = self._mappings.get(uuid)
        if mapping is None or not scope.owns(mapping.arn):
            raise MappingNotFound(NOT_FOUND)
        return mapping

    def list(
        self,
        scope: Scope,
        *,
        source_arn: str | None = None,
        function_id: str | None = None,
        qualifier: str | None = None,
    ) -> list[Mapping]:
        """The scope's mappings, optionally of one source and/or one function (a qualified
        FunctionName lists only the mappings to that qualifier), by UUID."""
        found = []
        for mapping in self._mappings.values():
            if not scope.owns(mapping.arn):
                continue
            if source_arn is not None and mapping.source_arn != source_arn:
                continue
            if function_id is not None and mapping.function_id != function_id:
                continue
            if qualifier is not None and mapping.qualifier != qualifier:
                continue
            found.append(mapping)
        return sorted(found, key=lambda m: m.uuid)

    # -- changes ---------------------------------------------------------------------
    async def create(
        self,
        scope: Scope,
        source_arn: str,
        function_id: str,
        qualifier: str | None,
        settings: MappingSettings | None,
        given: set[str],
        *,
        batch_size: int | None = None,
        tags: dict[str, str] | None = None,
    ) -> Mapping:
        """Check and store a new mapping (state ``Creating``); its poller starts next."""
        self._registry.resolve(function_id, qualifier)  # raises NotFound
        source = self.source_of(source_arn)
        if source is None:
            raise missing_source(source_arn)
        info = await source.describe(source_arn)
        settings = settings or MappingSettings(batch_size=0)
        settings.batch_size = batch_size or source.default_batch_size
        source.check(info, settings, given)
        FilterSet.compile(settings.filters)
        self._check_duplicate(source_arn, function_id, qualifier, info.label)
        uuid = str(uuids.uuid4())
        mapping = Mapping(
            uuid=uuid,
            arn=f"{scope.arn_prefix('lambda')}event-source-mapping:{uuid}",
            source_arn=source_arn,
            function_id=function_id,
            qualifier=qualifier,
            settings=settings,
            state=CREATING,
            state_reason=USER_INITIATED,
            tags=dict(tags or {}),
        )
        self._mappings[uuid] = mapping
        try:
            await self.persist(uuid)
        except BaseException:
            self._mappings.pop(uuid, None)
            raise
        self.supervisor.notify(uuid)
        return mapping

    def _check_duplicate(
        self,
        source_arn: str,
        function_id: str,
        qualifier: str | None,
        label: str,
        *,
        excluding: str | None = None,
    ) -> None:
        for other in self._mappings.values():
            if (
                other.uuid != excluding
                and other.state != DELETING
                and other.source_arn == source_arn
                and other.function_id == function_id
                and other.qualifier == qualifier
            ):
                function = name_of(function_id) + (f":{qualifier}" if qualifier else "")
                raise MappingConflict(
                    f'An event source mapping with {label} arn (" {source_arn} ") and function '
                    f'(" {function} ") already exists. Please update or delete the existing '
                    f"mapping with UUID {other.uuid}"
                )

    async def update(self, scope: Scope, uuid: str, changes: MappingChanges) -> Mapping:
        mapping = self.get(scope, uuid)
        if mapping.state in TRANSITIONAL or mapping.state == DELETING:
            raise MappingInUse(IN_USE)
        function_id, qualifier = mapping.function_id, mapping.qualifier
        if changes.function_id is not None:
            function_id, qualifier = changes.function_id, changes.qualifier
            self._registry.resolve(function_id, qualifier)
        source = self.source_of(mapping.source_arn)
        if source is None:
            raise missing_source(mapping.source_arn)
        old = mapping.settings
        settings = MappingSettings(
            batch_size=old.batch_size if changes.batch_size is None else changes.batch_size,
            window_s=old.window_s if changes.window_s is None else changes.window_s,
            enabled=old.enabled if changes.enabled is None else changes.enabled,
            filters=list(old.filters if changes.filters is None else changes.filters),
            response_types=list(
                old.response_types if changes.response_types is None else changes.response_types
            ),
            stream={**old.stream, **(changes.stream or {})},
            max_concurrency=None
            if changes.clear_max_concurrency
            else (
                old.max_concurrency if changes.max_concurrency is None else changes.max_concurrency
            ),
        )
        info = await source.describe(mapping.source_arn)
        source.check(info, settings, changes.given)
        FilterSet.compile(settings.filters)
        if (function_id, qualifier) != (mapping.function_id, mapping.qualifier):
            self._check_duplicate(
                mapping.source_arn, function_id, qualifier, info.label, excluding=uuid
            )
        if settings.enabled != old.enabled:
            state = ENABLING if settings.enabled else DISABLING
        else:
            state = UPDATING
        mapping.function_id, mapping.qualifier = function_id, qualifier
        mapping.settings = settings
        mapping.state, mapping.state_reason = state, USER_INITIATED
        mapping.last_modified = time.time()
        await self.persist(uuid)
        self.supervisor.notify(uuid)
        return mapping

    async def delete(self, scope: Scope, uuid: str) -> Mapping:
        """Mark the mapping ``Deleting``; the supervisor stops its poller, then forgets it."""
        mapping = self.get(scope, uuid)
        if mapping.state in (CREATING, DELETING):
            raise MappingInUse(IN_USE)
        mapping.state = DELETING
        mapping.last_modified = time.time()
        await self.persist(uuid)
        self.supervisor.notify(uuid)
        return mapping

    async def tag(self, scope: Scope, uuid: str, tags: dict[str, str]) -> None:
        mapping = self.get(scope, uuid)
        merged = {**mapping.tags, **tags}
        if len(merged) > 50:
            raise InvalidMapping("Number of tags exceeds resource tag limit.")
        mapping.tags = merged
        await self.persist(uuid)

    async def untag(self, scope: Scope, uuid: str, keys: Iterable[str]) -> None:
        mapping = self.get(scope, uuid)
        drop = set(keys)
        mapping.tags = {k: v for k, v in mapping.tags.items() if k not in drop}
        await self.persist(uuid)

    # -- called by the supervisor and pollers ------------------------------------------
    async def settle(self, mapping: Mapping, state: str, reason: str | None = None) -> None:
        mapping.state = state
        if reason is not None:
            mapping.state_reason = reason
        await self.persist(mapping.uuid)

    async def report(self, mapping: Mapping, result: str) -> None:
        """A poller's LastProcessingResult (written only when it changes)."""
        mapping.last_processing_result = result
        await self.persist(mapping.uuid)

    async def forget(self, uuid: str) -> None:
        """The poller of a Deleting mapping has stopped: the mapping is gone."""
        self._mappings.pop(uuid, None)
        await self.persist(uuid)
