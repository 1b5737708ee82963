"""What the functions service needs from persistence: functions, versions, aliases, layers,
and the queue of accepted Event invocations.

A backend implements these Protocols (``sqlite/`` today); the contract suite in
``tests/store/contract`` runs against every backend."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from stratus.store.records import Record


@dataclass(slots=True)
class FunctionsSnapshot:
    """Everything the functions service keeps in memory, as loaded at start."""

    functions: dict[str, Record] = field(default_factory=dict)
    versions: dict[str, dict[str, Record]] = field(default_factory=dict)
    aliases: dict[str, dict[str, Record]] = field(default_factory=dict)
    layers: dict[str, dict[int, Record]] = field(default_factory=dict)


class FunctionStore(Protocol):
    """``put_*`` inserts or replaces the record under its key; deleting what is absent is
    not an error."""

    async def load(self) -> FunctionsSnapshot:
        """Everything, as one consistent snapshot (never half of a concurrent write)."""
        ...

    async def put_function(self, name: str, record: Record) -> None: ...
    async def delete_function(self, name: str) -> None:
        """Delete a function with its versions and aliases."""
        ...

    async def put_version(self, name: str, version: str, record: Record) -> None: ...
    async def delete_version(self, name: str, version: str) -> None: ...
    async def put_alias(self, name: str, alias: str, record: Record) -> None: ...
    async def delete_alias(self, name: str, alias: str) -> None: ...
    async def put_layer_version(self, name: str, version: int, record: Record) -> None: ...
    async def delete_layer_version(self, name: str, version: int) -> None: ...


@dataclass(slots=True)
class QueuedInvocation:
    """An accepted Event invocation, durable until delivered or dropped."""

    id: str
    function_name: str
    qualifier: str
    payload: bytes
    enqueued_ms: int
    next_attempt_ms: int
    attempts: int = 0  # failed attempts so far (function errors)
    client_context: str | None = None


class AsyncInvocationStore(Protocol):
    async def enqueue(self, invocation: QueuedInvocation) -> None:
        """Returns once the invocation is durable; an id already queued is ``DuplicateKey``."""
        ...

    async def due(
        self,
        now_ms: int,
        limit: int,
        exclude: set[str],
        caps: Mapping[str, int] | None = None,
    ) -> list[QueuedInvocation]:
        """Up to ``limit`` invocations with ``next_attempt_ms <= now_ms``, soonest first;
        ids in ``exclude`` (in flight) are skipped and do not count against ``limit``.

        ``caps`` bounds how many of one function's invocations come back (0: none), so
        a function that can run only a few at once (reserved concurrency) takes only
        those and leaves the rest of ``limit`` to the other functions' invocations.
        """
        ...

    async def reschedule(self, id: str, attempts: int, next_attempt_ms: int) -> None:
        """Unknown ids are ignored (the invocation was removed meanwhile)."""
        ...

    async def remove(self, id: str) -> None: ...
    async def pending(self) -> int: ...
