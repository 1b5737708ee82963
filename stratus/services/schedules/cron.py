"""AWS's six-field cron: ``cron(minutes hours day-of-month month day-of-week year)``.

https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#cron-based and
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html:

- minutes 0-59, hours 0-23, day-of-month 1-31, month 1-12 or JAN-DEC, day-of-week 1-7
  (1 = Sunday) or SUN-SAT, year 1970-2199;
- ``,`` lists, ``-`` ranges, ``*`` all, ``/`` increments (``0/15``, ``*/5``, ``5-40/5``);
- ``?`` in exactly one of day-of-month and day-of-week (one must be ``?``);
- ``L``: the last day of the month (day-of-month), ``nL`` the last weekday ``n`` of the
  month (day-of-week; ``L`` alone is Saturday, the last day of the week);
- ``W``: ``nW`` the weekday (Mon-Fri) nearest day ``n`` in the same month, ``LW`` the
  last weekday of the month;
- ``#``: ``n#k`` the ``k``-th weekday ``n`` of the month (``3#2``: the second Tuesday).

croniter was considered and not used: its ``L``/``W``/``#`` differ from AWS's (its
day-of-week counts Sunday as 0 and it has no ``?``). The parser here is pure and the
search for the next firing jumps by field, so even ``cron(0 0 29 2 ? 2196)`` is found in
a few hundred steps.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

__all__ = ["CronError", "CronExpression", "parse_cron"]

_MONTHS = {
    name: index
    for index, name in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1
    )
}
_DAYS = {
    name: index for index, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], 1)
}
YEAR_MIN, YEAR_MAX = 1970, 2199


class CronError(ValueError):
    """A cron expression AWS refuses; the message says which field."""


@dataclass(frozen=True, slots=True)
class DaySpec:
    """The day fields' special forms, beside the plain sets."""

    last_day: bool = False  # L in day-of-month
    last_weekday: bool = False  # LW
    nearest_weekdays: tuple[int, ...] = ()  # nW
    last_of: tuple[int, ...] = ()  # nL in day-of-week (weekday n, last in month)
    nth_of: tuple[tuple[int, int], ...] = ()  # n#k


@dataclass(frozen=True, slots=True)
class CronExpression:
    text: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int] | None  # None: "?" (day-of-week decides)
    months: frozenset[int]
    weekdays: frozenset[int] | None  # 1..7, Sunday 1; None: "?"
    years: frozenset[int]
    day_spec: DaySpec

    def days_in(self, year: int, month: int) -> set[int]:
        """The days of ``month`` this expression fires on."""
        length = calendar.monthrange(year, month)[1]
        spec = self.day_spec
        chosen: set[int] = set()
        if self.days is not None or spec.last_day or spec.last_weekday or spec.nearest_weekdays:
            chosen.update(day for day in (self.days or ()) if day <= length)
            if spec.last_day:
                chosen.add(length)
            if spec.last_weekday:
                chosen.add(_nearest_weekday(year, month, length, length))
            for day in spec.nearest_weekdays:
                if day <= length:
                    chosen.add(_nearest_weekday(year, month, day, length))
            return chosen
        first_weekday = _aws_weekday(dt.date(year, month, 1))
        for day in range(1, length + 1):
            weekday = (first_weekday + day - 2) % 7 + 1
            if self.weekdays is not None and weekday in self.weekdays:
                chosen.add(day)
        for weekday in spec.last_of:
            last = length
            while (first_weekday + last - 2) % 7 + 1 != weekday:
                last -= 1
            chosen.add(last)
        for weekday, nth in spec.nth_of:
            first = 1 + (weekday - first_weekday) % 7
            day = first + 7 * (nth - 1)
            if day <= length:
                chosen.add(day)
        return chosen

    def next_after(self, moment: dt.datetime) -> dt.datetime | None:
        """The first firing strictly after ``moment`` (a naive local wall time), or
        ``None`` when the years run out."""
        start = moment.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
        year, month = start.year, start.month
        day, hour, minute = start.day, start.hour, start.minute
        years = sorted(y for y in self.years if y >= year)
        for candidate_year in years:
            if candidate_year > year:
                month, day, hour, minute = 1, 1, 0, 0
            for candidate_month in range(month, 13):
                if candidate_month not in self.months:
                    continue
                if candidate_month > month or candidate_year > year:
                    first_day, first_hour, first_minute = 1, 0, 0
                else:
                    first_day, first_hour, first_minute = day, hour, minute
                for candidate_day in sorted(self.days_in(candidate_year, candidate_month)):
                    if candidate_day < first_day:
                        continue
                    same_day = candidate_day == first_day
                    for candidate_hour in sorted(self.hours):
                        if same_day and candidate_hour < first_hour:
                            continue
                        same_hour = same_day and candidate_hour == first_hour
                        for candidate_minute in sorted(self.minutes):
                            if same_hour and candidate_minute < first_minute:
                                continue
                            return dt.datetime(
                                candidate_year,
                                candidate_month,
                                candidate_day,
                                candidate_hour,
                                candidate_minute,
                            )
            year = candidate_year
            month = 1
        return None


def _aws_weekday(date: dt.date) -> int:
    """1 = Sunday ... 7 = Saturday."""
    return (date.weekday() + 1) % 7 + 1


def _nearest_weekday(year: int, month: int, day: int, length: int) -> int:
    """The Monday-Friday day nearest ``day`` without leaving the month (Quartz's ``W``)."""
    weekday = dt.date(year, month, day).weekday()  # Monday 0
    if weekday == 5:  # Saturday: Friday before, or Monday after on the 1st
        return day - 1 if day > 1 else day + 2
    if weekday == 6:  # Sunday: Monday after, or Friday before on the last day
        return day + 1 if day < length else day - 2
    return day


def _number(token: str, low: int, high: int, names: dict[str, int] | None, field: str) -> int:
    upper = token.upper()
    if names and upper in names:
        return names[upper]
    if not token.isdigit():
        raise CronError(f"invalid {field}: {token!r}")
    value = int(token)
    if not low <= value <= high:
        raise CronError(f"{field} out of range: {value}")
    return value


def _values(
    text: str, low: int, high: int, field: str, names: dict[str, int] | None = None
) -> frozenset[int]:
    """A plain field: lists of values, ranges, ``*`` and increments."""
    chosen: set[int] = set()
    for part in text.split(","):
        if not part:
            raise CronError(f"invalid {field}: {text!r}")
        base, _, step_text = part.partition("/")
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) == 0:
                raise CronError(f"invalid increment in {field}: {part!r}")
            step = int(step_text)
        if base == "*":
            first, last = low, high
        elif "-" in base:
            left, _, right = base.partition("-")
            first = _number(left, low, high, names, field)
            last = _number(right, low, high, names, field)
        else:
            first = _number(base, low, high, names, field)
            last = high if step_text else first
        if first <= last:
            chosen.update(range(first, last + 1, step))
        else:  # a range that wraps (FRI-MON, 22-2)
            span = list(range(first, high + 1)) + list(range(low, last + 1))
            chosen.update(span[::step])
    return frozenset(chosen)


def parse_cron(body: str) -> CronExpression:
    """The six fields inside ``cron(...)``; raises CronError."""
    fields = body.split()
    if len(fields) != 6:
        raise CronError("a cron expression has six fields")
    minutes_text, hours_text, dom_text, month_text, dow_text, year_text = fields
    if (dom_text == "?") == (dow_text == "?"):
        raise CronError("exactly one of day-of-month and day-of-week must be '?'")
    days: frozenset[int] | None = None
    weekdays: frozenset[int] | None = None
    last_day = last_weekday = False
    nearest: list[int] = []
    last_of: list[int] = []
    nth_of: list[tuple[int, int]] = []
    if dom_text != "?":
        plain: list[str] = []
        for part in dom_text.upper().split(","):
            if part == "L":
                last_day = True
            elif part == "LW":
                last_weekday = True
            elif part.endswith("W") and part[:-1].isdigit():
                nearest.append(_number(part[:-1], 1, 31, None, "day-of-month"))
            else:
                plain.append(part)
        days = _values(",".join(plain), 1, 31, "day-of-month") if plain else frozenset()
    if dow_text != "?":
        plain = []
        for part in dow_text.upper().split(","):
            if part == "L":
                last_of.append(7)
            elif part.endswith("L"):
                last_of.append(_number(part[:-1], 1, 7, _DAYS, "day-of-week"))
            elif "#" in part:
                left, _, right = part.partition("#")
                nth = _number(right, 1, 5, None, "day-of-week")
                nth_of.append((_number(left, 1, 7, _DAYS, "day-of-week"), nth))
            else:
                plain.append(part)
        weekdays = _values(",".join(plain), 1, 7, "day-of-week", _DAYS) if plain else frozenset()
    return CronExpression(
        text=body,
        minutes=_values(minutes_text, 0, 59, "minutes"),
        hours=_values(hours_text, 0, 23, "hours"),
        days=days,
        months=_values(month_text.upper(), 1, 12, "month", _MONTHS),
        weekdays=weekdays,
        years=_values(year_text, YEAR_MIN, YEAR_MAX, "year"),
        day_spec=DaySpec(last_day, last_weekday, tuple(nearest), tuple(last_of), tuple(nth_of)),
    )
