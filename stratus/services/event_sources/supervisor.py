"""The poller supervisor: one poller per enabled mapping, started, stopped and settled.

Every change to a mapping (created, updated, deleted, a source registered) is a
notification; the supervisor reconciles that mapping: it starts a poller for a mapping
that should run and has none, stops the poller of one that should not, settles a
transitional state (``Creating``, ``Updating`` ... -> ``Enabled`` or ``Disabled``) and
forgets a ``Deleting`` mapping once its poller has stopped. At start every stored mapping
is reconciled, so pollers resume after a restart. Pollers live in the supervisor's task
group, owned by the functions component's background task.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from stratus.services.event_sources.model import (
    DELETING,
    DISABLED,
    TRANSITIONAL,
    Mapping,
)
from stratus.services.event_sources.poller import MappingPoller, PollerStatistics
from stratus.services.functions.invocations import Invocations, InvokeResponse
from stratus.services.functions.registry import FunctionRegistry

if TYPE_CHECKING:
    from stratus.services.event_sources.engine import EventSourceMappings

log = logging.getLogger(__name__)

SOURCE_GONE = "PROBLEM: The event source does not exist: Lambda disabled the mapping."


class Supervisor:
    def __init__(
        self,
        mappings: EventSourceMappings,
        invocations: Invocations,
        registry: FunctionRegistry,
    ) -> None:
        self._mappings = mappings
        self._invocations = invocations
        self._registry = registry
        self._pollers: dict[str, MappingPoller] = {}
        self._changes: asyncio.Queue[str | None] = asyncio.Queue()
        self._paused = False
        self._tasks: asyncio.TaskGroup | None = None

    # -- notifications ---------------------------------------------------------------
    def notify(self, uuid: str) -> None:
        self._changes.put_nowait(uuid)

    def notify_all(self) -> None:
        self._changes.put_nowait(None)

    def pause(self) -> None:
        """Shutdown: stop every poller (each finishes the batch in hand)."""
        self._paused = True
        for poller in self._pollers.values():
            poller.stop()

    async def wait_idle(self) -> None:
        """Wait until every poller has stopped (after ``pause``)."""
        while self._pollers:
            await asyncio.sleep(0.05)

    def statistics(self, uuid: str) -> PollerStatistics | None:
        poller = self._pollers.get(uuid)
        return None if poller is None else poller.statistics()

    # -- the loop --------------------------------------------------------------------
    async def run(self) -> None:
        async with asyncio.TaskGroup() as tasks:
            self._tasks = tasks
            self.notify_all()
            while True:
                uuid = await self._changes.get()
                uuids = [m.uuid for m in self._mappings.all()] if uuid is None else [uuid]
                for one in uuids:
                    try:
                        await self._reconcile(tasks, one)
                    except Exception:  # one mapping's trouble must not stop the others
                        log.exception("event source mapping %s: reconcile failed", one)

    async def _reconcile(self, tasks: asyncio.TaskGroup, uuid: str) -> None:
        mapping = self._mappings.find(uuid)
        poller = self._pollers.get(uuid)
        if mapping is None:
            if poller is not None:
                poller.stop()
            return
        source = self._mappings.source_of(mapping.source_arn)
        should_run = (
            not self._paused
            and mapping.state != DELETING
            and mapping.settings.enabled
            and source is not None
        )
        if should_run:
            if poller is None:
                assert source is not None
                poller = MappingPoller(
                    mapping,
                    source,
                    self._invoke,
                    reserved=lambda fid: self._registry.record(fid).reserved_concurrency,
                    report=self._mappings.report,
                    gone=self._source_gone,
                )
                self._pollers[uuid] = poller
                tasks.create_task(self._run_poller(uuid, poller), name=f"esm:{uuid}")
            elif poller.stopping:
                poller.resume()
        elif poller is not None:
            poller.stop()
        if mapping.state in TRANSITIONAL:
            await self._mappings.settle(mapping, mapping.settled)
        elif mapping.state == DELETING and uuid not in self._pollers:
            await self._mappings.forget(uuid)

    async def _invoke(
        self, function_id: str, qualifier: str | None, event: bytes
    ) -> InvokeResponse:
        return await self._invocations.invoke(function_id, qualifier, event, composed=True)

    async def _run_poller(self, uuid: str, poller: MappingPoller) -> None:
        try:
            await poller.run()
        except Exception:
            log.exception("event source mapping %s: poller failed", uuid)
        finally:
            if self._pollers.get(uuid) is poller:
                del self._pollers[uuid]
            self.notify(uuid)  # a Deleting mapping is forgotten, a resumed one restarted

    async def _source_gone(self, mapping: Mapping) -> None:
        """The queue or stream was deleted under the mapping: Lambda disables it."""
        log.warning(
            "event source mapping %s: %s no longer exists", mapping.uuid, mapping.source_arn
        )
        mapping.settings.enabled = False
        with contextlib.suppress(Exception):
            await self._mappings.settle(mapping, DISABLED, SOURCE_GONE)
