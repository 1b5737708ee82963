"""What the queue service needs from persistence.

Queues are few and small: each is one JSON record. Messages are many: a message is a
small mutable state row (visibility, receive count) plus an immutable body row, so that
receiving a message (which changes its state) never rewrites its body. Every method that
changes something is one atomic write, committed before it returns.

A backend implements :class:`QueueStore` (``sqlite.py`` today); the contract suite in
``tests/store/contract/test_queue_store.py`` runs against every backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from stratus.services.queues.model import MessageMeta, QueueKey, StoredMessage
from stratus.store.records import Record

__all__ = ["DedupEntry", "QueueStore", "QueuesSnapshot", "Received", "StoredQueue"]


@dataclass(slots=True)
class StoredQueue:
    id: int
    key: QueueKey
    record: Record


@dataclass(frozen=True, slots=True)
class DedupEntry:
    """A FIFO deduplication id (scoped by group when DeduplicationScope is messageGroup)
    remembered for five minutes with the message it admitted."""

    queue_id: int
    key: str
    message_id: str
    seq: int
    expires_ms: int


@dataclass(frozen=True, slots=True)
class Received:
    """A receive's new state for one message."""

    seq: int
    visible_at_ms: int
    receive_count: int
    first_receive_ms: int | None


@dataclass(slots=True)
class QueuesSnapshot:
    """Everything the service keeps in memory, as loaded at start."""

    queues: list[StoredQueue] = field(default_factory=list)
    messages: dict[int, list[MessageMeta]] = field(default_factory=dict)  # by queue id
    dedup: list[DedupEntry] = field(default_factory=list)
    max_seq: int = 0


class QueueStore(Protocol):
    async def load(self, now_ms: int) -> QueuesSnapshot:
        """Every queue, every message's meta in seq order, and the dedup entries that
        have not expired at ``now_ms``: one consistent snapshot."""
        ...

    async def create_queue(self, key: QueueKey, record: Record) -> int:
        """Insert a queue; its new id. Raises DuplicateKey when the key exists."""
        ...

    async def update_queue(self, queue_id: int, record: Record) -> None: ...

    async def delete_queue(self, queue_id: int) -> None:
        """Delete a queue with its messages and dedup entries."""
        ...

    async def add_messages(
        self, messages: Sequence[StoredMessage], dedup: Sequence[DedupEntry] = ()
    ) -> None:
        """Insert messages (their ``meta.seq`` are new and unique) and dedup entries, in
        one write."""
        ...

    async def mark_received(self, received: Sequence[Received]) -> list[StoredMessage]:
        """Record receives; return the messages that still exist, in the order given."""
        ...

    async def set_visibility(self, changes: Sequence[tuple[int, int]]) -> None:
        """(seq, visible_at_ms) for each message; absent ones are skipped."""
        ...

    async def move_messages(
        self,
        seqs: Sequence[int],
        queue_id: int,
        visible_at_ms: int,
        *,
        reset_receives: bool,
        dead_letter_source: str | None,
    ) -> None:
        """Move messages to another queue (dead-letter redrive, message move tasks),
        visible there at ``visible_at_ms`` and remembering ``dead_letter_source`` (the
        queue a dead-lettered message came from); ``reset_receives`` zeroes their receive
        count and first receive time."""
        ...

    async def read_messages(self, seqs: Sequence[int]) -> list[StoredMessage]:
        """The messages that exist among ``seqs``, in the order given."""
        ...

    async def delete_messages(self, seqs: Sequence[int]) -> None:
        """Delete messages; absent ones are skipped."""
        ...

    async def delete_expired_dedup(self, now_ms: int) -> None: ...
