"""The TopicsRepository contract: what the topics service relies on, whatever the backend.

Round trips of topics, subscriptions and deliveries (unicode and nested values intact),
the cascades of deleting a topic or a subscription, delivery updates, and durability
across close and reopen; platform applications and endpoints (deleting an application
deletes its endpoints), SMS settings and the record of sent messages. Backends: one factory each in ``TOPICS_BACKENDS``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import pytest

from stratus.services.topics.model import (
    Delivery,
    Message,
    PlatformApplication,
    PlatformEndpoint,
    SandboxNumber,
    SentMessage,
    SmsSettings,
    Subscription,
    Topic,
)
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


APPLICATION = PlatformApplication(
    "arn:aws:sns:us-east-1:000000000000:app/GCM/a",
    "a",
    "GCM",
    "000000000000",
    "us-east-1",
    {"PlatformCredential": "clé", "Enabled": "true"},
    3.0,
)


def _endpoint(name: str) -> PlatformEndpoint:
    return PlatformEndpoint(
        f"arn:aws:sns:us-east-1:000000000000:endpoint/GCM/a/{name}",
        APPLICATION.arn,
        {"Enabled": "true", "Token": name, "CustomUserData": "ü"},
        4.0,
    )


def _sent(number: int) -> SentMessage:
    return SentMessage(
        f"m{number}",
        "sms",
        "000000000000",
        "us-east-1",
        "+15550100",
        "texte ✓",
        "2026-01-01T00:00:00.000Z",
        attributes={"AWS.SNS.SMS.SenderID": {"Type": "String", "Value": "S"}},
    )


async def test_mobile_round_trip_and_cascade(session: Session) -> None:
    kept, dropped = _endpoint("e1"), _endpoint("e2")
    async with session() as repository:
        await repository.put_application(APPLICATION)
        await repository.put_endpoint(kept)
        await repository.put_endpoint(dropped)
        await repository.delete_endpoint(dropped.arn)
    async with session() as repository:
        snapshot = await repository.load()
        assert snapshot.applications == [APPLICATION]
        assert snapshot.endpoints == [kept]
        await repository.delete_application(APPLICATION.arn)
        snapshot = await repository.load()
    assert snapshot.applications == [] and snapshot.endpoints == []


async def test_sms_settings_and_sent_messages(session: Session) -> None:
    settings = SmsSettings(
        "000000000000",
        "us-east-1",
        {"DefaultSMSType": "Transactional"},
        ["+15550100"],
        {"+15550111": SandboxNumber("+15550111", "Pending", "en-US", "123456")},
    )
    async with session() as repository:
        await repository.put_sms(settings, _sent(1))
        await repository.add_sent(_sent(2))
        await repository.add_sent(_sent(3))
    async with session() as repository:
        snapshot = await repository.load()
        sent = await repository.sent(0, 2)
        following = await repository.sent(sent[-1][0], 10)
    assert snapshot.sms == [settings]
    assert [m for _, m in sent] == [_sent(1), _sent(2)]
    assert [m for _, m in following] == [_sent(3)]
