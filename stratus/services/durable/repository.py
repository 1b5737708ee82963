"""What the durable execution service needs from persistence (``sqlite.py`` is the SQLite
implementation; the store contract suite checks any other)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from stratus.services.durable.model import Event, Execution, Operation


class DurableStore(Protocol):
    async def save(
        self, execution: Execution, operations: Iterable[Operation], events: Iterable[Event]
    ) -> None:
        """The execution's record, the operations given (inserted or replaced) and the
        events given (appended), in one transaction: all of it or none."""
        ...

    async def load_running(self) -> list[Execution]:
        """Every RUNNING or PAUSED execution, with its operations in start order."""
        ...

    async def get(self, arn: str) -> Execution | None: ...

    async def find_by_name(self, function_arn: str, name: str) -> Execution | None: ...

    async def list_by_function(self, function_arn: str) -> list[dict[str, Any]]:
        """Execution records (``Execution.record()``) of a function, oldest first."""
        ...

    async def list_all(self) -> list[dict[str, Any]]: ...

    async def events(self, arn: str) -> list[Event]:
        """An execution's history, by EventId."""
        ...

    async def delete(self, arn: str) -> None:
        """The execution, its operations and its history; absent is not an error."""
        ...
