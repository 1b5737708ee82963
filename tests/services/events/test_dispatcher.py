"""The dispatcher's retry policy over a real SQLite outbox. The other services are
stood in for by a scripted caller at the AwsCaller seam (the one way the event bus
reaches them), so the retryable failures AWS targets produce can be made to order."""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path
from typing import Any

from stratus.services.aws_calls import AwsCallFailed
from stratus.services.events.dispatcher import Dispatcher
from stratus.services.events.outbox import Delivery
from stratus.services.events.sender import Sender
from stratus.services.events.sqlite import MIGRATIONS, SQLiteEventsRepository
from stratus.store.sqlite.database import SQLiteDatabase

QUEUE = "arn:aws:sqs:us-east-1:000000000000:target"
DLQ = "arn:aws:sqs:us-east-1:000000000000:dlq"


class ScriptedCalls:
    """Answers GetQueueUrl; SendMessage to the target fails ``failures`` times with a
    retryable error (SQS's throttling), then succeeds; the DLQ always takes messages."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.sent: list[dict[str, Any]] = []
        self.dead: list[dict[str, Any]] = []

    async def call(
        self,
        service: str,
        operation: str,
        params: dict[str, Any],
        *,
        account_id: str | None = None,
        region: str | None = None,
    ) -> dict[str, Any]:
        if operation == "GetQueueUrl":
            return {"QueueUrl": f"http://q/{params['QueueName']}"}
        assert operation == "SendMessage"
        if params["QueueUrl"].endswith("/dlq"):
            self.dead.append(params)
            return {}
        if self.failures:
            self.failures -= 1
            raise AwsCallFailed("sqs", "RequestThrottled", "slow down", 400)
        self.sent.append(params)
        return {}


def _delivery(max_attempts: int, max_age: int, created: float) -> Delivery:
    return Delivery(
        "d1",
        "rule",
        "arn:aws:events:us-east-1:000000000000:rule/r",
        "t",
        QUEUE,
        "000000000000",
        "us-east-1",
        '{"x": 1}',
        created,
        time.time(),
        max_attempts,
        max_age,
        DLQ,
        '{"id": "event"}',
        {},
    )


async def _run(tmp_path: Path, calls: ScriptedCalls, delivery: Delivery) -> Dispatcher:
    db = SQLiteDatabase(tmp_path / "s.db")
    await db.open({"events": MIGRATIONS})
    repository = SQLiteEventsRepository(db)

    async def no_bus(arn: str, event: dict[str, Any], hops: int) -> None:
        raise AssertionError("no bus targets here")

    dispatcher = Dispatcher(repository, Sender(calls, no_bus), base_delay_s=0.01)
    await repository.add_deliveries([delivery])
    await dispatcher.load()
    task = asyncio.create_task(dispatcher.run())
    deadline = time.monotonic() + 10
    while await repository.load_deliveries() and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    await dispatcher.wait_idle()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert await repository.load_deliveries() == []  # the outbox row is gone either way
    await db.close()
    return dispatcher


def _attributes(message: dict[str, Any]) -> dict[str, str]:
    return {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}


def test_retryable_failures_are_retried_then_delivered(tmp_path: Path) -> None:
    calls = ScriptedCalls(failures=3)
    dispatcher = asyncio.run(_run(tmp_path, calls, _delivery(185, 86400, time.time())))
    assert [m["MessageBody"] for m in calls.sent] == ['{"x": 1}']
    assert calls.dead == []
    stats = dispatcher.statistics()
    assert (stats.delivered, stats.retried) == (1, 3)


def test_maximum_retry_attempts_then_dead_letter(tmp_path: Path) -> None:
    calls = ScriptedCalls(failures=100)
    asyncio.run(_run(tmp_path, calls, _delivery(2, 86400, time.time())))
    assert calls.sent == []
    [dead] = calls.dead
    assert dead["MessageBody"] == '{"id": "event"}'
    attributes = _attributes(dead)
    assert attributes["EXHAUSTED_RETRY_CONDITION"] == "MaximumRetryAttempts"
    assert attributes["RETRY_ATTEMPTS"] == "2"
    assert attributes["ERROR_CODE"] == "THROTTLING"
    assert attributes["ERROR_MESSAGE"] == "slow down"
    assert attributes["TARGET_ARN"] == QUEUE


def test_zero_retries_means_one_attempt(tmp_path: Path) -> None:
    calls = ScriptedCalls(failures=1)
    asyncio.run(_run(tmp_path, calls, _delivery(0, 86400, time.time())))
    assert calls.sent == []
    assert _attributes(calls.dead[0])["RETRY_ATTEMPTS"] == "0"


def test_maximum_event_age_then_dead_letter(tmp_path: Path) -> None:
    calls = ScriptedCalls(failures=100)
    asyncio.run(_run(tmp_path, calls, _delivery(185, 60, time.time() - 59.99)))
    [dead] = calls.dead
    assert _attributes(dead)["EXHAUSTED_RETRY_CONDITION"] == "MaximumEventAgeInSeconds"


def test_fifo_target_keeps_group_order_through_retries(tmp_path: Path) -> None:
    """The first delivery of a group fails twice; the second must not overtake it."""
    calls = ScriptedCalls(failures=2)
    fifo = "arn:aws:sqs:us-east-1:000000000000:target.fifo"

    async def scenario() -> None:
        db = SQLiteDatabase(tmp_path / "f.db")
        await db.open({"events": MIGRATIONS})
        repository = SQLiteEventsRepository(db)

        async def no_bus(arn: str, event: dict[str, Any], hops: int) -> None:
            raise AssertionError("no bus targets here")

        dispatcher = Dispatcher(repository, Sender(calls, no_bus), base_delay_s=0.01)
        deliveries = []
        for number in range(5):
            delivery = _delivery(185, 86400, time.time())
            delivery.delivery_id, delivery.target_arn = f"d{number}", fifo
            delivery.payload, delivery.params = str(number), {"group_id": "g"}
            deliveries.append(delivery)
        await repository.add_deliveries(deliveries)
        dispatcher.enqueue(deliveries)
        task = asyncio.create_task(dispatcher.run())
        deadline = time.monotonic() + 10
        while len(calls.sent) < 5 and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await db.close()

    asyncio.run(scenario())
    assert [m["MessageBody"] for m in calls.sent] == ["0", "1", "2", "3", "4"]
    assert {m["MessageGroupId"] for m in calls.sent} == {"g"}
