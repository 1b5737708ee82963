"""Where identity records live: the Protocol the service depends on (SQLite: ``sqlite.py``).

The service keeps every record in memory (IAM is small and read far more than written)
and writes each change through before answering: one ``apply`` per API call carries
every record that call changed, in one transaction, so a crash never leaves a role
half-deleted. Records are JSON documents keyed by (kind, account, key).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["IdentityRepository", "RecordKey", "StoredRecord"]


@dataclass(frozen=True, slots=True)
class RecordKey:
    kind: str  # role, user, policy, access_key, session ... (``state._KINDS`` names them all)
    account: str
    key: str


@dataclass(frozen=True, slots=True)
class StoredRecord:
    at: RecordKey
    body: dict[str, Any]
    expires: float | None = None  # sessions only: the reaper deletes past this


class IdentityRepository(Protocol):
    async def load(self) -> list[StoredRecord]:
        """Every record, for the in-memory state at start."""
        ...

    async def apply(self, puts: Sequence[StoredRecord], deletes: Sequence[RecordKey]) -> None:
        """Write ``puts`` and remove ``deletes`` in one transaction."""
        ...

    async def delete_expired(self, now: float) -> list[str]:
        """Delete sessions that expired before ``now``; returns their keys."""
        ...
