"""The TopicsRepository contract: what the topics service relies on, whatever the backend.

Round trips of topics, subscriptions and deliveries (unicode and nested values intact),
the cascades of deleting a topic or a subscription, delivery updates, and durability
across close and reopen. Backends: one factory each in ``TOPICS_BACKENDS``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import pytest

from stratus.services.topics.model import Delivery, Message, Subscription, Topic
from stratus.services.topics.repository import TopicsRepository
from stratus.services.topics.sqlite import MIGRATIONS, SQLiteTopicsRepository
from stratus.store.sqlite.database import SQLiteDatabase

Session = Callable[[], AbstractAsyncContextManager[TopicsRepository]]


def _sqlite(tmp_path: Path) -> Session:
    path = tmp_path / "stratus.db"

    @asynccontextmanager
    async def session() -> AsyncIterator[TopicsRepository]:
        db = SQLiteDatabase(path)
        await db.open({"topics": MIGRATIONS})
        try:
            yield SQLiteTopicsRepository(db)
        finally:
            await db.close()

    return session


TOPICS_BACKENDS = {"sqlite": _sqlite}


@pytest.fixture(params=sorted(TOPICS_BACKENDS))
def session(request: pytest.FixtureRequest, tmp_path: Path) -> Session:
    return TOPICS_BACKENDS[request.param](tmp_path)


TOPIC = Topic(
    "arn:aws:sns:us-east-1:000000000000:t",
    "t",
    "000000000000",
    "us-east-1",
    {"DisplayName": "été ☀"},
    {"k": "v"},
    1.5,
)


def _subscription(name: str) -> Subscription:
    return Subscription(
        f"{TOPIC.arn}:{name}",
        TOPIC.arn,
        "sqs",
        "arn:aws:sqs:us-east-1:000000000000:q",
        "000000000000",
        {"FilterPolicy": '{"a": ["ü"]}'},
        True,
        "token",
        2.0,
    )


def _delivery(subscription: Subscription, number: int) -> Delivery:
    message = Message(
        f"m{number}",
        TOPIC.arn,
        "body ✓",
        {"default": "d", "sqs": "s"},
        None,
        {"n": {"Type": "Number", "Value": "1"}},
        "2026-01-01T00:00:00.000Z",
    )
    return Delivery(f"d{number}", subscription.arn, "Notification", message, 0, 10.0 + number, 1.0)


async def test_round_trip_and_durability(session: Session) -> None:
    subscription = _subscription("s1")
    async with session() as repository:
        await repository.put_topic(TOPIC)
        await repository.put_subscription(subscription)
        await repository.add_deliveries(
            [_delivery(subscription, 1), _delivery(subscription, 2)], TOPIC
        )
    async with session() as repository:
        snapshot = await repository.load()
    assert snapshot.topics == [TOPIC]
    assert snapshot.subscriptions == [subscription]
    assert [d.delivery_id for d in snapshot.deliveries] == ["d1", "d2"]
    assert snapshot.deliveries[0] == _delivery(subscription, 1)


async def test_update_and_delete_delivery(session: Session) -> None:
    subscription = _subscription("s1")
    async with session() as repository:
        await repository.put_topic(TOPIC)
        await repository.put_subscription(subscription)
        first, second = _delivery(subscription, 1), _delivery(subscription, 2)
        await repository.add_deliveries([first, second], None)
        first.attempts, first.due = 3, 99.0
        await repository.update_delivery(first)
        await repository.delete_delivery(second.delivery_id)
        snapshot = await repository.load()
    assert [(d.delivery_id, d.attempts, d.due) for d in snapshot.deliveries] == [("d1", 3, 99.0)]


async def test_deleting_cascades(session: Session) -> None:
    kept, dropped = _subscription("s1"), _subscription("s2")
    async with session() as repository:
        await repository.put_topic(TOPIC)
        await repository.put_subscription(kept)
        await repository.put_subscription(dropped)
        await repository.add_deliveries([_delivery(kept, 1), _delivery(dropped, 2)], None)
        await repository.delete_subscription(dropped.arn)
        snapshot = await repository.load()
        assert [s.arn for s in snapshot.subscriptions] == [kept.arn]
        assert [d.delivery_id for d in snapshot.deliveries] == ["d1"]
        await repository.delete_topic(TOPIC.arn)
        snapshot = await repository.load()
    assert snapshot.topics == [] and snapshot.subscriptions == [] and snapshot.deliveries == []
