"""GetLogGroupFields and GetLogRecord: the fields Logs Insights discovers in a group's
events (``services/logs/insights_run.event_row``, the same discovery queries use), and
one event by the ``@ptr`` GetQueryResults answers.

A pointer is ours: base64url of ``group NUL event id`` (the store's id), so it names
the event in the caller's account and region, for as long as retention keeps it.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections import Counter

from stratus.aws.context import RequestContext
from stratus.aws.logs.params import Params, group_name
from stratus.services.logs.errors import InvalidParameter, RecordNotFound
from stratus.services.logs.insights_run import event_row, shown
from stratus.services.logs.streams import LogStreams

#: The window GetLogGroupFields searches, before ``time`` (AWS: 15 minutes).
WINDOW_MS = 15 * 60 * 1000
#: Events of the window whose fields are counted at most (the window's first ones).
SAMPLE_EVENTS = 10_000
#: Fields of every event that GetLogGroupFields does not list (a pointer, not a field).
_UNLISTED = frozenset({"@ptr"})
#: Fields GetLogRecord answers in epoch milliseconds, as AWS does.
_TIMES = frozenset({"@timestamp", "@ingestionTime"})


class FieldsApi:
    _streams: LogStreams

    async def get_log_group_fields(self, ctx: RequestContext, params: Params) -> Params:
        group = group_name(params)
        at = params.get("time")
        end_ms = int(at) * 1000 if at is not None else int(time.time() * 1000)
        events = await self._streams.read(
            ctx.scope,
            group,
            start_ms=end_ms - WINDOW_MS,
            end_ms=end_ms,
            limit=SAMPLE_EVENTS,
        )
        counts: Counter[str] = Counter()
        log = f"{ctx.account_id}:{group}"
        for event in events:
            counts.update(k for k in event_row(event, log, group) if k not in _UNLISTED)
        total = len(events)
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        return {
            "logGroupFields": [
                {"name": name, "percent": round(100 * count / total)} for name, count in ranked
            ]
        }

    async def get_log_record(self, ctx: RequestContext, params: Params) -> Params:
        pointer = str(params["logRecordPointer"])
        group, event_id = _pointer(pointer)
        found = await self._streams.read(ctx.scope, group, after_id=event_id - 1, limit=1)
        if not found or found[0].id != event_id:
            raise RecordNotFound()
        row = event_row(found[0], f"{ctx.account_id}:{group}", group)
        return {
            "logRecord": {
                name: str(int(value)) if name in _TIMES else shown(name, value)
                for name, value in row.items()
                if value is not None
            }
        }


def _pointer(text: str) -> tuple[str, int]:
    """The group and event id a ``@ptr`` names (InvalidParameter for anything else)."""
    try:
        raw = base64.urlsafe_b64decode(text.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raw = ""
    group, sep, number = raw.rpartition("\x00")
    if not sep or not group or not number.isdigit() or int(number) < 1:
        raise InvalidParameter("The specified logRecordPointer is not valid.")
    return group, int(number)
