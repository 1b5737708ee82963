"""Function logs seen as CloudWatch Logs: one stream per execution environment
(``2026/11/23/[$LATEST]<id>``) in the function's log group: ``/aws/lambda/<name>`` unless
its ``LoggingConfig.LogGroup`` names another, which several functions may share (Lambda
sends each function's logs to the group its configuration names).

Lines are stored per function; a group's events are its functions' events, merged in the
order they were stored. The group is read from the current configuration, so changing a
function's LogGroup moves its earlier lines too (Lambda would leave them behind).
"""

from __future__ import annotations

from dataclasses import dataclass

from stratus.services.functions.errors import NotFound
from stratus.services.functions.registry import FunctionRegistry
from stratus.services.logs.repository import LogStore, StoredLogEvent

GROUP_PREFIX = "/aws/lambda/"


class LogGroupNotFound(Exception):
    """No function has that log group."""


@dataclass(frozen=True, slots=True)
class LogStream:
    name: str
    first_ms: int
    last_ms: int


class LogService:
    def __init__(self, store: LogStore, registry: FunctionRegistry) -> None:
        self._store = store
        self._registry = registry

    def _group_of(self, name: str) -> str:
        try:
            config = self._registry.latest(name).logging_config or {}
        except NotFound:
            return GROUP_PREFIX + name
        return str(config.get("LogGroup") or GROUP_PREFIX + name)

    def groups(self, prefix: str = "") -> list[str]:
        names = {self._group_of(name) for name in self._registry.names()}
        return sorted(g for g in names if g.startswith(prefix))

    def functions_of(self, group: str) -> list[str]:
        """The functions whose logs go to ``group``; LogGroupNotFound when none does."""
        names = [name for name in self._registry.names() if self._group_of(name) == group]
        if not names:
            raise LogGroupNotFound(group)
        return names

    async def streams(self, group: str) -> list[LogStream]:
        found: list[LogStream] = []
        for function_name in self.functions_of(group):
            rows = await self._store.streams(function_name)
            found.extend(LogStream(name, first, last) for name, first, last in rows)
        return sorted(found, key=lambda stream: stream.name)

    async def events(
        self,
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
        for function_name in self.functions_of(group):
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
