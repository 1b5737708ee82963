"""What the stacks service needs from persistence: stacks, change sets and events as
JSON-shaped records, each write acknowledged only once durable."""

from __future__ import annotations

from typing import Any, Literal, Protocol

__all__ = ["StackRepository", "StackSetRepository"]

Table = Literal["cfn_stacks", "cfn_change_sets"]


class StackRepository(Protocol):
    async def load(self, table: Table) -> list[dict[str, Any]]:
        """Every stack (``cfn_stacks``) or change set (``cfn_change_sets``) record."""
        ...

    async def load_events(self) -> list[dict[str, Any]]:
        """Every stack event, in the order they were added."""
        ...

    async def put_stack(self, stack_id: str, record: dict[str, Any]) -> None:
        """Insert or replace the stack's record."""
        ...

    async def put_change_set(self, change_set_id: str, record: dict[str, Any]) -> None: ...

    async def delete_change_set(self, change_set_id: str) -> None: ...

    async def add_event(self, stack_id: str, record: dict[str, Any]) -> None: ...


class StackSetRepository(Protocol):
    async def load_stack_sets(self) -> list[dict[str, Any]]:
        """Every stack set record, deleted ones included (ListStackSets shows them)."""
        ...

    async def put_stack_set(self, stack_set_id: str, record: dict[str, Any]) -> None:
        """Insert or replace the stack set's record (its instances and operations)."""
        ...
