"""Deliver bucket notifications from the outbox: after the commit, at least once, in the
background.

Each outbox entry names one target (a function, a queue, a topic, or EventBridge) and
holds the event document. The loop sends due entries through our own AWS APIs
in-process (Lambda ``Invoke`` as an ``Event``, which Lambda itself queues durably; SQS
``SendMessage``; SNS ``Publish``) and deletes each entry once its target accepted it. A
failed attempt is retried with exponential backoff, up to ``MAX_ATTEMPTS``; a crash
between the commit and the delivery only delays it, since the entry is still there at
the next start.

EventBridge: S3 sends ``aws.s3`` events to the bucket owner's default bus. The bus is
another component, so delivery goes through :class:`EventBridgeHook`; until a bus
component installs one (``ObjectsService.delivery.eventbridge = hook``), the default
sends them with ``events:PutEvents`` through the in-process caller.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any, Protocol

from stratus.services.aws_calls import AwsCaller, QueueUrls
from stratus.services.objects.sqlite import ObjectsRepository, OutboxRow
from stratus.store.sqlite.database import SQLiteDatabase

__all__ = ["MAX_ATTEMPTS", "EventBridgeHook", "NotificationDelivery"]

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12  # about an hour of backoff in all (1 s doubling, capped at 10 min)
_BATCH = 64


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


class NotificationDelivery:
    """The outbox's delivery loop (one background task)."""

    def __init__(self, db: SQLiteDatabase, calls: AwsCaller, region: str) -> None:
        self._db = db
        self._calls = calls
        self._region = region
        self.eventbridge: EventBridgeHook = PutEventsHook(calls)
        self._wake = asyncio.Event()
        self._paused = False
        self._busy = False
        self._idle = asyncio.Event()
        self._idle.set()
        self._queue_urls = QueueUrls(calls)
        self.delivered = 0
        self.dropped = 0

    def wake(self) -> None:
        """New entries were committed."""
        self._wake.set()

    def pause(self) -> None:
        self._paused = True
        self._wake.set()

    async def wait_idle(self) -> None:
        await self._idle.wait()

    async def run(self) -> None:
        while not self._paused:
            self._wake.clear()
            now = time.time()
            rows = await self._db.read(
                lambda c, now=now: ObjectsRepository.due_outbox(c, now, _BATCH)  # type: ignore[misc]
            )
            if rows:
                self._idle.clear()
                try:
                    await self._deliver(rows)
                finally:
                    self._idle.set()
                continue
            next_due = await self._db.read(ObjectsRepository.next_due)
            wait = 60.0 if next_due is None else max(0.0, next_due - time.time())
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(wait, 60.0)):
                    await self._wake.wait()

    async def _deliver(self, rows: list[OutboxRow]) -> None:
        outcomes = await asyncio.gather(*(self._send(row) for row in rows))
        done = [row.id for row, ok in zip(rows, outcomes, strict=True) if ok]
        retry = [row for row, ok in zip(rows, outcomes, strict=True) if not ok]
        now = time.time()

        def commit(conn: Any) -> None:
            ObjectsRepository.finish_outbox(conn, done)
            for row in retry:
                if row.attempts + 1 >= MAX_ATTEMPTS:
                    ObjectsRepository.finish_outbox(conn, [row.id])
                else:
                    ObjectsRepository.retry_outbox(
                        conn, row.id, now + min(600.0, 2.0**row.attempts)
                    )

        await self._db.write(commit)
        self.delivered += len(done)
        for row in retry:
            if row.attempts + 1 >= MAX_ATTEMPTS:
                self.dropped += 1
                log.warning(
                    "dropped an S3 notification to %s after %d attempts",
                    row.record.get("arn"),
                    MAX_ATTEMPTS,
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
