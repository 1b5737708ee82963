"""The logs component: the CloudWatch Logs API over the functions' log store.

Built after FunctionsComponent, whose log store and read view (``LogService``) hold
the events of every group; this component adds the catalog (created groups, streams,
filters, in its own tables), the retention sweep, the subscription deliveries (plugged
into the functions' log sink, ``BufferedLogSink.taps``), the Logs Insights query
runner (a background task reading the groups' events a chunk at a time) and the export
tasks' runner (writing to S3 through the in-process AWS caller) and the Live Tail
sessions (fed by the same two paths as subscriptions).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable, Mapping
from typing import ClassVar

from stratus.aws.component import BackgroundTask, Component, PlatformContext
from stratus.aws.lambda_.component import FunctionsComponent
from stratus.aws.logs.provider import LogsProvider
from stratus.services.functions.errors import NotFound
from stratus.services.logs.account import LogAccount
from stratus.services.logs.catalog import LogCatalog
from stratus.services.logs.catalog_sqlite import LOGS_MIGRATIONS, SQLiteLogCatalogStore
from stratus.services.logs.exports import LogExports
from stratus.services.logs.filters import LogFilters
from stratus.services.logs.groups import LogGroups
from stratus.services.logs.livetail import LiveTails
from stratus.services.logs.policies import LogPolicies
from stratus.services.logs.queries import InsightsQueries
from stratus.services.logs.repository import StoredLogEvent
from stratus.services.logs.sink import LogTap
from stratus.services.logs.streams import LogStreams
from stratus.services.logs.subscriptions import SubscriptionDelivery
from stratus.services.scope import Scope

__all__ = ["LogsComponent"]

#: How often retention is applied to the store (reads apply it at once).
SWEEP_INTERVAL_S = 600.0
#: Seconds a Live Tail session lasts, when not AWS's three hours.
LIVE_TAIL_SESSION_VARIABLE = "STRATUS_LIVE_TAIL_SESSION_S"


def _both(first: LogTap, second: LogTap) -> LogTap:
    def tap(function_id: str, stream: str, timestamp: int, lines: list[str]) -> None:
        first(function_id, stream, timestamp, lines)
        second(function_id, stream, timestamp, lines)

    return tap


class LogsComponent(Component):
    name: ClassVar[str] = "logs"
    migrations = LOGS_MIGRATIONS

    def __init__(self, ctx: PlatformContext) -> None:
        super().__init__(ctx)
        functions = ctx.require(FunctionsComponent)
        self._functions = functions
        view = functions.log_service
        self.catalog = LogCatalog(SQLiteLogCatalogStore(ctx.db), view)
        self.groups = LogGroups(self.catalog, functions.log_store)
        self.streams = LogStreams(self.catalog, functions.log_store)
        self.account = LogAccount(ctx.db)
        self.filters = LogFilters(
            self.catalog, self._function_exists, self.account.destination_exists
        )
        self.delivery = SubscriptionDelivery(self.catalog, view, ctx.aws_caller)
        self.tails = LiveTails()
        self.streams.listeners.append(self.delivery.offer)
        self.streams.listeners.append(self.tails.offer)
        self.filters.on_change.append(self._rebuild_taps)
        self.tails.on_change.append(self._rebuild_taps)
        functions.registry.on_change(self._rebuild_taps)
        functions.registry.on_settled(self._rebuild_taps)
        functions.log_sink.taps = self.delivery.taps
        self.queries = InsightsQueries(self._read, self.catalog.exists, ctx.db)
        self.policies = LogPolicies(self.catalog)
        self.exports = LogExports(self.catalog, ctx.db, self._export_read, ctx.aws_caller)
        self._provider = LogsProvider(
            self.groups,
            self.streams,
            self.filters,
            self.queries,
            self.policies,
            self.exports,
            self.catalog,
            self.tails,
            self.account,
        )
        session_s = os.environ.get(LIVE_TAIL_SESSION_VARIABLE)
        if session_s:  # tests end a session in seconds rather than three hours
            self._provider.live_tail_session_s = float(session_s)

    def _rebuild_taps(self, *_args: object) -> None:
        """The functions whose lines go somewhere besides the store: to subscriptions
        (the delivery's taps) and to Live Tail sessions, both when both want them."""
        self.delivery.rebuild_taps()
        taps = self.delivery.taps
        for scope, group in self.tails.tailed():
            live = self.tails.tap(scope, group)
            for function_id in self._functions.log_service.function_ids_of(scope, group):
                taps[function_id] = _both(taps[function_id], live) if function_id in taps else live

    async def _read(
        self, scope: Scope, group: str, after: int, start_ms: int, end_ms: int, limit: int
    ) -> list[StoredLogEvent]:
        """A chunk of a group's events for an Insights query (none once it is deleted)."""
        if not self.catalog.exists(scope, group):
            return []
        return await self.streams.read(
            scope, group, after_id=after, start_ms=start_ms, end_ms=end_ms, limit=limit
        )

    async def _export_read(
        self,
        scope: Scope,
        group: str,
        after: int,
        start_ms: int,
        end_ms: int,
        stream_prefix: str | None,
        limit: int,
    ) -> list[StoredLogEvent]:
        """A chunk of a group's events for an export task (LogGroupNotFound once it is
        deleted)."""
        return await self.streams.read(
            scope,
            group,
            after_id=after,
            start_ms=start_ms,
            end_ms=end_ms,
            stream_prefix=stream_prefix,
            limit=limit,
        )

    def _function_exists(self, arn: str) -> bool:
        function_id = ":".join(arn.split(":")[:7])
        try:
            self._functions.registry.latest(function_id)
        except NotFound:
            return False
        return True

    def providers(self) -> Mapping[str, object]:
        return {"logs": self._provider}

    async def start(self) -> None:
        await self.catalog.load()
        await self.account.load()
        await self.queries.load()
        await self.exports.load()
        self._rebuild_taps()

    def background(self) -> Iterable[BackgroundTask]:
        return (
            BackgroundTask("log-subscriptions", self.delivery.run),
            BackgroundTask("log-retention", self._sweep),
            BackgroundTask("log-queries", self.queries.run),
            BackgroundTask("log-exports", self.exports.run),
        )

    async def _sweep(self) -> None:
        while True:
            await self.groups.sweep()
            await asyncio.sleep(SWEEP_INTERVAL_S)
