"""Schedule expressions, ``at()``, ``rate()`` and ``cron()``, and their next firing.

One engine for EventBridge's scheduled rules (``rate``/``cron``, always UTC) and
EventBridge Scheduler (all three, in ``ScheduleExpressionTimezone``). Times cross this
module as timezone-aware UTC datetimes; cron is evaluated in the schedule's wall clock.

Daylight saving (Scheduler's documented behaviour): a wall time that does not exist (the
hour skipped in spring) fires at the same offset past the change (02:30 becomes 03:30);
a wall time that happens twice (autumn) fires once, the first time.

``rate()``: ``rate(1 minute)``, ``rate(5 minutes)``, units minute(s), hour(s), day(s); a
value of 1 takes the singular, more takes the plural, as AWS requires. A rate counts from
its anchor (the schedule's StartDate, else the moment it was created).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from stratus.services.schedules.cron import CronError, CronExpression, parse_cron

__all__ = [
    "ExpressionError",
    "ScheduleExpression",
    "parse_expression",
    "zone",
]

UTC = dt.UTC
_RATE = re.compile(r"^rate\((\d+) (minutes?|hours?|days?)\)$")
_AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")
_CRON = re.compile(r"^cron\((.*)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


class ExpressionError(ValueError):
    """An expression AWS refuses (the API words the message)."""


def zone(name: str | None) -> ZoneInfo:
    """The IANA timezone ``name`` (UTC when absent); raises ExpressionError."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ExpressionError(f"unknown timezone {name!r}") from error


@dataclass(frozen=True, slots=True)
class ScheduleExpression:
    text: str
    kind: str  # "at" | "rate" | "cron"
    at: dt.datetime | None = None  # naive wall time (at)
    period_s: int | None = None  # rate
    cron: CronExpression | None = None

    def next_after(
        self, after: dt.datetime, tz: ZoneInfo, anchor: dt.datetime
    ) -> dt.datetime | None:
        """The first firing strictly after ``after`` (aware), or None when there is none
        (a past ``at``, a cron whose years ran out)."""
        if self.kind == "at":
            assert self.at is not None
            moment = _aware(self.at, tz)
            return moment if moment > after else None
        if self.kind == "rate":
            assert self.period_s is not None
            if anchor > after:
                return anchor
            elapsed = (after - anchor).total_seconds()
            steps = int(elapsed // self.period_s) + 1
            return anchor + dt.timedelta(seconds=steps * self.period_s)
        assert self.cron is not None
        local = after.astimezone(tz).replace(tzinfo=None)
        while True:
            candidate = self.cron.next_after(local)
            if candidate is None:
                return None
            moment = _aware(candidate, tz)
            if moment > after:
                return moment
            local = candidate  # an ambiguous or skipped wall time: look further

    def upcoming(
        self, after: dt.datetime, tz: ZoneInfo, anchor: dt.datetime, count: int
    ) -> list[dt.datetime]:
        """The next ``count`` firings (fewer if the expression ends)."""
        found: list[dt.datetime] = []
        moment = after
        while len(found) < count:
            following = self.next_after(moment, tz, anchor)
            if following is None:
                break
            found.append(following)
            moment = following
        return found


def _aware(wall: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """A wall time in ``tz`` as UTC; a skipped time is pushed past the gap, an ambiguous
    one takes its first occurrence (fold=0)."""
    local = wall.replace(tzinfo=tz, fold=0)
    utc = local.astimezone(UTC)
    back = utc.astimezone(tz).replace(tzinfo=None)
    if back != wall:  # did not exist: the round trip lands past the gap
        return utc
    return utc


def parse_expression(text: str, *, allow_at: bool = True) -> ScheduleExpression:
    """Parse ``at(...)``, ``rate(...)`` or ``cron(...)``; raises ExpressionError."""
    text = text.strip()
    rate = _RATE.match(text)
    if rate:
        value, unit = int(rate.group(1)), rate.group(2)
        if value < 1:
            raise ExpressionError("rate value must be positive")
        singular = not unit.endswith("s")
        if (value == 1) != singular:
            raise ExpressionError("rate unit must be singular for 1 and plural otherwise")
        return ScheduleExpression(text, "rate", period_s=value * _UNIT_SECONDS[unit.rstrip("s")])
    cron = _CRON.match(text)
    if cron:
        try:
            return ScheduleExpression(text, "cron", cron=parse_cron(cron.group(1)))
        except CronError as error:
            raise ExpressionError(str(error)) from error
    at = _AT.match(text) if allow_at else None
    if at:
        try:
            moment = dt.datetime.strptime(at.group(1), "%Y-%m-%dT%H:%M:%S")
        except ValueError as error:
            raise ExpressionError(str(error)) from error
        return ScheduleExpression(text, "at", at=moment)
    raise ExpressionError(f"not a schedule expression: {text!r}")
