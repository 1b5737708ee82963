"""Publish and PublishBatch: check the message, match each subscription's filter policy,
and store one pending delivery per matching subscription before answering.

A publish is acknowledged only after its deliveries are committed (group commit), so
what SNS accepted is delivered even across a ``kill -9``; the dispatcher does the sending
in the background, so a slow or dead endpoint never slows a publisher down.

FIFO topics: every message needs a ``MessageGroupId``; a ``MessageDeduplicationId`` (or
the SHA-256 of the body with ``ContentBasedDeduplication``) makes a repeat within five
minutes answer the first message's id and deliver nothing new; messages get increasing
20-digit ``SequenceNumber``s.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stratus.services.scope import Scope
from stratus.services.topics.errors import (
    BatchIdsNotDistinct,
    BatchTooLong,
    EmptyBatch,
    InvalidBatchEntryId,
    InvalidParameter,
    TooManyEntries,
    TopicsError,
)
from stratus.services.topics.messages import (
    MAX_MESSAGE_BYTES,
    check_attributes,
    check_body,
    check_size,
    check_subject,
    message_size,
    per_protocol,
)
from stratus.services.topics.mobile import MobilePush, PushRequest
from stratus.services.topics.model import Delivery, Message, Topic
from stratus.services.topics.registry import Registry, timestamp
from stratus.services.topics.repository import TopicsRepository
from stratus.services.topics.sms import Sms

DEDUPLICATION_WINDOW_S = 300.0
MAX_BATCH_ENTRIES = 10
_BATCH_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")
_PHONE = re.compile(r"\+[1-9][0-9]{1,14}")
_FIRST_SEQUENCE = 10**19


@dataclass(frozen=True, slots=True)
class PublishRequest:
    message: str
    topic_arn: str | None = None
    target_arn: str | None = None
    phone_number: str | None = None
    subject: str | None = None
    structure: str | None = None
    attributes: Mapping[str, Mapping[str, Any]] | None = None
    group_id: str | None = None
    deduplication_id: str | None = None


@dataclass(frozen=True, slots=True)
class Published:
    message_id: str
    sequence_number: str | None


@dataclass(frozen=True, slots=True)
class BatchFailure:
    entry_id: str
    code: str
    message: str
    sender_fault: bool = True


@dataclass(slots=True)
class _Prepared:
    message: Message
    deliveries: list[Delivery]


class Publisher:
    def __init__(
        self,
        registry: Registry,
        repository: TopicsRepository,
        deliver: Callable[[list[Delivery]], None],
        error_codes: Callable[[TopicsError], str],
        mobile: MobilePush,
        sms: Sms,
    ) -> None:
        self._registry = registry
        self._mobile = mobile
        self._sms_service = sms
        self._repository = repository
        self._deliver = deliver
        self._code_of = error_codes
        self._seen: dict[tuple[str, str], tuple[Published, float]] = {}

    async def publish(self, scope: Scope, request: PublishRequest) -> Published:
        target = request.topic_arn or request.target_arn
        if target is None:
            if request.phone_number is None:
                raise InvalidParameter(
                    "Invalid parameter: TopicArn or TargetArn Reason: no value for required "
                    "parameter"
                )
            return await self._sms(scope, request)
        if request.topic_arn is None and self._mobile.is_endpoint(target):
            return await self._push(scope, target, request)
        topic = self._check(scope, target, request)
        prepared = self._prepare(topic, request, time.time())
        if isinstance(prepared, Published):
            return prepared
        await self._commit(topic, [prepared])
        return Published(prepared.message.message_id, prepared.message.sequence_number)

    async def publish_batch(
        self, scope: Scope, topic_arn: str, entries: Sequence[Mapping[str, Any]]
    ) -> tuple[list[tuple[str, Published]], list[BatchFailure]]:
        if not entries:
            raise EmptyBatch("The batch request doesn't contain any entries")
        if len(entries) > MAX_BATCH_ENTRIES:
            raise TooManyEntries("The batch request contains more entries than permissible.")
        ids = [str(entry.get("Id", "")) for entry in entries]
        if len(set(ids)) != len(ids):
            raise BatchIdsNotDistinct("Two or more batch entries in the request have the same Id.")
        for entry_id in ids:
            if not _BATCH_ID.fullmatch(entry_id):
                raise InvalidBatchEntryId(
                    "A batch entry id can only contain alphanumeric characters, hyphens and "
                    "underscores. It can be at most 80 letters long."
                )
        total = sum(
            message_size(str(e.get("Message", "")), e.get("MessageAttributes") or {})
            for e in entries
        )
        if total > MAX_MESSAGE_BYTES:
            raise BatchTooLong(
                "The length of all the messages put together is more than the limit."
            )
        topic = self._registry.topic(topic_arn, scope)
        if topic.fifo and not all(e.get("MessageGroupId") for e in entries):
            raise InvalidParameter(
                "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"
            )
        successful: list[tuple[str, Published]] = []
        failed: list[BatchFailure] = []
        prepared: list[_Prepared] = []
        now = time.time()
        for entry_id, entry in zip(ids, entries, strict=True):
            request = PublishRequest(
                message=str(entry.get("Message", "")),
                topic_arn=topic_arn,
                subject=entry.get("Subject"),
                structure=entry.get("MessageStructure"),
                attributes=entry.get("MessageAttributes"),
                group_id=entry.get("MessageGroupId"),
                deduplication_id=entry.get("MessageDeduplicationId"),
            )
            try:
                self._check(scope, topic_arn, request)
                outcome = self._prepare(topic, request, now)
            except TopicsError as error:
                failed.append(BatchFailure(entry_id, self._code_of(error), error.message))
                continue
            if isinstance(outcome, Published):
                successful.append((entry_id, outcome))
            else:
                prepared.append(outcome)
                successful.append(
                    (
                        entry_id,
                        Published(outcome.message.message_id, outcome.message.sequence_number),
                    )
                )
        if prepared:
            await self._commit(topic, prepared)
        return successful, failed

    # -- steps -----------------------------------------------------------------------
    def _check(self, scope: Scope, target: str, request: PublishRequest) -> Topic:
        check_subject(request.subject)
        check_body(request.message)
        check_size(request.message, request.attributes or {})
        fifo_name = target.endswith(".fifo")
        if fifo_name:
            if not request.group_id:
                raise InvalidParameter(
                    "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"
                )
        elif request.deduplication_id:
            raise InvalidParameter(
                "Invalid parameter: MessageDeduplicationId Reason: The request includes "
                "MessageDeduplicationId parameter that is not valid for this topic type"
            )
        if request.structure is not None and request.structure != "json":
            raise InvalidParameter("Invalid parameter: MessageStructure")
        if request.structure == "json":
            per_protocol(request.message)
        if request.attributes:
            check_attributes(request.attributes)
        topic = self._registry.topic(
            target, scope, "TopicArn" if request.topic_arn else "TargetArn"
        )
        if topic.fifo and not request.deduplication_id and not topic.content_based_deduplication:
            raise InvalidParameter(
                "Invalid parameter: The topic should either have ContentBasedDeduplication "
                "enabled or MessageDeduplicationId provided explicitly"
            )
        return topic

    def _prepare(self, topic: Topic, request: PublishRequest, now: float) -> _Prepared | Published:
        dedup_key: tuple[str, str] | None = None
        deduplication_id = request.deduplication_id
        if topic.fifo:
            if deduplication_id is None:
                deduplication_id = hashlib.sha256(request.message.encode()).hexdigest()
            dedup_key = (topic.arn, deduplication_id)
            self._expire(now)
            seen = self._seen.get(dedup_key)
            if seen is not None and seen[1] > now:
                return seen[0]
        body, messages = (
            per_protocol(request.message)
            if request.structure == "json"
            else (request.message, None)
        )
        sequence = None
        if topic.fifo:
            topic.sequence += 1
            sequence = str(_FIRST_SEQUENCE + topic.sequence)
        message = Message(
            message_id=str(uuid.uuid4()),
            topic_arn=topic.arn,
            body=body,
            per_protocol=messages,
            subject=request.subject,
            attributes=check_attributes(request.attributes or {}),
            timestamp=timestamp(now),
            group_id=request.group_id if topic.fifo else None,
            deduplication_id=deduplication_id if topic.fifo else None,
            sequence_number=sequence,
        )
        if dedup_key is not None:
            self._seen[dedup_key] = (
                Published(message.message_id, sequence),
                now + DEDUPLICATION_WINDOW_S,
            )
        return _Prepared(message, self._fan_out(topic, message, now))

    def _fan_out(self, topic: Topic, message: Message, now: float) -> list[Delivery]:
        deliveries: list[Delivery] = []
        body: Any = _UNPARSED
        for subscription in self._registry.confirmed_subscriptions(topic.arn):
            policy = self._registry.filters.get(subscription.arn)
            if policy is not None:
                if policy.scope == "MessageBody":
                    if body is _UNPARSED:
                        body = _json_object(message.body_for(subscription.protocol))
                    if body is None or not policy.matches_body(body):
                        continue
                elif not policy.matches_attributes(message.attributes):
                    continue
            deliveries.append(
                Delivery(
                    delivery_id=str(uuid.uuid4()),
                    subscription_arn=subscription.arn,
                    kind="Notification",
                    message=message,
                    due=now,
                    first_attempt=now,
                )
            )
        return deliveries

    async def _commit(self, topic: Topic, prepared: list[_Prepared]) -> None:
        deliveries = [d for p in prepared for d in p.deliveries]
        if deliveries or topic.fifo:
            await self._repository.add_deliveries(deliveries, topic if topic.fifo else None)
        if deliveries:
            self._deliver(deliveries)

    def _expire(self, now: float) -> None:
        if len(self._seen) < 1024:
            return
        for key in [k for k, (_, expires) in self._seen.items() if expires <= now]:
            del self._seen[key]

    async def _sms(self, scope: Scope, request: PublishRequest) -> Published:
        phone = request.phone_number or ""
        if not _PHONE.fullmatch(phone):
            raise InvalidParameter(
                f"Invalid parameter: PhoneNumber Reason: {phone} is not valid to publish to"
            )
        body, attributes = self._direct(request)
        if request.structure == "json":
            _, messages = per_protocol(request.message)
            body = messages.get("sms", messages["default"])
        sent = await self._sms_service.publish(scope, phone, body, attributes)
        return Published(sent.message_id, None)

    async def _push(self, scope: Scope, target: str, request: PublishRequest) -> Published:
        body, attributes = self._direct(request)
        messages = None
        if request.structure == "json":
            _, messages = per_protocol(request.message, require_default=False)
        sent = await self._mobile.publish(
            scope, target, PushRequest(body, messages, request.subject, attributes)
        )
        return Published(sent.message_id, None)

    @staticmethod
    def _direct(request: PublishRequest) -> tuple[str, dict[str, dict[str, str]]]:
        """A publish to one phone or device: the message's own checks (no topic)."""
        check_subject(request.subject)
        check_body(request.message)
        check_size(request.message, request.attributes or {})
        if request.deduplication_id:
            raise InvalidParameter(
                "Invalid parameter: MessageDeduplicationId Reason: The request includes "
                "MessageDeduplicationId parameter that is not valid for this topic type"
            )
        if request.structure is not None and request.structure != "json":
            raise InvalidParameter("Invalid parameter: MessageStructure")
        return request.message, check_attributes(request.attributes or {})


_UNPARSED = object()


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None
