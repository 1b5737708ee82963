"""Scheduled rules' durable timers over a real SQLite store, with the clock in the test's
hands: a firing missed while the server was down fires once after the restart (not zero,
not once per missed firing), and one older than the targets' MaximumEventAgeInSeconds
is skipped. Nothing is delivered here: the outbox rows are what a restart would deliver."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any

from stratus.services.events.service import EventsService
from stratus.services.events.sqlite import MIGRATIONS, SQLiteEventsRepository
from stratus.services.scope import Scope
from stratus.store.sqlite.database import SQLiteDatabase

T0 = 1_800_000_000.0  # 2027-01-15T08:00:00Z
QUEUE = "arn:aws:sqs:us-east-1:000000000000:q"


class _NoCalls:
    """The dispatcher never runs here, so no AWS call is made."""

    async def call(
        self,
        service: str,
        operation: str,
        params: dict[str, Any],
        *,
        account_id: str | None = None,
        region: str | None = None,
    ) -> dict[str, Any]:
        raise AssertionError("no delivery expected")


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def _service(path: Path, clock: Clock) -> tuple[SQLiteDatabase, EventsService]:
    db = SQLiteDatabase(path, {})
    await db.open({"events": MIGRATIONS})
    service = EventsService(SQLiteEventsRepository(db), _NoCalls(), clock=clock)
    await service.load()
    return db, service


async def _run_timers(service: EventsService) -> None:
    task = asyncio.create_task(service.timers.run())
    await asyncio.sleep(0.2)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _scenario(path: Path, *, max_age: int, down_for: float) -> tuple[list[Any], float]:
    clock = Clock(T0)
    db, service = await _service(path, clock)
    scope = Scope()
    await service.registry.put_rule(
        scope, {"Name": "tick", "ScheduleExpression": "rate(5 minutes)"}
    )
    await service.registry.put_targets(
        scope,
        "tick",
        None,
        [
            {
                "Id": "q",
                "Arn": QUEUE,
                "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": max_age},
            }
        ],
    )
    rule = next(iter(service.registry.rules.values()))
    assert rule.next_fire == T0 + 300
    await db.close()  # the server goes down
    clock.now = T0 + down_for
    for _ in range(2):  # restart twice: the missed firing is delivered once in all
        db, service = await _service(path, clock)
        await _run_timers(service)
        await db.close()
    db, service = await _service(path, clock)
    deliveries = await SQLiteEventsRepository(db).load_deliveries()
    rule = next(iter(service.registry.rules.values()))
    await db.close()
    return [json.loads(d.payload) for d in deliveries], rule.next_fire or 0.0


def test_missed_firing_fires_once_after_restart(tmp_path: Path) -> None:
    events, next_fire = asyncio.run(_scenario(tmp_path / "a.db", max_age=86400, down_for=1000))
    assert len(events) == 1
    [event] = events
    assert event["detail-type"] == "Scheduled Event" and event["source"] == "aws.events"
    assert event["time"] == "2027-01-15T08:05:00Z"  # the missed firing's own time
    assert event["resources"] == ["arn:aws:events:us-east-1:000000000000:rule/tick"]
    assert next_fire == T0 + 1200  # the next one on the rate's grid after the restart


def test_firing_older_than_event_age_is_skipped(tmp_path: Path) -> None:
    events, next_fire = asyncio.run(_scenario(tmp_path / "b.db", max_age=60, down_for=1000))
    assert events == []
    assert next_fire == T0 + 1200


def test_timer_never_fires_early(tmp_path: Path) -> None:
    events, _ = asyncio.run(_scenario(tmp_path / "c.db", max_age=86400, down_for=299))
    assert events == []
