"""SQS as an event source: the queue service's in-process API behind the EventSource
Protocol.

What Lambda does with a queue ("Using Lambda with Amazon SQS"): it receives up to
BatchSize messages (each receive counts toward the queue's ``maxReceiveCount``, so
failing messages reach its dead-letter queue), hands the function the SQS event, deletes
what succeeded and leaves the rest to become visible again after the queue's visibility
timeout. The event's records have exactly AWS's keys and types (messageId, receiptHandle,
body, attributes, messageAttributes with stringValue/binaryValue/stringListValues/
binaryListValues/dataType, md5OfBody, md5OfMessageAttributes when there are attributes,
eventSource ``aws:sqs``, eventSourceARN, awsRegion).

Filters see the record with ``body`` parsed when it is JSON ("Filtering Amazon SQS
messages"); records that match no filter are deleted.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

import orjson

from stratus.services.event_sources.errors import InvalidMapping, SourceGone
from stratus.services.event_sources.model import MappingSettings
from stratus.services.event_sources.source import SourceInfo, SourceRecord
from stratus.services.queues.errors import QueueNotFound
from stratus.services.queues.model import MessageAttributeValue, ReceivedMessage
from stratus.services.queues.service import QueueService

NON_EXISTENT_QUEUE = (
    "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService."
    "NonExistentQueue. SQS Error Message: The specified queue does not exist or you do not "
    "have access to it."
)
WINDOW_NEEDED = (
    "Maximum batch window in seconds must be greater than 0 if maximum batch size is "
    "greater than 10"
)
FIFO_WINDOW = "Batching window is not supported for FIFO queues"
FIFO_BATCH = "Batch size must not exceed 10 for FIFO queues"
# ReceiveMessage returns at most 10 messages; the queue service's in-process receive has
# no such cap, and one receive (one store write) per batch keeps a batch's cost flat.
RECEIVE_MAX = 1000
FIFO_MAX_BATCH = 10

# Members of CreateEventSourceMapping that belong to other kinds of source.
_NOT_FOR_SQS = (
    "ParallelizationFactor",
    "StartingPositionTimestamp",
    "DestinationConfig",
    "MaximumRecordAgeInSeconds",
    "BisectBatchOnFunctionError",
    "MaximumRetryAttempts",
    "TumblingWindowInSeconds",
    "Topics",
    "Queues",
    "SourceAccessConfigurations",
    "SelfManagedEventSource",
    "AmazonManagedKafkaEventSourceConfig",
    "SelfManagedKafkaEventSourceConfig",
    "DocumentDBEventSourceConfig",
)


class SqsSource:
    """Registered by the queues component with the functions component's engine."""

    service = "sqs"
    default_batch_size = 10

    def __init__(self, queues: QueueService) -> None:
        self._queues = queues

    async def describe(self, arn: str) -> SourceInfo:
        try:
            key = self._queues.queue_by_arn(arn)
        except QueueNotFound as exc:
            raise InvalidMapping(NON_EXISTENT_QUEUE) from exc
        return SourceInfo(arn=arn, label="SQS", ordered=self._queues.get(key).fifo)

    def check(self, info: SourceInfo, settings: MappingSettings, given: set[str]) -> None:
        if "StartingPosition" in given:
            raise InvalidMapping("StartingPosition is not valid for SQS event sources.")
        for member in _NOT_FOR_SQS:
            if member in given:
                raise InvalidMapping(
                    f"Unsupported {member} parameter for given event source mapping type."
                )
        if info.ordered:
            if settings.window_s > 0:
                raise InvalidMapping(FIFO_WINDOW)
            if settings.batch_size > FIFO_MAX_BATCH:
                raise InvalidMapping(FIFO_BATCH)
        if settings.batch_size > 10 and settings.window_s <= 0:
            raise InvalidMapping(WINDOW_NEEDED)

    async def read(self, arn: str, max_records: int, wait_s: float) -> list[SourceRecord]:
        region = arn.split(":")[3]
        try:
            key = self._queues.queue_by_arn(arn)
            messages = await self._receive(key, max_records, wait_s)
            # A batch larger than one receive takes what is visible now, without waiting;
            # a message seen twice (a visibility timeout of 0) ends the batch, keeping its
            # newest receipt handle.
            found = {m.message_id: m for m in messages}
            while messages and len(found) < max_records:
                more = await self._receive(key, max_records - len(found), 0)
                fresh = [m for m in more if m.message_id not in found]
                found.update((m.message_id, m) for m in more)
                if len(fresh) < len(more) or not more:
                    break
        except QueueNotFound as exc:
            raise SourceGone(NON_EXISTENT_QUEUE) from exc
        return [_record(arn, region, m) for m in found.values()]

    async def _receive(self, key: Any, count: int, wait_s: float) -> list[ReceivedMessage]:
        messages: list[ReceivedMessage] = await self._queues.receive(
            key,
            min(count, RECEIVE_MAX),
            wait_seconds=wait_s,
            attribute_names=("All",),
            message_attribute_names=("All",),
        )
        return messages

    async def acknowledge(self, arn: str, records: Sequence[SourceRecord]) -> None:
        try:
            key = self._queues.queue_by_arn(arn)
            await self._queues.delete_messages(key, [r.handle for r in records])
        except QueueNotFound as exc:
            raise SourceGone(NON_EXISTENT_QUEUE) from exc

    async def leave(self, arn: str, records: Sequence[SourceRecord]) -> None:
        """Nothing to do: a failed message becomes visible again when its visibility
        timeout ends, as on AWS (Lambda does not change the visibility of failures)."""

    async def release(self, arn: str, records: Sequence[SourceRecord]) -> None:
        """Visible again now (their receive still counts toward ``maxReceiveCount``)."""
        try:
            key = self._queues.queue_by_arn(arn)
            await self._queues.change_visibility(key, [(r.handle, 0) for r in records])
        except QueueNotFound as exc:
            raise SourceGone(NON_EXISTENT_QUEUE) from exc

    def build_event(self, arn: str, records: Sequence[SourceRecord]) -> bytes:
        return orjson.dumps({"Records": [r.view for r in records]})


def _record(arn: str, region: str, message: ReceivedMessage) -> SourceRecord:
    view: dict[str, Any] = {
        "messageId": message.message_id,
        "receiptHandle": message.receipt_handle,
        "body": message.body,
        "attributes": dict(message.attributes),
        "messageAttributes": {
            name: _attribute(value) for name, value in message.message_attributes.items()
        },
        "md5OfBody": message.md5_of_body,
    }
    if message.md5_of_message_attributes:
        view["md5OfMessageAttributes"] = message.md5_of_message_attributes
    view["eventSource"] = "aws:sqs"
    view["eventSourceARN"] = arn
    view["awsRegion"] = region
    return SourceRecord(
        item_id=message.message_id,
        handle=message.receipt_handle,
        view=view,
        size=len(message.body) + 1024,
        filter_view=_filter_view(view),
    )


def _attribute(value: MessageAttributeValue) -> dict[str, Any]:
    """A message attribute as the SQS event carries it (lists are always present)."""
    shape: dict[str, Any] = {}
    if value.string_value is not None:
        shape["stringValue"] = value.string_value
    if value.binary_value is not None:
        shape["binaryValue"] = base64.b64encode(value.binary_value).decode()
    shape["stringListValues"] = []
    shape["binaryListValues"] = []
    shape["dataType"] = value.data_type
    return shape


def _filter_view(view: dict[str, Any]) -> dict[str, Any]:
    """The record with ``body`` parsed when it is a JSON object, as filters see it."""
    body = view["body"]
    if body[:1] in ("{", "["):
        try:
            parsed = orjson.loads(body)
        except orjson.JSONDecodeError:
            return view
        return {**view, "body": parsed}
    return view
