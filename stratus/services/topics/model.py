"""The records of the topics service: topics, subscriptions, messages, pending deliveries.

Records cross into the store as JSON documents (``to_document``/``from_document``); the
service keeps topics and subscriptions in memory and writes through before answering.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(slots=True)
class Topic:
    arn: str
    name: str
    account: str
    region: str
    attributes: dict[str, str]  # the settable ones, as the user gave them
    tags: dict[str, str] = field(default_factory=dict)
    created: float = 0.0
    sequence: int = 0  # FIFO topics: the last SequenceNumber given

    @property
    def fifo(self) -> bool:
        return self.attributes.get("FifoTopic", "false").lower() == "true"

    @property
    def content_based_deduplication(self) -> bool:
        return self.attributes.get("ContentBasedDeduplication", "false").lower() == "true"

    def to_document(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> Topic:
        return cls(**document)


@dataclass(slots=True)
class Subscription:
    arn: str
    topic_arn: str
    protocol: str
    endpoint: str
    owner: str
    attributes: dict[str, str]  # RawMessageDelivery, FilterPolicy ... as given
    confirmed: bool
    token: str
    created: float = 0.0

    @property
    def raw(self) -> bool:
        return self.attributes.get("RawMessageDelivery", "false").lower() == "true"

    def to_document(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> Subscription:
        return cls(**document)


@dataclass(frozen=True, slots=True)
class Message:
    """One published message, as every subscription receives it (before its envelope)."""

    message_id: str
    topic_arn: str
    body: str  # the default message
    per_protocol: dict[str, str] | None  # MessageStructure=json: protocol -> message
    subject: str | None
    attributes: dict[str, dict[str, str]]  # name -> {"Type": ..., "Value": ...}
    timestamp: str  # 2019-01-02T12:45:07.000Z
    group_id: str | None = None
    deduplication_id: str | None = None
    sequence_number: str | None = None

    def body_for(self, protocol: str) -> str:
        if self.per_protocol is not None:
            return self.per_protocol.get(protocol, self.body)
        return self.body

    def to_document(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> Message:
        return cls(**document)


@dataclass(slots=True)
class Delivery:
    """A message owed to one subscription, kept in the store until it is delivered,
    dead-lettered or given up (so a restart loses none)."""

    delivery_id: str
    subscription_arn: str
    kind: str  # "Notification" or "SubscriptionConfirmation"
    message: Message
    attempts: int = 0  # attempts made so far
    due: float = 0.0  # when the next attempt may run (epoch seconds)
    first_attempt: float = 0.0

    def to_document(self) -> dict[str, Any]:
        document = asdict(self)
        document["message"] = self.message.to_document()
        return document

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> Delivery:
        fields = dict(document)
        fields["message"] = Message.from_document(fields["message"])
        return cls(**fields)
