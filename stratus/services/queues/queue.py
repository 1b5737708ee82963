"""One queue's in-memory state: configuration, tags, permissions, message index, waiters."""

from __future__ import annotations

from dataclasses import dataclass, field

from stratus.services.queues.attributes import QueueConfig
from stratus.services.queues.index import FifoIndex, MessageIndex, StandardIndex
from stratus.services.queues.model import QueueKey
from stratus.services.queues.waiters import Waiters
from stratus.store.records import Record

__all__ = ["DedupRecord", "Queue"]


@dataclass(frozen=True, slots=True)
class DedupRecord:
    message_id: str
    seq: int
    expires_ms: int


@dataclass(slots=True)
class Queue:
    id: int
    key: QueueKey
    config: QueueConfig
    created_s: int
    modified_s: int
    tags: dict[str, str] = field(default_factory=dict)
    index: MessageIndex = field(default_factory=StandardIndex)
    waiters: Waiters = field(default_factory=Waiters)
    dedup: dict[str, DedupRecord] = field(default_factory=dict)
    last_purge_ms: int | None = None
    deleted: bool = False

    @classmethod
    def new(
        cls, queue_id: int, key: QueueKey, config: QueueConfig, created_s: int, modified_s: int
    ) -> Queue:
        return cls(
            queue_id,
            key,
            config,
            created_s,
            modified_s,
            index=FifoIndex() if key.fifo else StandardIndex(),
        )

    @property
    def fifo(self) -> bool:
        return self.key.fifo

    @property
    def arn(self) -> str:
        return self.key.arn

    def record(self) -> Record:
        """What the store keeps of the queue (messages are stored apart)."""
        return {
            "attributes": self.config.values,
            "created": self.created_s,
            "modified": self.modified_s,
            "tags": self.tags,
            "last_purge_ms": self.last_purge_ms,
        }

    @classmethod
    def of_record(cls, queue_id: int, key: QueueKey, record: Record) -> Queue:
        queue = cls.new(
            queue_id,
            key,
            QueueConfig.of(record.get("attributes", {})),
            int(record.get("created", 0)),
            int(record.get("modified", 0)),
        )
        queue.tags = dict(record.get("tags", {}))
        queue.last_purge_ms = record.get("last_purge_ms")
        return queue
