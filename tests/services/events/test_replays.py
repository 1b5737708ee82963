"""Replays over a real SQLite store, the job runner in the test's hands: a replay
cancelled before it ran ends CANCELLED having replayed nothing; one interrupted after a
batch resumes from its cursor after a reload (nothing replayed twice). Nothing is
delivered here: the outbox rows are what the dispatcher would send."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path

from stratus.services.events.replays import Replay
from stratus.services.events.service import EventsService
from stratus.services.events.sqlite import MIGRATIONS, SQLiteEventsRepository
from stratus.services.scope import Scope
from stratus.store.sqlite.database import SQLiteDatabase
from tests.services.events.test_scheduled_rules import QUEUE, T0, Clock, _NoCalls


async def _open(path: Path, clock: Clock) -> tuple[SQLiteDatabase, EventsService]:
    db = SQLiteDatabase(path, {})
    await db.open({"events": MIGRATIONS})
    service = EventsService(SQLiteEventsRepository(db), _NoCalls(), clock=clock)
    await service.load()
    return db, service


async def _setup(service: EventsService, events: int) -> str:
    scope = Scope()
    bus = service.registry.bus(scope, None).arn
    archive = await service.archives.create(scope, {"ArchiveName": "a", "EventSourceArn": bus})
    for first in range(0, events, 10):
        entries = [
            {"Source": "app", "DetailType": "t", "Detail": json.dumps({"n": n})}
            for n in range(first, min(first + 10, events))
        ]
        await service.put_events(scope, entries)
    await service.registry.put_rule(scope, {"Name": "r", "EventPattern": '{"source": ["app"]}'})
    await service.registry.put_targets(scope, "r", None, [{"Id": "q", "Arn": QUEUE}])
    return archive.arn


def _start_params(archive_arn: str) -> dict[str, object]:
    return {
        "ReplayName": "again",
        "EventSourceArn": archive_arn,
        "Destination": {"Arn": "arn:aws:events:us-east-1:000000000000:event-bus/default"},
        "EventStartTime": dt.datetime.fromtimestamp(T0 - 60, dt.UTC),
        "EventEndTime": dt.datetime.fromtimestamp(T0 + 60, dt.UTC),
    }


async def _replayed(db: SQLiteDatabase) -> list[int]:
    outbox = await SQLiteEventsRepository(db).load_deliveries()
    return sorted(
        json.loads(d.payload)["detail"]["n"]
        for d in outbox
        if "replay-name" in json.loads(d.payload)
    )


async def _run_jobs(service: EventsService) -> None:
    task = asyncio.create_task(service.jobs.run())
    await asyncio.sleep(0.3)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass


def test_cancelled_before_it_ran(tmp_path: Path) -> None:
    async def scenario() -> None:
        db, service = await _open(tmp_path / "s.db", Clock(T0))
        archive_arn = await _setup(service, 5)
        replay = await service.replays.start(Scope(), _start_params(archive_arn))
        assert replay.state == "STARTING"
        assert (await service.replays.cancel(Scope(), "again")).state == "CANCELLING"
        await _run_jobs(service)
        assert replay.state == "CANCELLED" and replay.ended is not None
        assert await _replayed(db) == []
        await db.close()

    asyncio.run(scenario())


def test_interrupted_replay_resumes_from_its_cursor(tmp_path: Path) -> None:
    async def scenario() -> None:
        clock = Clock(T0)
        db, service = await _open(tmp_path / "s.db", clock)
        archive_arn = await _setup(service, 150)
        replay = await service.replays.start(Scope(), _start_params(archive_arn))
        # What a crash after the first batch leaves: the cursor at event 100, its
        # deliveries committed, the replay RUNNING.
        repository = SQLiteEventsRepository(db)
        batch = await repository.archived_events(archive_arn, 0, T0 + 60, 0, 100)
        stored = Replay.from_document(replay.to_document())
        stored.state, stored.cursor = "RUNNING", batch[-1].seq
        await repository.put_record("replay", stored.arn, stored.to_document())
        await db.close()

        db, service = await _open(tmp_path / "s.db", clock)
        await _run_jobs(service)
        resumed = service.replays.replay(Scope(), "again")
        assert resumed.state == "COMPLETED"
        assert await _replayed(db) == list(range(100, 150))  # the rest, once
        await db.close()

    asyncio.run(scenario())
