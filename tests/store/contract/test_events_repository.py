"""The EventsRepository and SchedulesRepository contracts: round trips of buses, rules
(with targets), schedules and outbox rows (unicode and nested values intact), the
one-write firings, and durability across close and reopen."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import pytest

from stratus.services.events.model import Bus, Rule, Target
from stratus.services.events.outbox import Delivery
from stratus.services.events.repository import ArchivedEvent, EventsRepository
from stratus.services.events.sqlite import MIGRATIONS, SQLiteEventsRepository
from stratus.services.schedules.model import Group, Schedule
from stratus.services.schedules.repository import SchedulesRepository
from stratus.services.schedules.sqlite import MIGRATIONS as SCHEDULES_MIGRATIONS
from stratus.services.schedules.sqlite import SQLiteSchedulesRepository
from stratus.store.sqlite.database import SQLiteDatabase

Stores = tuple[EventsRepository, SchedulesRepository]
Session = Callable[[], AbstractAsyncContextManager[Stores]]


def _sqlite(tmp_path: Path) -> Session:
    path = tmp_path / "stratus.db"

    @asynccontextmanager
    async def session() -> AsyncIterator[Stores]:
        db = SQLiteDatabase(path)
        await db.open({"events": MIGRATIONS, "schedules": SCHEDULES_MIGRATIONS})
        try:
            yield SQLiteEventsRepository(db), SQLiteSchedulesRepository(db)
        finally:
            await db.close()

    return session


BACKENDS = {"sqlite": _sqlite}


@pytest.fixture(params=sorted(BACKENDS))
def session(request: pytest.FixtureRequest, tmp_path: Path) -> Session:
    return BACKENDS[request.param](tmp_path)


BUS = Bus(
    "orders",
    "arn:aws:events:us-east-1:000000000000:event-bus/orders",
    "café ☕",
    1.0,
    2.0,
    {"k": "v"},
)


def _rule(name: str) -> Rule:
    rule = Rule(
        name,
        "default",
        f"arn:aws:events:us-east-1:000000000000:rule/{name}",
        '{"detail": {"é": ["☀"]}}',
        None,
        "ENABLED",
        "d",
        None,
        3.0,
    )
    rule.targets["t"] = Target(
        "t",
        "arn:aws:sqs:us-east-1:000000000000:q",
        {
            "Id": "t",
            "Arn": "arn:aws:sqs:us-east-1:000000000000:q",
            "InputTransformer": {"InputPathsMap": {"a": "$.detail"}, "InputTemplate": "<a>"},
        },
    )
    return rule


def _delivery(number: int) -> Delivery:
    return Delivery(
        f"d{number}",
        "rule",
        "arn:r",
        "t",
        "arn:aws:sqs:us-east-1:0:q",
        "000000000000",
        "us-east-1",
        '{"ü": [1, {"x": null}]}',
        10.0,
        10.0 + number,
        185,
        86400,
        None,
        None,
        {"event": {"id": "e"}},
    )


async def test_round_trips_and_durability(session: Session) -> None:
    async with session() as (events, _):
        await events.put_bus(BUS)
        await events.put_rule(_rule("a"))
        await events.put_rule(_rule("b"))
        await events.delete_rule(_rule("b").arn)
        await events.add_deliveries([_delivery(2), _delivery(1)])
    async with session() as (events, _):
        snapshot = await events.load()
        assert snapshot.buses == [BUS]
        assert [r.to_document() for r in snapshot.rules] == [_rule("a").to_document()]
        loaded = await events.load_deliveries()
        assert [d.delivery_id for d in loaded] == ["d1", "d2"]  # by due time
        assert loaded[0].to_document() == _delivery(1).to_document()
        changed = loaded[0]
        changed.attempts, changed.due, changed.last_error = 2, 99.0, ("Code", "msg")
        await events.update_delivery(changed)
        await events.delete_delivery("d2")
        await events.delete_bus(BUS.arn)
    async with session() as (events, _):
        [only] = await events.load_deliveries()
        assert only.attempts == 2 and only.last_error == ("Code", "msg")
        assert (await events.load()).buses == []


async def test_firings_write_both_sides(session: Session) -> None:
    group = Group("g", "arn:aws:scheduler:us-east-1:000000000000:schedule-group/g", 1.0, 1.0)
    schedule = Schedule(
        "s",
        "g",
        "arn:aws:scheduler:us-east-1:000000000000:schedule/g/s",
        {"ScheduleExpression": "rate(1 hour)", "Target": {"Arn": "x"}},
        1.0,
        1.0,
        5.0,
    )
    async with session() as (events, schedules):
        await schedules.put_group(group)
        await schedules.put_schedule(schedule, group.arn)
        rule = _rule("tick")
        rule.next_fire = 50.0
        await events.fire_rule(rule, [_delivery(1)])
        schedule.next_fire = 3605.0
        await schedules.fire(schedule, group.arn, [_delivery(2)], delete=False)
    async with session() as (events, schedules):
        assert {d.delivery_id for d in await events.load_deliveries()} == {"d1", "d2"}
        assert (await events.load()).rules[0].next_fire == 50.0
        groups, loaded = await schedules.load()
        assert groups == [group] and loaded[0].next_fire == 3605.0
        await schedules.fire(schedule, group.arn, [_delivery(3)], delete=True)
    async with session() as (events, schedules):
        assert (await schedules.load())[1] == []
        assert len(await events.load_deliveries()) == 3
        await schedules.put_schedule(schedule, group.arn)
        await schedules.delete_group(group.arn, [schedule.arn])
        assert await schedules.load() == ([], [])


ARCHIVE = "arn:aws:events:us-east-1:000000000000:archive/a"


def _archived(moment: float, ingested: float, n: int) -> ArchivedEvent:
    return ArchivedEvent(ARCHIVE, moment, ingested, f'{{"n": {n}, "é": "☀"}}'.encode())


async def test_records_round_trip_by_kind_and_survive_reopen(session: Session) -> None:
    document = {"name": "c", "parameters": {"ApiKeyAuthParameters": {"ApiKeyValue": "ü"}}}
    async with session() as (events, _):
        await events.put_record("connection", "arn:c", document)
        await events.put_record("replay", "arn:r", {"state": "RUNNING"})
        await events.put_record("replay", "arn:r", {"state": "COMPLETED"})
        await events.put_record("archive", "arn:gone", {})
        await events.delete_record("arn:gone")
    async with session() as (events, _):
        records = (await events.load()).records
        assert records == {"connection": [document], "replay": [{"state": "COMPLETED"}]}


async def test_events_and_archive_entries_commit_together(session: Session) -> None:
    async with session() as (events, _):
        await events.commit_events(
            [_delivery(1)], [_archived(100.0, 5.0, 1), _archived(50.0, 6.0, 2)]
        )
        await events.commit_events([], [_archived(200.0, 7.0, 3)])
    async with session() as (events, _):
        assert [d.delivery_id for d in await events.load_deliveries()] == ["d1"]
        stats = await events.archive_statistics(ARCHIVE)
        assert stats.event_count == 3
        assert stats.size_bytes == sum(len(_archived(0, 0, n).event) for n in (1, 2, 3))
        window = await events.archived_events(ARCHIVE, 50.0, 200.0, 0, 10)
        assert [e.event for e in window] == [
            _archived(0, 0, n).event for n in (1, 2)
        ]  # arrival order
        after = await events.archived_events(ARCHIVE, 0.0, 1000.0, window[0].seq, 1)
        assert [e.event for e in after] == [_archived(0, 0, 2).event]  # past the cursor, limited
        by_size = await events.archived_events(ARCHIVE, 0.0, 1000.0, 0, 10, max_bytes=1)
        assert len(by_size) == 1  # a byte budget stops a batch after its first event
        assert await events.purge_archive(ARCHIVE, 6.5) == 2  # ingested before 6.5
        assert (await events.archive_statistics(ARCHIVE)).event_count == 1
        await events.put_record("archive", ARCHIVE, {"name": "a"})
        await events.delete_archive(ARCHIVE)
    async with session() as (events, _):
        assert (await events.archive_statistics(ARCHIVE)).event_count == 0
        assert (await events.load()).records == {}


async def test_replay_progress_writes_state_and_deliveries(session: Session) -> None:
    async with session() as (events, _):
        await events.replay_progress("arn:r", {"cursor": 7}, [_delivery(3)])
    async with session() as (events, _):
        assert (await events.load()).records == {"replay": [{"cursor": 7}]}
        assert [d.delivery_id for d in await events.load_deliveries()] == ["d3"]
