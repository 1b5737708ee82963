"""What function logs need from persistence: append without waiting, read back by function."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class StoredLogEvent:
    id: int
    function_name: str
    stream: str
    timestamp_ms: int
    message: str
    ingestion_ms: int = 0


class LogStore(Protocol):
    def append_batch_nowait(self, batch: list[tuple[str, str, list[tuple[int, str]]]]) -> None:
        """Append (function, stream, events) groups in one write nobody waits for."""
        ...

    def append_lines_nowait(self, batch: list[tuple[str, str, int, list[str]]]) -> None:
        """Append (function, stream, timestamp, lines) groups in one write nobody waits
        for: each line an event of that timestamp. Lines hold no line break (they come
        from ``str.splitlines``); a group is one invocation's log, which a store may keep
        together, the cheaper to write."""
        ...

    async def query(
        self,
        function_name: str,
        *,
        after_id: int = 0,
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int = 1000,
        stream: str | None = None,
        contains: str | None = None,
    ) -> list[StoredLogEvent]:
        """A function's events in append order (``id`` increases), after ``after_id``;
        ``start_ms`` and ``end_ms`` are inclusive, ``contains`` is a case-sensitive literal
        substring (empty: no filter), and ``limit`` counts events that pass the filters."""
        ...

    async def streams(self, function_name: str) -> list[tuple[str, int, int]]:
        """(stream, first timestamp, last timestamp) per stream of a function, in the order
        the streams first appeared."""
        ...

    async def keys_with_prefix(self, prefix: str) -> list[str]:
        """The distinct keys (function names, written groups) that start with ``prefix``."""
        ...
