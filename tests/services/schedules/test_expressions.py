"""AWS's schedule expressions: parsing, refusals, and next firings for tricky cron cases
(L, W, #, ?, wrapping ranges, leap years, daylight saving) computed by hand from a
calendar: 1 January 2026 is a Thursday."""

from __future__ import annotations

import datetime as dt

import pytest

from stratus.services.schedules.expressions import ExpressionError, parse_expression, zone

UTC = dt.UTC


def _t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


NEXT = [
    ("daily", "cron(0 10 * * ? *)", "UTC", "2026-01-01T10:00:00Z", ["2026-01-02T10:00:00Z"]),
    (
        "weekdays",
        "cron(0 18 ? * MON-FRI *)",
        "UTC",
        "2026-01-03T12:00:00Z",
        ["2026-01-05T18:00:00Z", "2026-01-06T18:00:00Z"],
    ),
    (
        "first-of-month",
        "cron(0 8 1 * ? *)",
        "UTC",
        "2026-01-15T00:00:00Z",
        ["2026-02-01T08:00:00Z", "2026-03-01T08:00:00Z"],
    ),
    (
        "every-15-min",
        "cron(0/15 * * * ? *)",
        "UTC",
        "2026-01-01T10:07:00Z",
        ["2026-01-01T10:15:00Z", "2026-01-01T10:30:00Z"],
    ),
    (
        "range-step",
        "cron(5-40/10 9 * * ? *)",
        "UTC",
        "2026-01-01T09:06:00Z",
        [
            "2026-01-01T09:15:00Z",
            "2026-01-01T09:25:00Z",
            "2026-01-01T09:35:00Z",
            "2026-01-02T09:05:00Z",
        ],
    ),
    (
        "last-day",
        "cron(0 0 L * ? *)",
        "UTC",
        "2026-02-10T00:00:00Z",
        ["2026-02-28T00:00:00Z", "2026-03-31T00:00:00Z"],
    ),
    ("last-day-leap", "cron(0 0 L 2 ? *)", "UTC", "2027-03-01T00:00:00Z", ["2028-02-29T00:00:00Z"]),
    (
        "last-weekday",
        "cron(0 0 LW * ? *)",
        "UTC",
        "2026-01-01T00:00:00Z",
        ["2026-01-30T00:00:00Z"],
    ),  # 31 Jan 2026 is a Saturday
    (
        "nearest-weekday-sunday",
        "cron(0 0 15W * ? *)",
        "UTC",
        "2026-02-01T00:00:00Z",
        ["2026-02-16T00:00:00Z"],
    ),  # 15 Feb 2026 is a Sunday -> Monday 16
    (
        "nearest-weekday-first-saturday",
        "cron(0 0 1W * ? *)",
        "UTC",
        "2026-07-15T00:00:00Z",
        ["2026-08-03T00:00:00Z"],
    ),  # 1 Aug 2026 is a Saturday: stays in August, Monday 3
    (
        "last-friday",
        "cron(0 0 ? * 6L *)",
        "UTC",
        "2026-01-01T00:00:00Z",
        ["2026-01-30T00:00:00Z", "2026-02-27T00:00:00Z"],
    ),
    (
        "second-tuesday",
        "cron(0 0 ? * 3#2 *)",
        "UTC",
        "2026-01-01T00:00:00Z",
        ["2026-01-13T00:00:00Z", "2026-02-10T00:00:00Z"],
    ),
    (
        "fifth-monday",
        "cron(0 0 ? * MON#5 *)",
        "UTC",
        "2026-01-01T00:00:00Z",
        ["2026-03-30T00:00:00Z"],
    ),  # January and February 2026 have four Mondays
    ("feb-29", "cron(0 0 29 2 ? *)", "UTC", "2026-01-01T00:00:00Z", ["2028-02-29T00:00:00Z"]),
    (
        "wrapping-days",
        "cron(0 0 ? * FRI-MON *)",
        "UTC",
        "2026-01-06T00:00:00Z",
        [
            "2026-01-09T00:00:00Z",
            "2026-01-10T00:00:00Z",
            "2026-01-11T00:00:00Z",
            "2026-01-12T00:00:00Z",
            "2026-01-16T00:00:00Z",
        ],
    ),
    (
        "months-and-year",
        "cron(0 12 1 JAN,JUL ? 2027)",
        "UTC",
        "2026-05-01T00:00:00Z",
        ["2027-01-01T12:00:00Z", "2027-07-01T12:00:00Z"],
    ),
    ("years-run-out", "cron(0 0 1 1 ? 2020-2025)", "UTC", "2026-01-01T00:00:00Z", []),
    (
        "timezone",
        "cron(0 9 * * ? *)",
        "Europe/Paris",
        "2026-01-01T00:00:00Z",
        ["2026-01-01T08:00:00Z"],
    ),
    # 8 March 2026, New York: 02:00 -> 03:00. 02:30 does not exist and fires at 03:30 EDT.
    (
        "dst-skipped",
        "cron(30 2 * * ? *)",
        "America/New_York",
        "2026-03-08T05:00:00Z",
        ["2026-03-08T07:30:00Z", "2026-03-09T06:30:00Z"],
    ),
    # 1 November 2026, New York: 02:00 -> 01:00. 01:30 happens twice and fires once.
    (
        "dst-repeated",
        "cron(30 1 * * ? *)",
        "America/New_York",
        "2026-11-01T00:00:00Z",
        ["2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"],
    ),
    (
        "rate-minutes",
        "rate(5 minutes)",
        "UTC",
        "2026-01-01T00:07:00Z",
        ["2026-01-01T00:10:00Z", "2026-01-01T00:15:00Z"],
    ),
    ("rate-day", "rate(1 day)", "UTC", "2026-01-01T00:00:00Z", ["2026-01-02T00:00:00Z"]),
    (
        "at",
        "at(2026-06-01T12:00:00)",
        "Asia/Tokyo",
        "2026-01-01T00:00:00Z",
        ["2026-06-01T03:00:00Z"],
    ),
    ("at-past", "at(2025-06-01T12:00:00)", "UTC", "2026-01-01T00:00:00Z", []),
]


@pytest.mark.parametrize(
    ("case", "text", "tz", "after", "expected"), NEXT, ids=[c[0] for c in NEXT]
)
def test_next_firings(case: str, text: str, tz: str, after: str, expected: list[str]) -> None:
    expression = parse_expression(text)
    anchor = _t("2026-01-01T00:00:00Z")
    got = expression.upcoming(_t(after), zone(tz), anchor, len(expected) or 1)
    assert [moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") for moment in got] == expected


BAD = [
    "cron(0 0 * * * *)",  # neither day field is ?
    "cron(0 0 ? * ? *)",  # both are
    "cron(60 0 * * ? *)",  # minute out of range
    "cron(0 24 * * ? *)",
    "cron(0 0 32 * ? *)",
    "cron(0 0 ? * 8 *)",
    "cron(0 0 ? * 2#6 *)",
    "cron(0 0 * 13 ? *)",
    "cron(0 0 * * ? 1969)",
    "cron(0 0 * * ?)",  # five fields
    "cron(*/0 * * * ? *)",
    "rate(0 minutes)",
    "rate(1 minutes)",  # 1 takes the singular
    "rate(2 minute)",
    "rate(5 seconds)",
    "at(2026-13-01T00:00:00)",
    "at(2026-01-01 00:00:00)",
    "every day",
]


@pytest.mark.parametrize("text", BAD)
def test_refused(text: str) -> None:
    with pytest.raises(ExpressionError):
        parse_expression(text)


def test_rules_take_no_at() -> None:
    with pytest.raises(ExpressionError):
        parse_expression("at(2026-01-01T00:00:00)", allow_at=False)


def test_unknown_timezone() -> None:
    with pytest.raises(ExpressionError):
        zone("Mars/Olympus")
