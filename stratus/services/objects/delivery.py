"""Deliver bucket notifications from the outbox: after the commit, at least once, in the
background.

Each outbox entry names one target (a function, a queue, a topic, or EventBridge) and
holds the event document. The shared outbox loop (``services/outbox``) attempts each due
entry, sending it through our own AWS APIs in-process (Lambda ``Invoke`` as an
``Event``, which Lambda itself queues durably; SQS ``SendMessage``; SNS ``Publish``);
:class:`NotificationRetries` deletes it once its target accepted it, and retries a failed
attempt with exponential backoff (1 s doubling, at most 10 minutes), up to
``MAX_ATTEMPTS``. Entries are handed to the loop after the commit that stored them, and
all of them are loaded at start, so a crash between the commit and the delivery only
delays it.

EventBridge: S3 sends ``aws.s3`` events to the bucket owner's default bus. The bus is
another component, so delivery goes through :class:`EventBridgeHook`; until a bus
component installs one (``ObjectsService.delivery.eventbridge = hook``), the default
sends them with ``events:PutEvents`` through the in-process caller.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from stratus.services.aws_calls import AwsCaller, QueueUrls
from stratus.services.objects.sqlite import ObjectsRepository, OutboxRow
from stratus.services.outbox import Again, OutboxLoop, Settled, Verdict
from stratus.store.sqlite.database import SQLiteDatabase

__all__ = ["MAX_ATTEMPTS", "EventBridgeHook", "NotificationDelivery"]

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12  # about an hour of backoff in all (1 s doubling, capped at 10 min)
MAX_DELAY_S = 600.0
MAX_IN_FLIGHT = 64
UNEXPECTED_RETRY_S = 30.0


class EventBridgeHook(Protocol):
    """How S3 events reach the owner's default event bus."""

    async def put_s3_event(self, account: str, region: str, entry: dict[str, Any]) -> None:
        """Put one ``aws.s3`` event (``Source``, ``DetailType``, ``Resources``, ``Detail``
        as a dict, ``Time`` in epoch seconds); raise to have it retried."""
        ...


class PutEventsHook:
    """The default hook: ``events:PutEvents`` through the in-process AWS caller."""

    def __init__(self, calls: AwsCaller) -> None:
        self._calls = calls

    async def put_s3_event(self, account: str, region: str, entry: dict[str, Any]) -> None:
        answer = await self._calls.call(
            "events",
            "PutEvents",
            {
                "Entries": [
                    {
                        "Source": entry["Source"],
                        "DetailType": entry["DetailType"],
                        "Resources": entry["Resources"],
                        "Detail": json.dumps(entry["Detail"]),
                    }
                ]
            },
            account_id=account,
            region=region,
        )
        if answer.get("FailedEntryCount"):
            raise RuntimeError(f"PutEvents refused the event: {answer.get('Entries')}")


class NotificationRetries:
    """S3's delivery policy: any failure is retried, by the schedule above; no order to
    keep, no dead-letter queue."""

    def __init__(
        self,
        db: SQLiteDatabase,
        send: Callable[[OutboxRow], Awaitable[bool]],
        clock: Callable[[], float],
    ) -> None:
        self._db = db
        self._send = send
        self._clock = clock

    @staticmethod
    def describe(row: OutboxRow) -> str:
        return f"{row.id} (S3 notification to {row.record.get('arn')})"

    @staticmethod
    def lane(row: OutboxRow) -> None:
        return None

    @staticmethod
    def endpoint(row: OutboxRow) -> None:
        return None

    async def attempt(self, row: OutboxRow) -> Verdict:
        if await self._send(row):
            await self._finish(row)
            return Settled("delivered")
        if row.attempts + 1 >= MAX_ATTEMPTS:
            await self._finish(row)
            log.warning(
                "dropped an S3 notification to %s after %d attempts",
                row.record.get("arn"),
                MAX_ATTEMPTS,
            )
            return Settled("dropped")
        due = self._clock() + min(MAX_DELAY_S, 2.0**row.attempts)
        await self._db.write(lambda c: ObjectsRepository.retry_outbox(c, row.id, due))
        row.attempts += 1
        return Again(due, retry=True)

    async def _finish(self, row: OutboxRow) -> None:
        await self._db.write(lambda c: ObjectsRepository.finish_outbox(c, [row.id]))


class NotificationDelivery(OutboxLoop[OutboxRow]):
    """The bucket notifications' outbox (one background task), and the calls that carry
    a notification to its target (also used to check targets at configuration)."""

    def __init__(self, db: SQLiteDatabase, calls: AwsCaller, region: str) -> None:
        self._calls = calls
        self._region = region
        self.eventbridge: EventBridgeHook = PutEventsHook(calls)
        self._queue_urls = QueueUrls(calls)
        super().__init__(
            NotificationRetries(db, self._send, time.time),
            max_in_flight=MAX_IN_FLIGHT,
            unexpected_retry_s=UNEXPECTED_RETRY_S,
        )

    async def _send(self, row: OutboxRow) -> bool:
        record = row.record
        target = record["target"]
        arn = str(record["arn"])
        try:
            if target == "eventbridge":
                await self.eventbridge.put_s3_event(
                    record["account"], self._region_of(arn), record["event"]
                )
            elif target == "lambda":
                await self._calls.call(
                    "lambda",
                    "Invoke",
                    {
                        "FunctionName": arn,
                        "InvocationType": "Event",
                        "Payload": json.dumps(record["event"]).encode(),
                    },
                    account_id=_account_of(arn),
                    region=self._region_of(arn),
                )
            elif target == "sqs":
                await self.send_to_queue(arn, json.dumps(record["event"]))
            elif target == "sns":
                await self.publish_to_topic(arn, json.dumps(record["event"]))
            return True
        except Exception as exc:  # any failure is retried; AWS errors carry a code
            log.info("S3 notification to %s failed (attempt %d): %s", arn, row.attempts + 1, exc)
            return False

    async def send_to_queue(self, arn: str, body: str) -> None:
        account, region, name = _account_of(arn), self._region_of(arn), arn.rsplit(":", 1)[-1]
        url = await self._queue_urls.url(arn, account=account, region=region)
        try:
            params: dict[str, Any] = {"QueueUrl": url, "MessageBody": body}
            if name.endswith(".fifo"):
                params["MessageGroupId"] = "s3"
            await self._calls.call("sqs", "SendMessage", params, account_id=account, region=region)
        except Exception:
            self._queue_urls.forget(arn)
            raise

    async def publish_to_topic(self, arn: str, message: str) -> None:
        await self._calls.call(
            "sns",
            "Publish",
            {"TopicArn": arn, "Message": message, "Subject": "Amazon S3 Notification"},
            account_id=_account_of(arn),
            region=self._region_of(arn),
        )

    async def check_function(self, arn: str) -> None:
        """Raise unless the function exists (S3 checks its permission at configuration)."""
        await self._calls.call(
            "lambda",
            "GetFunctionConfiguration",
            {"FunctionName": arn},
            account_id=_account_of(arn),
            region=self._region_of(arn),
        )

    def _region_of(self, arn: str) -> str:
        parts = arn.split(":")
        return parts[3] if len(parts) > 3 and parts[3] else self._region


def _account_of(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 and parts[4] else None
