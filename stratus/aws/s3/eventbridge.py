"""S3's events on the owner's default event bus, put in-process by the bus service itself.

S3 is an AWS source (``aws.s3``): a customer's PutEvents may not claim it, so the events
go through :meth:`EventsService.put_events` as a trusted caller rather than through the
public API (which would answer NotAuthorizedForSourceException).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from stratus.services.events.service import EventsService
from stratus.services.scope import Scope


class BusHook:
    """Implements ``services.objects.delivery.EventBridgeHook`` with the bus service."""

    def __init__(self, events: EventsService) -> None:
        self._events = events

    async def put_s3_event(self, account: str, region: str, entry: dict[str, Any]) -> None:
        when = entry.get("Time")
        put: dict[str, Any] = {
            "Source": entry["Source"],
            "DetailType": entry["DetailType"],
            "Resources": entry["Resources"],
            "Detail": json.dumps(entry["Detail"]),
        }
        if isinstance(when, int | float):
            put["Time"] = dt.datetime.fromtimestamp(when, dt.UTC)
        (result,) = await self._events.put_events(Scope(account, region), [put], trusted=True)
        if "ErrorCode" in result:  # retried by the delivery loop
            raise RuntimeError(f"the bus refused the event: {result}")
