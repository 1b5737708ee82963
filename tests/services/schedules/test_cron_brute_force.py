"""The cron engine against a second, deliberately naive reading of AWS's rules: for random
expressions (lists, ranges, steps, ?, L, LW, nW, nL, n#k) and random start times, the next
firing must be the first day, hour and minute the naive reading accepts."""

from __future__ import annotations

import calendar
import datetime as dt
import random

from stratus.services.schedules.cron import parse_cron


def _aws_weekday(day: dt.date) -> int:
    return (day.weekday() + 1) % 7 + 1  # Sunday 1 ... Saturday 7


def _nearest_weekday(day: dt.date) -> dt.date:
    last = calendar.monthrange(day.year, day.month)[1]
    if day.weekday() == 5:
        return day - dt.timedelta(days=1) if day.day > 1 else day + dt.timedelta(days=2)
    if day.weekday() == 6:
        return day + dt.timedelta(days=1) if day.day < last else day - dt.timedelta(days=2)
    return day


def _day_matches(dom: str, dow: str, day: dt.date) -> bool:
    last = calendar.monthrange(day.year, day.month)[1]
    if dom != "?":
        for part in dom.split(","):
            if part == "L" and day.day == last:
                return True
            if part == "LW" and _nearest_weekday(day.replace(day=last)) == day:
                return True
            if part.endswith("W") and part[:-1].isdigit():
                wanted = int(part[:-1])
                if wanted <= last and _nearest_weekday(day.replace(day=wanted)) == day:
                    return True
            elif part == "*" or (part.isdigit() and int(part) == day.day):
                return True
        return False
    weekday = _aws_weekday(day)
    for part in dow.split(","):
        if part.endswith("L"):
            if weekday == int(part[:-1]) and day.day + 7 > last:
                return True
        elif "#" in part:
            number, nth = (int(x) for x in part.split("#"))
            if weekday == number and (day.day - 1) // 7 == nth - 1:
                return True
        elif part == "*" or int(part) == weekday:
            return True
    return False


def _field(text: str, value: int) -> bool:
    for part in text.split(","):
        base, _, step = part.partition("/")
        if base == "*":
            low, high = 0, 59
        elif "-" in base:
            low, high = (int(x) for x in base.split("-"))
        else:
            low = int(base)
            high = 59 if step else low
        if low <= value <= high and (value - low) % int(step or 1) == 0:
            return True
    return False


def _naive_next(fields: list[str], after: dt.datetime) -> dt.datetime:
    minutes, hours, dom, month, dow, _ = fields
    start = after.replace(second=0) + dt.timedelta(minutes=1)
    day = start.date()
    for _ in range(800):
        if _field(month, day.month) and _day_matches(dom, dow, day):
            first = start if day == start.date() else dt.datetime.combine(day, dt.time())
            for hour in range(first.hour, 24):
                if not _field(hours, hour):
                    continue
                for minute in range(first.minute if hour == first.hour else 0, 60):
                    if _field(minutes, minute):
                        return dt.datetime.combine(day, dt.time(hour, minute))
        day += dt.timedelta(days=1)
    raise AssertionError("no firing within 800 days")


def _random_fields(rng: random.Random) -> list[str]:
    def plain(low: int, high: int) -> str:
        kind = rng.randrange(5)
        if kind == 0:
            return "*"
        if kind == 1:
            return str(rng.randint(low, high))
        if kind == 2:
            a = rng.randint(low, high)
            return f"{a}-{rng.randint(a, high)}"
        if kind == 3:
            return f"{rng.randint(low, high)}/{rng.randint(1, 20)}"
        return ",".join(str(v) for v in sorted(rng.sample(range(low, high + 1), 3)))

    minutes, hours = plain(0, 59), plain(0, 23)
    month = rng.choice(["*", str(rng.randint(1, 12)), "1,4,7,10", "2"])
    if rng.random() < 0.5:
        dom = rng.choice(
            [
                "L",
                "LW",
                f"{rng.randint(1, 31)}W",
                str(rng.randint(1, 31)),
                f"{rng.randint(1, 28)},{rng.randint(1, 31)}",
                "*",
            ]
        )
        dow = "?"
    else:
        dom = "?"
        dow = rng.choice(
            [
                f"{rng.randint(1, 7)}L",
                f"{rng.randint(1, 7)}#{rng.randint(1, 5)}",
                str(rng.randint(1, 7)),
                "*",
                f"{rng.randint(1, 7)},{rng.randint(1, 7)}",
            ]
        )
    return [minutes, hours, dom, month, dow, "*"]


def test_engine_agrees_with_a_naive_reading() -> None:
    rng = random.Random(20261205)
    checked = 0
    for _ in range(300):
        fields = _random_fields(rng)
        expression = parse_cron(" ".join(fields))
        after = dt.datetime(2026, 1, 1) + dt.timedelta(minutes=rng.randrange(3 * 365 * 1440))
        got = expression.next_after(after)
        try:
            expected = _naive_next(fields, after)
        except AssertionError:
            continue  # e.g. 31W in February only: rarer than the naive horizon
        assert got == expected, (fields, after)
        checked += 1
    assert checked > 250
