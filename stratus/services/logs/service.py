"""Function logs seen as CloudWatch Logs: one stream per execution environment
(``2026/11/23/[$LATEST]<id>``) in the function's log group: ``/aws/lambda/<name>`` unless
its ``LoggingConfig.LogGroup`` names another, which several functions may share (Lambda
sends each function's logs to the group its configuration names).

Groups belong to an account and a region, like the functions that write them. Lines are
stored per function (by its id, the unqualified ARN); a group's events are its functions' events, merged in the
order they were stored. The group is read from the current configuration, so changing a
function's LogGroup moves its earlier lines too (Lambda would leave them behind).
"""

from __future__ import annotations

from dataclasses import dataclass

from stratus.services.functions.errors import NotFound
from stratus.services.functions.names import name_of
from stratus.services.functions.registry import FunctionRegistry
from stratus.services.logs.errors import LogGroupNotFound
from stratus.services.logs.repository import LogStore, StoredLogEvent
from stratus.services.scope import Scope

GROUP_PREFIX = "/aws/lambda/"


@dataclass(frozen=True, slots=True)
class LogStream:
    name: str
    first_ms: int
    last_ms: int


_WRITTEN = "group:"


def written_key(scope: Scope, group: str) -> str:
    """The store's key of a group other services write (never a function's ARN)."""
    return f"{_WRITTEN}{scope.account}:{scope.region}:{group}"


class LogService:
    def __init__(self, store: LogStore, registry: FunctionRegistry) -> None:
        self._store = store
        self._registry = registry
        # Groups other services write into (API Gateway's access logs), per scope.
        self._written: dict[Scope, set[str]] = {}

    async def load(self) -> None:
        """Know again the groups other services wrote before a restart."""
        for key in await self._store.keys_with_prefix(_WRITTEN):
            account, region, group = key[len(_WRITTEN) :].split(":", 2)
            self._written.setdefault(Scope(account, region), set()).add(group)

    def append_batch(self, batch: list[tuple[Scope, str, str, list[tuple[int, str]]]]) -> None:
        """Append (scope, group, stream, events) without waiting; a group written here
        exists from then on, next to the functions' groups."""
        rows: list[tuple[str, str, list[tuple[int, str]]]] = []
        for scope, group, stream, events in batch:
            self._written.setdefault(scope, set()).add(group)
            rows.append((written_key(scope, group), stream, events))
        if rows:
            self._store.append_batch_nowait(rows)

    def mark_written(self, scope: Scope, group: str) -> None:
        """``group`` has events of its own (PutLogEvents) from now on."""
        self._written.setdefault(scope, set()).add(group)

    def forget_written(self, scope: Scope, group: str) -> None:
        """``group`` was deleted, its own events with it."""
        self._written.get(scope, set()).discard(group)

    def function_ids_of(self, scope: Scope, group: str) -> list[str]:
        """The ids of the functions whose logs go to ``group`` (maybe none)."""
        return [fid for fid in self._registry.ids_in(scope) if self._group_of(fid) == group]

    def functions_by_group(self, scope: Scope) -> dict[str, list[str]]:
        """Every function group of the scope with its functions' ids, in one pass."""
        found: dict[str, list[str]] = {}
        for fid in self._registry.ids_in(scope):
            found.setdefault(self._group_of(fid), []).append(fid)
        return found

    def last_modified(self, function_id: str) -> str:
        """When the function's configuration last changed ("" when it is gone)."""
        try:
            return self._registry.latest(function_id).last_modified
        except NotFound:
            return ""

    def group_of(self, function_id: str) -> str:
        return self._group_of(function_id)

    def _group_of(self, function_id: str) -> str:
        default = GROUP_PREFIX + name_of(function_id)
        try:
            config = self._registry.latest(function_id).logging_config or {}
        except NotFound:
            return default
        return str(config.get("LogGroup") or default)

    def groups(self, scope: Scope, prefix: str = "") -> list[str]:
        """The log groups of one account and region (each has its own, as in AWS)."""
        names = {self._group_of(fid) for fid in self._registry.ids_in(scope)}
        names |= self._written.get(scope, set())
        return sorted(g for g in names if g.startswith(prefix))

    def functions_of(self, scope: Scope, group: str) -> list[str]:
        """The ids of the functions whose logs go to ``group`` in ``scope``;
        the group's own key too when it was written to; LogGroupNotFound when neither."""
        ids = self.function_ids_of(scope, group)
        if group in self._written.get(scope, ()):
            ids.append(written_key(scope, group))
        if not ids:
            raise LogGroupNotFound()
        return ids

    async def streams(self, scope: Scope, group: str) -> list[LogStream]:
        found: list[LogStream] = []
        for function_name in self.functions_of(scope, group):
            rows = await self._store.streams(function_name)
            found.extend(LogStream(name, first, last) for name, first, last in rows)
        return sorted(found, key=lambda stream: stream.name)

    async def events(
        self,
        scope: Scope,
        group: str,
        *,
        after_id: int = 0,
        start_ms: int | None = None,
        end_ms: int | None = None,
        stream: str | None = None,
        contains: str | None = None,
        limit: int = 10000,
    ) -> list[StoredLogEvent]:
        events: list[StoredLogEvent] = []
        for function_name in self.functions_of(scope, group):
            events.extend(
                await self._store.query(
                    function_name,
                    after_id=after_id,
                    start_ms=start_ms,
                    end_ms=end_ms,
                    stream=stream,
                    contains=contains,
                    limit=limit,
                )
            )
        events.sort(key=lambda event: event.id)
        return events[:limit]
