"""The queue service's in-process API (what the event source mapping poller uses), over a
real SQLite store: receive, delete, change visibility, wait for visible messages, the
receive count and dead-letter redrive on the same path as ReceiveMessage, and a restart."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from stratus.services.queues.errors import QueueNotFound, ReceiptHandleIsInvalid
from stratus.services.queues.messages import new_message
from stratus.services.queues.model import MessageAttributeValue, QueueKey
from stratus.services.queues.service import QueueService
from stratus.services.queues.sqlite import QUEUES_MIGRATIONS, SQLiteQueueStore
from stratus.store.sqlite.database import SQLiteDatabase

KEY = QueueKey("000000000000", "us-east-1", "work")
DLQ = QueueKey("000000000000", "us-east-1", "work-dlq")


def run(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async test in its own event loop (the suite has no asyncio plugin)."""

    def wrapper(tmp_path: Path) -> None:
        asyncio.run(test(tmp_path))

    wrapper.__name__ = test.__name__
    return wrapper


class Opened:
    def __init__(self, path: Path) -> None:
        self.db = SQLiteDatabase(path)
        self.service = QueueService(SQLiteQueueStore(self.db))

    async def __aenter__(self) -> QueueService:
        await self.db.open({"queues": QUEUES_MIGRATIONS})
        await self.service.load()
        return self.service

    async def __aexit__(self, *exc: object) -> None:
        await self.db.close()


async def _with_queues(service: QueueService, max_receives: int = 2) -> None:
    await service.registry.create(DLQ, {}, {})
    policy = json.dumps({"deadLetterTargetArn": DLQ.arn, "maxReceiveCount": max_receives})
    await service.registry.create(KEY, {"RedrivePolicy": policy}, {})


@run
async def test_receive_delete_and_attributes(tmp_path: Path) -> None:
    async with Opened(tmp_path / "q.db") as service:
        await _with_queues(service)
        key = service.queue_by_arn(KEY.arn)
        assert key == KEY
        attribute = MessageAttributeValue("Number", "42")
        await service.send(key, [new_message("hello", {"n": attribute})], "sender")
        (message,) = await service.receive(
            key,
            10,
            visibility_timeout=30,
            attribute_names=("All",),
            message_attribute_names=("All",),
        )
        assert message.body == "hello"
        assert message.message_attributes == {"n": attribute}
        assert message.attributes["ApproximateReceiveCount"] == "1"
        assert message.attributes["SenderId"] == "sender"
        assert {"SentTimestamp", "ApproximateFirstReceiveTimestamp"} <= set(message.attributes)
        errors = await service.delete_messages(key, [message.receipt_handle, "nonsense"])
        assert errors[0] is None
        assert isinstance(errors[1], ReceiptHandleIsInvalid)
        assert service.counts(key).visible == 0


@run
async def test_receive_count_and_redrive_apply_to_the_poller(tmp_path: Path) -> None:
    async with Opened(tmp_path / "q.db") as service:
        await _with_queues(service, max_receives=2)
        await service.send(KEY, [new_message("poison")], "sender")
        for _ in range(2):
            (_message,) = await service.receive(KEY, 10, visibility_timeout=0)
        assert await service.receive(KEY, 10) == []
        (dead,) = await service.receive(DLQ, 10, attribute_names=("All",))
        assert dead.body == "poison"
        assert dead.attributes["DeadLetterQueueSourceArn"] == KEY.arn


@run
async def test_change_visibility(tmp_path: Path) -> None:
    async with Opened(tmp_path / "q.db") as service:
        await _with_queues(service)
        await service.send(KEY, [new_message("x")], "s")
        (message,) = await service.receive(KEY, 1, visibility_timeout=300)
        assert await service.receive(KEY, 1) == []
        assert await service.change_visibility(KEY, [(message.receipt_handle, 0)]) == [None]
        (again,) = await service.receive(KEY, 1, attribute_names=("ApproximateReceiveCount",))
        assert again.attributes == {"ApproximateReceiveCount": "2"}


@run
async def test_wait_visible_wakes_on_send_and_times_out(tmp_path: Path) -> None:
    async with Opened(tmp_path / "q.db") as service:
        await _with_queues(service)
        assert await service.wait_visible(KEY, 0.05) is False
        waiter = asyncio.create_task(service.wait_visible(KEY, 30))
        await asyncio.sleep(0)
        await service.send(KEY, [new_message("x")], "s")
        assert await asyncio.wait_for(waiter, 10) is True


@run
async def test_wait_visible_wakes_when_a_message_comes_back(tmp_path: Path) -> None:
    async with Opened(tmp_path / "q.db") as service:
        await _with_queues(service)
        await service.send(KEY, [new_message("x")], "s")
        await service.receive(KEY, 1, visibility_timeout=1)
        assert await asyncio.wait_for(service.wait_visible(KEY, 30), 10) is True


@run
async def test_a_deleted_queue_ends_waits(tmp_path: Path) -> None:
    async with Opened(tmp_path / "q.db") as service:
        await _with_queues(service)
        waiter = asyncio.create_task(service.wait_visible(KEY, 30))
        receiver = asyncio.create_task(service.receive(KEY, 1, wait_seconds=20))
        await asyncio.sleep(0.01)
        await service.remove_queue(KEY)
        with pytest.raises(QueueNotFound):
            await asyncio.wait_for(waiter, 10)
        with pytest.raises(QueueNotFound):
            await asyncio.wait_for(receiver, 10)
        with pytest.raises(QueueNotFound):
            service.queue_by_arn(KEY.arn)


@run
async def test_in_flight_messages_stay_hidden_across_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    async with Opened(path) as service:
        await _with_queues(service)
        await service.send(KEY, [new_message(f"m{i}") for i in range(3)], "s")
        received = await service.receive(KEY, 2, visibility_timeout=600)
        await service.delete_messages(KEY, [received[0].receipt_handle])
    async with Opened(path) as service:
        counts = service.counts(KEY)
        assert (counts.visible, counts.in_flight) == (1, 1)
        # the handle issued before the restart still works
        assert await service.delete_messages(KEY, [received[1].receipt_handle]) == [None]
        (last,) = await service.receive(KEY, 10)
        assert last.body not in (received[0].body, received[1].body)


@run
async def test_shutdown_releases_long_polls(tmp_path: Path) -> None:
    async with Opened(tmp_path / "q.db") as service:
        await _with_queues(service)
        receiver = asyncio.create_task(service.receive(KEY, 1, wait_seconds=20))
        await asyncio.sleep(0.01)
        service.begin_shutdown()
        assert await asyncio.wait_for(receiver, 10) == []
