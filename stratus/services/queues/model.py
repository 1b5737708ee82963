"""The queue service's records: a queue, a stored message, a received message.

``Queue`` is the in-memory state of one queue (its configuration plus the index of its
messages, ``index.py``); ``MessageMeta`` is what memory keeps of each message (everything
but the body and attributes, which stay in the store); ``ReceivedMessage`` is what a
receive hands out, to the SQS API and to the event source mapping poller alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stratus.services.scope import Scope

__all__ = [
    "MessageAttributeValue",
    "MessageMeta",
    "NewMessage",
    "QueueKey",
    "ReceivedMessage",
    "StoredMessage",
]


@dataclass(frozen=True, slots=True)
class QueueKey:
    """A queue's identity: its account, region and name."""

    account: str
    region: str
    name: str

    @property
    def scope(self) -> Scope:
        return Scope(account=self.account, region=self.region)

    @property
    def arn(self) -> str:
        return f"arn:aws:sqs:{self.region}:{self.account}:{self.name}"

    @property
    def fifo(self) -> bool:
        return self.name.endswith(".fifo")


@dataclass(frozen=True, slots=True)
class MessageAttributeValue:
    """One typed message attribute, as SendMessage takes it: ``data_type`` is ``String``,
    ``Number`` or ``Binary`` with an optional ``.custom`` suffix."""

    data_type: str
    string_value: str | None = None
    binary_value: bytes | None = None

    @property
    def is_binary(self) -> bool:
        return self.data_type.split(".", 1)[0] == "Binary"


@dataclass(slots=True)
class NewMessage:
    """A message accepted for sending, checked, before it has a place in the queue."""

    body: str
    md5_of_body: str
    attributes: dict[str, MessageAttributeValue] = field(default_factory=dict)
    md5_of_attributes: str | None = None
    system_attributes: dict[str, MessageAttributeValue] = field(default_factory=dict)
    md5_of_system_attributes: str | None = None
    delay_seconds: int | None = None
    group_id: str | None = None
    dedup_id: str | None = None


@dataclass(slots=True)
class MessageMeta:
    """What memory keeps of a stored message (the body stays in the store).

    ``visible_at_ms`` is wall-clock milliseconds (it is stored, and must mean the same
    after a restart); ``receive_count`` numbers the receives, so it also tells which
    receipt handle is the newest.
    """

    seq: int
    message_id: str
    sent_ms: int
    visible_at_ms: int
    receive_count: int = 0
    first_receive_ms: int | None = None
    group_id: str | None = None
    dedup_id: str | None = None
    size: int = 0
    dead_letter_source: str | None = None  # the ARN of the queue it was redriven from
    last_receive_ms: int | None = None  # memory only: bounds ChangeMessageVisibility

    @property
    def sequence_number(self) -> str:
        """FIFO's SequenceNumber: a large, increasing number (20 digits, as AWS's look)."""
        return f"1{self.seq:019d}"


@dataclass(slots=True)
class StoredMessage:
    """A message row: its meta plus what only the store keeps."""

    meta: MessageMeta
    queue_id: int
    body: str
    md5_of_body: str
    attributes: dict[str, Any] | None  # message attributes, JSON form (Binary as base64)
    md5_of_attributes: str | None
    system: dict[str, Any] | None  # AWSTraceHeader, SenderId, DeadLetterQueueSourceArn
    md5_of_system: str | None


@dataclass(frozen=True, slots=True)
class ReceivedMessage:
    """One received message.

    ``attributes`` are the system attributes as SQS reports them (strings:
    ``ApproximateReceiveCount``, ``SentTimestamp``, ``SenderId``,
    ``ApproximateFirstReceiveTimestamp``, and on FIFO queues ``MessageGroupId``,
    ``MessageDeduplicationId``, ``SequenceNumber``; ``AWSTraceHeader`` when sent) filtered
    by what the receive asked for; ``message_attributes`` are the typed values.
    """

    message_id: str
    receipt_handle: str
    body: str
    md5_of_body: str
    attributes: dict[str, str]
    message_attributes: dict[str, MessageAttributeValue]
    md5_of_message_attributes: str | None
