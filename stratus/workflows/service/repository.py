"""What the Step Functions service needs from persistence: machines, executions with their
history and pending work (one write per interpreter step), activities and their tasks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from stratus.store.records import Record
from stratus.workflows.interpreter.map_runs import MapRunChange


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
    # the interpreter's ExecutionState: read back as its to_dict() form, written as that or
    # as the dataclass itself (orjson writes both alike); None once finished
    state: Any
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
    # what the step's Distributed Maps did: their Map Runs and child executions
    map_runs: list[MapRunChange] = field(default_factory=list)


@dataclass(slots=True)
class StoredMapRun:
    """One Map Run: its public record (limits, dates, totals) and its status."""

    arn: str
    execution_arn: str
    status: str
    start_ms: int
    record: Record  # executionArn, stateMachineArn, label, maxConcurrency, total ...


@dataclass(slots=True)
class StoredChild:
    """One child execution of a Map Run."""

    arn: str
    map_run_arn: str
    index: int
    status: str
    items: int
    start_ms: int
    stop_ms: int | None
    record: Record  # name, input, output, error, cause


class WorkflowStore(Protocol):
    async def load_machines(self) -> list[Record]: ...
    async def put_machine(self, arn: str, name: str, record: Record) -> None: ...
    async def delete_machine(self, arn: str) -> None: ...

    # ``table`` is "versions" or "aliases": records keyed by their qualified ARN
    async def load_qualified(self, table: str) -> list[Record]: ...
    async def put_qualified(
        self, table: str, arn: str, machine_arn: str, record: Record
    ) -> None: ...
    async def delete_qualified(self, table: str, arn: str) -> None: ...
    async def delete_machine_qualified(self, machine_arn: str) -> None:
        """Every version and alias of a machine, in one transaction (DeleteStateMachine)."""
        ...

    async def create_execution(
        self,
        execution: StoredExecution,
        history: list[Record],
        map_runs: list[MapRunChange] | None = None,
    ) -> None:
        """Insert a new execution with its first history events (and the Map Runs its
        first step started), atomically; an ARN, or a (machine, name), already used is
        ``DuplicateKey`` and nothing is written."""
        ...

    async def save_step(self, step: ExecutionStep) -> None:
        """Status, state, pending work and new history in one transaction; ``stop_ms`` and
        ``record`` stay as they were when the step gives ``None``. A step of an unknown
        execution writes nothing."""
        ...

    async def get_execution(self, arn: str) -> StoredExecution | None: ...
    async def find_execution(self, machine_arn: str, name: str) -> StoredExecution | None: ...
    async def list_executions(
        self,
        machine_arn: str,
        status: str | None,
        limit: int,
        before: tuple[int, str] | None,
        *,
        started_by: tuple[str, str] | None = None,
        redriven: bool | None = None,
    ) -> list[StoredExecution]:
        """Newest first (equal start times by ARN, descending); ``before`` is the
        (start_ms, arn) of the previous page's last row. ``started_by`` keeps the
        executions started through one version or alias (``("version_arn", arn)`` or
        ``("alias_arn", arn)``); ``redriven`` those redriven at least once, or never."""
        ...

    async def running_executions(self) -> list[StoredExecution]: ...
    async def history(self, arn: str, after_id: int, limit: int, reverse: bool) -> list[Record]:
        """Events by ``id``: ascending after ``after_id``, or with ``reverse`` descending
        before it (from the last event when ``after_id`` is 0)."""
        ...

    # -- Map Runs (written by `save_step`, read by the API) ---------------------------
    async def get_map_run(self, arn: str) -> StoredMapRun | None: ...
    async def list_map_runs(
        self, execution_arn: str, limit: int, before: tuple[int, str] | None
    ) -> list[StoredMapRun]:
        """Newest first, as ``list_executions``."""
        ...

    async def running_map_runs(self, execution_arn: str) -> list[StoredMapRun]: ...
    async def update_map_run(self, arn: str, changes: Record) -> bool:
        """Merge ``changes`` into a RUNNING Map Run's record; False (nothing written) when
        the run is not RUNNING."""
        ...

    async def map_run_counts(self, arn: str) -> dict[str, tuple[int, int]]:
        """Child executions of a run by status: (executions, items)."""
        ...

    async def get_child(self, arn: str) -> StoredChild | None: ...
    async def list_children(
        self,
        map_run_arn: str,
        status: str | None,
        limit: int,
        before: tuple[int, str] | None,
        *,
        redriven: bool | None = None,
    ) -> list[StoredChild]:
        """Newest first, as ``list_executions``; ``redriven`` keeps the children a redrive
        ran again (or those it never did)."""
        ...

    async def load_activities(self) -> list[Record]: ...
    async def put_activity(self, arn: str, name: str, record: Record) -> None: ...
    async def delete_activity(self, arn: str) -> None: ...
    async def enqueue_activity_task(self, token: str, activity_arn: str, task_input: str) -> None:
        """Queue a task; a token already known is kept as it is (pending work is re-issued
        at start)."""
        ...

    async def take_activity_task(self, activity_arn: str) -> tuple[str, str] | None:
        """Mark the oldest queued task of an activity as taken; (token, input). A task is
        taken once, even by concurrent callers."""
        ...

    async def remove_activity_task(self, token: str) -> None: ...
