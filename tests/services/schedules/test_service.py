"""The schedules service over a real SQLite store with the clock in the test's hands:
StartDate and EndDate bound the firings, FLEXIBLE windows delay the delivery within the
window, the last firing of an ActionAfterCompletion DELETE schedule removes it, and a
firing missed while down is made up once. Nothing is delivered: the outbox rows are
what the dispatcher would deliver."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from pathlib import Path
from typing import Any

from stratus.services.events.dispatcher import Dispatcher
from stratus.services.events.sender import Sender
from stratus.services.events.sqlite import MIGRATIONS as EVENTS_MIGRATIONS
from stratus.services.events.sqlite import SQLiteEventsRepository
from stratus.services.schedules.service import SchedulesService
from stratus.services.schedules.sqlite import MIGRATIONS, SQLiteSchedulesRepository
from stratus.services.scope import Scope
from stratus.store.sqlite.database import SQLiteDatabase

T0 = 1_800_000_000.0  # 2027-01-15T08:00:00Z
TARGET = {"Arn": "arn:aws:sqs:us-east-1:000000000000:q", "RoleArn": "arn:aws:iam::1:role/r"}


class _NoCalls:
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


class World:
    def __init__(self, path: Path, clock: Clock) -> None:
        self.path, self.clock = path, clock

    async def open(self) -> SchedulesService:
        self.db = SQLiteDatabase(self.path)
        await self.db.open({"events": EVENTS_MIGRATIONS, "schedules": MIGRATIONS})
        self.outbox = SQLiteEventsRepository(self.db)

        async def no_bus(arn: str, event: dict[str, Any], hops: int) -> None:
            raise AssertionError("no bus")

        dispatcher = Dispatcher(self.outbox, Sender(_NoCalls(), no_bus), clock=self.clock)
        service = SchedulesService(SQLiteSchedulesRepository(self.db), dispatcher, clock=self.clock)
        await service.load()
        return service

    async def tick(self, service: SchedulesService, at: float) -> None:
        """Let the timer loop run with the clock at ``at``."""
        self.clock.now = at
        task = asyncio.create_task(service.timers.run())
        await asyncio.sleep(0.1)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _params(**extra: Any) -> dict[str, Any]:
    return {
        "Name": "s",
        "ScheduleExpression": "rate(1 hour)",
        "Target": dict(TARGET),
        "FlexibleTimeWindow": {"Mode": "OFF"},
        **extra,
    }


def test_start_and_end_dates_bound_the_firings(tmp_path: Path) -> None:
    async def scenario() -> None:
        world = World(tmp_path / "a.db", Clock(T0))
        service = await world.open()
        start = dt.datetime.fromtimestamp(T0 + 1800, dt.UTC)
        end = dt.datetime.fromtimestamp(T0 + 1800 + 3600, dt.UTC)
        schedule = await service.put_schedule(
            Scope(),
            _params(StartDate=start, EndDate=end, ActionAfterCompletion="DELETE"),
            create=True,
        )
        assert schedule.next_fire == T0 + 1800  # a rate starts at its StartDate
        await world.tick(service, T0 + 1800)
        assert schedule.next_fire == T0 + 1800 + 3600
        await world.tick(service, T0 + 1800 + 3600)  # the last one: at the EndDate
        assert service.schedules == {}  # ActionAfterCompletion DELETE
        deliveries = await world.outbox.load_deliveries()
        assert sorted(d.created for d in deliveries) == [T0 + 1800, T0 + 5400]
        await world.db.close()
        world2 = World(tmp_path / "a.db", Clock(T0 + 99999))
        again = await world2.open()
        assert again.schedules == {}  # the deletion was durable
        await world2.db.close()

    asyncio.run(scenario())


def test_flexible_window_delays_within_the_window(tmp_path: Path) -> None:
    async def scenario() -> None:
        world = World(tmp_path / "b.db", Clock(T0))
        service = await world.open()
        await service.put_schedule(
            Scope(),
            _params(FlexibleTimeWindow={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 10}),
            create=True,
        )
        await world.tick(service, T0 + 3600)
        [delivery] = await world.outbox.load_deliveries()
        assert T0 + 3600 <= delivery.due <= T0 + 3600 + 600
        assert delivery.created == T0 + 3600
        await world.db.close()

    asyncio.run(scenario())


def test_missed_firings_are_made_up_once(tmp_path: Path) -> None:
    async def scenario() -> None:
        world = World(tmp_path / "c.db", Clock(T0))
        service = await world.open()
        await service.put_schedule(Scope(), _params(), create=True)
        await world.db.close()
        for _ in range(2):  # down for 5 hours, then two restarts
            world = World(tmp_path / "c.db", Clock(T0 + 5 * 3600 + 60))
            service = await world.open()
            await world.tick(service, T0 + 5 * 3600 + 60)
            await world.db.close()
        world = World(tmp_path / "c.db", Clock(T0 + 5 * 3600 + 60))
        service = await world.open()
        [delivery] = await world.outbox.load_deliveries()
        assert delivery.created == T0 + 3600  # the first missed firing, made up once
        [schedule] = service.schedules.values()
        assert schedule.next_fire == T0 + 6 * 3600  # back on the expression's own times
        await world.db.close()

    asyncio.run(scenario())
