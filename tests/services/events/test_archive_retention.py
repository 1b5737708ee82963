"""An archive's RetentionDays over a real SQLite store, with the clock in the test's
hands: events past their retention go at the sweep, younger ones and those of an archive
kept for ever (0 days) stay, and the figures DescribeArchive answers follow."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from stratus.services.events.service import EventsService
from stratus.services.events.sqlite import MIGRATIONS, SQLiteEventsRepository
from stratus.services.scope import Scope
from stratus.store.sqlite.database import SQLiteDatabase
from tests.services.events.test_scheduled_rules import T0, Clock, _NoCalls

DAY = 86400.0


def test_retention_drops_only_expired_events(tmp_path: Path) -> None:
    asyncio.run(_retention(tmp_path / "stratus.db"))


async def _retention(path: Path) -> None:
    clock = Clock(T0)
    db = SQLiteDatabase(path, {})
    await db.open({"events": MIGRATIONS})
    repository = SQLiteEventsRepository(db)
    service = EventsService(repository, _NoCalls(), clock=clock)
    await service.load()
    scope = Scope()
    bus = service.registry.bus(scope, None).arn
    brief = await service.archives.create(
        scope, {"ArchiveName": "brief", "EventSourceArn": bus, "RetentionDays": 2}
    )
    forever = await service.archives.create(
        scope, {"ArchiveName": "forever", "EventSourceArn": bus}
    )

    async def publish(n: int) -> None:
        entry = {"Source": "app", "DetailType": "t", "Detail": json.dumps({"n": n})}
        assert "EventId" in (await service.put_events(scope, [entry]))[0]

    await publish(1)  # day 0
    clock.now = T0 + 1.5 * DAY
    await publish(2)  # day 1.5
    clock.now = T0 + 2.5 * DAY  # the first is past two days, the second is not
    assert await service.archives.expire() == 1
    assert (await service.archives.statistics(brief)).event_count == 1
    assert (await service.archives.statistics(forever)).event_count == 2
    left = await repository.archived_events(brief.arn, 0, T0 + 10 * DAY, 0, 10)
    assert [json.loads(e.event)["detail"]["n"] for e in left] == [2]
    clock.now = T0 + 10 * DAY
    assert await service.archives.expire() == 1
    assert (await service.archives.statistics(brief)).event_count == 0
    assert (await service.archives.statistics(forever)).event_count == 2
    await db.close()
