"""Function logs seen as CloudWatch Logs: one log group per function, one stream per
execution environment (``/aws/lambda/<name>``, ``2026/11/23/[$LATEST]<id>``)."""

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

    def groups(self, prefix: str = "") -> list[str]:
        names = [GROUP_PREFIX + name for name in self._registry.names()]
        return [g for g in names if g.startswith(prefix)]

    def function_of(self, group: str) -> str:
        if not group.startswith(GROUP_PREFIX):
            raise LogGroupNotFound(group)
        name = group[len(GROUP_PREFIX) :]
        try:
            self._registry.record(name)
        except NotFound as exc:
            raise LogGroupNotFound(group) from exc
        return name

    async def streams(self, group: str) -> list[LogStream]:
        rows = await self._store.streams(self.function_of(group))
        return [LogStream(name, first, last) for name, first, last in rows]

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
        return await self._store.query(
            self.function_of(group),
            after_id=after_id,
            start_ms=start_ms,
            end_ms=end_ms,
            stream=stream,
            contains=contains,
            limit=limit,
        )
