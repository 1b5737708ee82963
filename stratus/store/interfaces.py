"""What services need from persistence, as Protocols.

Services depend only on these; ``store/sqlite`` implements them on one SQLite file and a
PostgreSQL implementation will fill the same contracts for several nodes. Records cross
this boundary as JSON-compatible dicts owned by the service that defines them, so the
store never needs to know a service's domain types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

Record = dict[str, Any]


@dataclass(slots=True)
class FunctionsSnapshot:
    """Everything the functions service keeps in memory, as loaded at start."""

    functions: dict[str, Record] = field(default_factory=dict)
    versions: dict[str, dict[str, Record]] = field(default_factory=dict)
    aliases: dict[str, dict[str, Record]] = field(default_factory=dict)
    layers: dict[str, dict[int, Record]] = field(default_factory=dict)


class FunctionStore(Protocol):
    async def load(self) -> FunctionsSnapshot: ...
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
        """Returns once the invocation is durable."""
        ...

    async def due(self, now_ms: int, limit: int, exclude: set[str]) -> list[QueuedInvocation]: ...
    async def reschedule(self, id: str, attempts: int, next_attempt_ms: int) -> None: ...
    async def remove(self, id: str) -> None: ...
    async def pending(self) -> int: ...


@dataclass(frozen=True, slots=True)
class StoredLogEvent:
    id: int
    function_name: str
    stream: str
    timestamp_ms: int
    message: str


class LogStore(Protocol):
    def append_batch_nowait(self, batch: list[tuple[str, str, list[tuple[int, str]]]]) -> None:
        """Append (function, stream, events) groups in one write nobody waits for."""
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
    ) -> list[StoredLogEvent]: ...

    async def streams(self, function_name: str) -> list[tuple[str, int, int]]:
        """(stream, first timestamp, last timestamp) per stream of a function."""
        ...


@dataclass(slots=True)
class StoredExecution:
    """One execution row: its public record, the interpreter's state, pending work."""

    arn: str
    machine_arn: str
    name: str
    status: str
    start_ms: int
    stop_ms: int | None
    record: Record  # input, output, error, cause, type, definition snapshot ...
    state: Record | None  # the interpreter's ExecutionState.to_dict(); None once finished
    outstanding: Record  # core token -> command record (tasks and timers in flight)


@dataclass(slots=True)
class ExecutionStep:
    """What one interpreter step changed, written in one transaction."""

    arn: str
    status: str
    state: Any  # the interpreter's state: a dict or dataclass orjson can write; None at the end
    outstanding: Record
    history: list[Record]
    stop_ms: int | None = None
    record: Record | None = None  # replaces the public record when given


class WorkflowStore(Protocol):
    async def load_machines(self) -> list[Record]: ...
    async def put_machine(self, arn: str, name: str, record: Record) -> None: ...
    async def delete_machine(self, arn: str) -> None: ...

    async def create_execution(self, execution: StoredExecution, history: list[Record]) -> None:
        """Insert a new execution with its first history events, atomically."""
        ...

    async def save_step(self, step: ExecutionStep) -> None: ...
    async def get_execution(self, arn: str) -> StoredExecution | None: ...
    async def find_execution(self, machine_arn: str, name: str) -> StoredExecution | None: ...
    async def list_executions(
        self, machine_arn: str, status: str | None, limit: int, before: tuple[int, str] | None
    ) -> list[StoredExecution]:
        """Newest first; ``before`` is the (start_ms, arn) of the previous page's last row."""
        ...

    async def running_executions(self) -> list[StoredExecution]: ...
    async def history(self, arn: str, after_id: int, limit: int, reverse: bool) -> list[Record]: ...

    async def load_activities(self) -> list[Record]: ...
    async def put_activity(self, arn: str, name: str, record: Record) -> None: ...
    async def delete_activity(self, arn: str) -> None: ...
    async def enqueue_activity_task(
        self, token: str, activity_arn: str, task_input: str
    ) -> None: ...
    async def take_activity_task(self, activity_arn: str) -> tuple[str, str] | None:
        """Mark the oldest queued task of an activity as taken; (token, input)."""
        ...

    async def remove_activity_task(self, token: str) -> None: ...
