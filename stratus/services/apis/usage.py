"""Usage plans' quota counters: how many requests each API key made through each plan,
per UTC day, and what remains of the plan's quota.

The gateway asks :meth:`UsageLedger.take` for every request an API key makes through a
plan; the answer is False once the key's quota for the current period is spent. Counts
are kept per plan, key and UTC day (``GetUsage`` answers them day by day) and written to
the store before the request goes on, so what a client was counted survives a restart.

Quota periods follow the calendar in UTC, as API Gateway's do: a ``DAY`` starts at
midnight, a ``WEEK`` on Monday, a ``MONTH`` on its first day. ``UpdateUsage`` (the
``/remaining`` replace) grants the key more (or less) for the current period only: the
grant is kept as a difference to the plan's limit, for that period, and lapses with it.
A quota's ``offset`` is subtracted from the limit of the period the plan was created in.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from stratus.services.apis.errors import BadRequest
from stratus.services.apis.rest_model import UsagePlan
from stratus.services.apis.sqlite import SQLiteApiStore

__all__ = ["DayUsage", "UsageLedger", "parse_day", "period_start"]

USED, GRANTS = "usage", "usagegrant"
MAX_DAYS = 90  # the span one GetUsage may ask about


@dataclass(frozen=True, slots=True)
class DayUsage:
    """One entry of ``GetUsage``'s daily log: requests made that day, and what remained of
    the quota at its end (0 where the plan has no quota)."""

    used: int
    remaining: int


def parse_day(text: str, member: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise BadRequest(
            f"Invalid {member}: {text}. The date must be in the format yyyy-MM-dd"
        ) from exc


def period_start(day: dt.date, period: str) -> dt.date:
    """The first day of the quota period that holds ``day``."""
    if period == "WEEK":
        return day - dt.timedelta(days=day.weekday())
    if period == "MONTH":
        return day.replace(day=1)
    return day


def _today() -> dt.date:
    return dt.datetime.fromtimestamp(time.time(), dt.UTC).date()


class UsageLedger:
    """The counters, held in memory (the gateway's hot path reads them) and mirrored to
    the store row by row: ``usage`` documents (plan, key, day -> used) and ``usagegrant``
    documents (plan, key, period -> the difference ``UpdateUsage`` made)."""

    def __init__(self, store: SQLiteApiStore) -> None:
        self._store = store
        self._used: dict[tuple[str, str, str], int] = {}
        self._grants: dict[tuple[str, str, str], int] = {}

    async def load(self) -> None:
        for data in await self._store.load(USED):
            self._used[(data["plan"], data["key"], data["day"])] = int(data["used"])
        for data in await self._store.load(GRANTS):
            self._grants[(data["plan"], data["key"], data["period"])] = int(data["extra"])

    # -- the gateway's side ----------------------------------------------------------------
    async def take(self, plan: UsagePlan, key_id: str) -> bool:
        """Count one request of ``key_id`` through ``plan``, unless its quota for the
        current period is spent (False: refuse it, nothing counted)."""
        today = _today()
        quota = plan.quota or {}
        if quota.get("limit") is not None and self._remaining(plan, key_id, today) <= 0:
            return False
        slot = (plan.id, key_id, today.isoformat())
        used = self._used[slot] = self._used.get(slot, 0) + 1
        await self._store.put(
            USED,
            ":".join(slot),
            {"plan": plan.id, "key": key_id, "day": slot[2], "used": used},
        )
        return True

    # -- the management API's side --------------------------------------------------------
    def daily(self, plan: UsagePlan, key_id: str, start: dt.date, end: dt.date) -> list[DayUsage]:
        """``GetUsage``'s log of one key: ``[used, remaining]`` for each day of the span."""
        out: list[DayUsage] = []
        day = start
        while day <= end:
            used = self._used.get((plan.id, key_id, day.isoformat()), 0)
            remaining = self._remaining(plan, key_id, day) if plan.quota else 0
            out.append(DayUsage(used, max(remaining, 0)))
            day += dt.timedelta(days=1)
        return out

    def current(self, plan: UsagePlan, key_id: str) -> tuple[dt.date, dt.date, DayUsage]:
        """The current period's first day, today, and today's entry."""
        today = _today()
        period = str((plan.quota or {}).get("period") or "DAY")
        return period_start(today, period), today, self.daily(plan, key_id, today, today)[0]

    async def set_remaining(self, plan: UsagePlan, key_id: str, remaining: int) -> None:
        """``UpdateUsage``'s ``replace /remaining``: from now to the end of the current
        period the key may make ``remaining`` more requests."""
        quota = plan.quota or {}
        if quota.get("limit") is None:
            raise BadRequest(f"Usage plan {plan.id} does not have a quota")
        today = _today()
        start = period_start(today, str(quota.get("period") or "DAY"))
        used = self._used_in_period(plan, key_id, start, today)
        extra = remaining - (self._limit(plan, start) - used)
        slot = (plan.id, key_id, start.isoformat())
        self._grants[slot] = extra
        await self._store.put(
            GRANTS,
            ":".join(slot),
            {"plan": plan.id, "key": key_id, "period": slot[2], "extra": extra},
        )

    async def forget(self, plan_id: str) -> None:
        """Drop a deleted plan's counters and grants."""
        for kind, table in ((USED, self._used), (GRANTS, self._grants)):
            for slot in [s for s in table if s[0] == plan_id]:
                del table[slot]
                await self._store.delete(kind, ":".join(slot))

    # -- arithmetic -------------------------------------------------------------------------
    def _used_in_period(self, plan: UsagePlan, key_id: str, start: dt.date, day: dt.date) -> int:
        total = 0
        while start <= day:
            total += self._used.get((plan.id, key_id, start.isoformat()), 0)
            start += dt.timedelta(days=1)
        return total

    def _remaining(self, plan: UsagePlan, key_id: str, day: dt.date) -> int:
        """What is left of the quota at the end of ``day`` (counted so far, for today)."""
        quota = plan.quota or {}
        start = period_start(day, str(quota.get("period") or "DAY"))
        limit = self._limit(plan, start) + self._grants.get((plan.id, key_id, start.isoformat()), 0)
        return limit - self._used_in_period(plan, key_id, start, day)

    @staticmethod
    def _limit(plan: UsagePlan, start: dt.date) -> int:
        """The plan's limit for the period from ``start``, before any UpdateUsage grant."""
        quota = plan.quota or {}
        limit = int(quota.get("limit") or 0)
        if plan.created_date is not None and quota.get("offset"):
            made = dt.datetime.fromtimestamp(plan.created_date, dt.UTC).date()
            if period_start(made, str(quota.get("period") or "DAY")) == start:
                limit -= int(quota["offset"])  # "subtracted ... in the initial time period"
        return limit
