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


@dataclass(slots=True)
class PlatformApplication:
    """A mobile push application (CreatePlatformApplication); its credentials are kept
    with the other attributes and never answered."""

    arn: str
    name: str
    platform: str  # GCM, APNS, APNS_SANDBOX, ADM, BAIDU, MPNS, WNS ...
    account: str
    region: str
    attributes: dict[str, str]
    created: float = 0.0

    @property
    def enabled(self) -> bool:
        return self.attributes.get("Enabled", "true").lower() == "true"

    def to_document(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> PlatformApplication:
        return cls(**document)


@dataclass(slots=True)
class PlatformEndpoint:
    """A device of an application (CreatePlatformEndpoint): ``Enabled``, ``Token`` and
    ``CustomUserData`` in ``attributes``, as GetEndpointAttributes answers them."""

    arn: str
    application_arn: str
    attributes: dict[str, str]
    created: float = 0.0

    @property
    def token(self) -> str:
        return self.attributes.get("Token", "")

    @property
    def enabled(self) -> bool:
        return self.attributes.get("Enabled", "true").lower() == "true"

    def to_document(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> PlatformEndpoint:
        return cls(**document)


@dataclass(slots=True)
class SandboxNumber:
    phone_number: str
    status: str  # Pending or Verified
    language: str
    password: str  # the one-time password sent to it


@dataclass(slots=True)
class SmsSettings:
    """One account's SMS state in one region: SetSMSAttributes, the opted-out numbers,
    the SMS sandbox's destination numbers."""

    account: str
    region: str
    attributes: dict[str, str] = field(default_factory=dict)
    opted_out: list[str] = field(default_factory=list)
    sandbox: dict[str, SandboxNumber] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.account}:{self.region}"

    def to_document(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> SmsSettings:
        fields = dict(document)
        fields["sandbox"] = {k: SandboxNumber(**v) for k, v in fields["sandbox"].items()}
        return cls(**fields)


@dataclass(frozen=True, slots=True)
class SentMessage:
    """What SNS would have handed to a push service or a phone carrier: Stratus reaches
    neither, so it keeps the message where a test can read it (``/_stratus/sns/sent``)."""

    message_id: str
    kind: str  # "push" or "sms"
    account: str
    region: str
    target: str  # the endpoint ARN or the phone number
    message: str  # what the device gets: the platform's entry of a JSON structure
    timestamp: str
    status: str = "DELIVERED"  # or OPTED_OUT: SNS answered, the carrier got nothing
    subject: str | None = None
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)
    platform: str | None = None  # push: the application's platform
    token: str | None = None  # push: the device token
    custom_user_data: str | None = None
    topic_arn: str | None = None  # a topic's delivery to an application or sms subscription
    subscription_arn: str | None = None

    def to_document(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> SentMessage:
        return cls(**document)
