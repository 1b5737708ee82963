"""What the event source mapping engine needs from persistence.

Mappings are few and change rarely; the engine keeps them all in memory and writes each
change through before answering, so the store only loads, puts and deletes whole
records. The contract suite in ``tests/store/contract`` runs against every backend.
"""

from __future__ import annotations

from typing import Any, Protocol


class MappingStore(Protocol):
    async def load(self) -> list[dict[str, Any]]:
        """Every stored mapping record."""
        ...

    async def put(self, uuid: str, record: dict[str, Any]) -> None:
        """Insert or replace the mapping ``uuid``; returns once durable."""
        ...

    async def delete(self, uuid: str) -> None:
        """Remove a mapping; deleting what is absent is not an error."""
        ...
