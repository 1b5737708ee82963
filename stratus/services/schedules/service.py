"""EventBridge Scheduler: schedule groups, schedules, and their durable firings.

Each enabled schedule keeps its next firing in its record; one timer loop fires it when
that time has come (never early). A firing computes the target's request (the Input with
Scheduler's context attributes filled in) and commits, in one write, the event bus's
outbox rows and the schedule's next firing (or, after its last one with
``ActionAfterCompletion: DELETE``, its deletion). The event bus's dispatcher then
delivers with the target's retry policy and dead-letter queue.

FlexibleTimeWindow: ``OFF`` delivers at the scheduled time; ``FLEXIBLE`` at a random
moment within ``MaximumWindowInMinutes`` after it (the outbox row is due then).

After a restart, a firing missed while the server was down fires once if the target
could still have received it: within the flexible window plus the target's
MaximumEventAgeInSeconds (24 hours by default); older firings are skipped. However many
firings were missed, at most one is made up.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
import uuid
from collections.abc import Callable
from typing import Any

from stratus.services.events.dispatcher import Dispatcher
from stratus.services.events.model import RetryPolicy
from stratus.services.events.outbox import Delivery
from stratus.services.schedules.errors import Conflict, Invalid, NotFound
from stratus.services.schedules.expressions import (
    UTC,
    ExpressionError,
    parse_expression,
    zone,
)
from stratus.services.schedules.model import DEFAULT_GROUP, Group, Schedule
from stratus.services.schedules.repository import SchedulesRepository
from stratus.services.schedules.timers import TimerLoop
from stratus.services.scope import Scope

log = logging.getLogger(__name__)


def group_arn(scope: Scope, name: str) -> str:
    return f"arn:aws:scheduler:{scope.region}:{scope.account}:schedule-group/{name}"


def schedule_arn(scope: Scope, group: str, name: str) -> str:
    return f"arn:aws:scheduler:{scope.region}:{scope.account}:schedule/{group}/{name}"


def _epoch(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.timestamp()
    return float(value)


class SchedulesService:
    def __init__(
        self,
        repository: SchedulesRepository,
        dispatcher: Dispatcher,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._repository = repository
        self._dispatcher = dispatcher
        self._clock = clock
        self.groups: dict[str, Group] = {}
        self.schedules: dict[str, Schedule] = {}
        self.timers = TimerLoop(self._fire, clock)

    async def load(self) -> None:
        groups, schedules = await self._repository.load()
        for group in groups:
            self.groups[group.arn] = group
        for schedule in schedules:
            self.schedules[schedule.arn] = schedule
            self._arm(schedule)

    # -- groups --------------------------------------------------------------------------
    def group(self, scope: Scope, name: str | None) -> Group:
        name = name or DEFAULT_GROUP
        arn = group_arn(scope, name)
        found = self.groups.get(arn)
        if found is None and name == DEFAULT_GROUP:
            found = Group(DEFAULT_GROUP, arn, 0.0, 0.0)
        if found is None:
            raise NotFound(f"Schedule group {name} does not exist.")
        return found

    async def create_group(self, scope: Scope, name: str, tags: dict[str, str]) -> Group:
        arn = group_arn(scope, name)
        if name == DEFAULT_GROUP or arn in self.groups:
            raise Conflict(f"Schedule group {name} already exists.")
        now = self._clock()
        group = Group(name, arn, now, now, tags)
        await self._repository.put_group(group)
        self.groups[arn] = group
        return group

    async def delete_group(self, scope: Scope, name: str) -> None:
        if name == DEFAULT_GROUP:
            raise Invalid("Cannot delete the default schedule group.")
        group = self.group(scope, name)
        members = [s for s in self.schedules.values() if s.group == name and scope.owns(s.arn)]
        await self._repository.delete_group(group.arn, [s.arn for s in members])
        for schedule in members:
            self._forget(schedule)
        del self.groups[group.arn]

    def list_groups(self, scope: Scope, prefix: str | None) -> list[Group]:
        found = [g for g in self.groups.values() if scope.owns(g.arn)]
        found.append(self.group(scope, DEFAULT_GROUP))
        return sorted((g for g in found if g.name.startswith(prefix or "")), key=lambda g: g.name)

    async def save_group_tags(self, group: Group) -> None:
        if group.name == DEFAULT_GROUP:
            raise Invalid("Tags cannot be set on the default schedule group.")
        await self._repository.put_group(group)

    # -- schedules -----------------------------------------------------------------------
    def schedule(self, scope: Scope, name: str, group: str | None) -> Schedule:
        group_name = self.group(scope, group).name
        found = self.schedules.get(schedule_arn(scope, group_name, name))
        if found is None:
            raise NotFound(f"Schedule {name} does not exist.")
        return found

    def list_schedules(
        self, scope: Scope, group: str | None, prefix: str | None, state: str | None
    ) -> list[Schedule]:
        if group is not None:
            self.group(scope, group)
        return sorted(
            (
                s
                for s in self.schedules.values()
                if scope.owns(s.arn)
                and (group is None or s.group == group)
                and s.name.startswith(prefix or "")
                and (state is None or s.settings.get("State", "ENABLED") == state)
            ),
            key=lambda s: (s.group, s.name),
        )

    async def put_schedule(self, scope: Scope, params: dict[str, Any], *, create: bool) -> Schedule:
        group = self.group(scope, params.get("GroupName"))
        arn = schedule_arn(scope, group.name, params["Name"])
        existing = self.schedules.get(arn)
        if create and existing is not None:
            raise Conflict(f"Schedule {params['Name']} already exists.")
        if not create and existing is None:
            raise NotFound(f"Schedule {params['Name']} does not exist.")
        settings = _settings(params)
        now = self._clock()
        schedule = Schedule(
            params["Name"], group.name, arn, settings, existing.created if existing else now, now
        )
        schedule.next_fire = self._next_firing(schedule, now)
        await self._repository.put_schedule(schedule, group.arn)
        self.schedules[arn] = schedule
        self._arm(schedule)
        return schedule

    async def delete_schedule(self, scope: Scope, name: str, group: str | None) -> None:
        schedule = self.schedule(scope, name, group)
        await self._repository.delete_schedule(schedule.arn)
        self._forget(schedule)

    # -- firing --------------------------------------------------------------------------
    def _next_firing(self, schedule: Schedule, after: float) -> float | None:
        if not schedule.enabled:
            return None
        settings = schedule.settings
        expression = parse_expression(settings["ScheduleExpression"])
        tz = zone(settings.get("ScheduleExpressionTimezone"))
        start = settings.get("StartDate")
        end = settings.get("EndDate")
        anchor = dt.datetime.fromtimestamp(start if start is not None else schedule.created, UTC)
        moment_after = after if start is None else max(after, start - 1e-6)
        moment = expression.next_after(dt.datetime.fromtimestamp(moment_after, UTC), tz, anchor)
        if moment is None:
            return None
        due = moment.timestamp()
        if end is not None and due > end:
            return None
        return due

    def _arm(self, schedule: Schedule) -> None:
        live = self.schedules.get(schedule.arn) is schedule
        self.timers.set(schedule.arn, schedule.next_fire if live else None)

    def _forget(self, schedule: Schedule) -> None:
        self.schedules.pop(schedule.arn, None)
        self.timers.set(schedule.arn, None)

    async def _fire(self, arn: str, due: float) -> None:
        schedule = self.schedules.get(arn)
        if schedule is None or not schedule.enabled or schedule.next_fire != due:
            return
        now = self._clock()
        target = schedule.target
        retry = RetryPolicy.of(target.get("RetryPolicy"))
        window = schedule.settings.get("FlexibleTimeWindow") or {}
        flexible_s = (
            60.0 * float(window.get("MaximumWindowInMinutes") or 0)
            if (window.get("Mode") == "FLEXIBLE")
            else 0.0
        )
        deliveries: list[Delivery] = []
        if now - due <= flexible_s + retry.max_age_s:
            deliveries.append(self._delivery(schedule, due, now, retry, flexible_s))
        else:
            log.info("schedule %s missed its firing at %s: skipped (too old)", arn, due)
        schedule.next_fire = self._next_firing(schedule, max(now, due))
        done = schedule.next_fire is None
        delete = done and schedule.settings.get("ActionAfterCompletion") == "DELETE"
        group = group_arn(Scope.of_arn(arn) or Scope(), schedule.group)
        await self._repository.fire(schedule, group, deliveries, delete=delete)
        if delete:
            self._forget(schedule)
        else:
            self._arm(schedule)
        self._dispatcher.enqueue(deliveries)

    def _delivery(
        self, schedule: Schedule, due: float, now: float, retry: RetryPolicy, flexible_s: float
    ) -> Delivery:
        target = schedule.target
        scope = Scope.of_arn(schedule.arn) or Scope()
        execution = str(uuid.uuid4())
        scheduled_time = dt.datetime.fromtimestamp(due, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        payload = str(target.get("Input") or "{}")
        for name, value in (
            ("schedule-arn", schedule.arn),
            ("scheduled-time", scheduled_time),
            ("execution-id", execution),
            ("attempt-number", "1"),
        ):
            payload = payload.replace(f"<aws.scheduler.{name}>", value)
        params: dict[str, Any] = {"group": schedule.group, "deduplication_id": execution}
        group_id = (target.get("SqsParameters") or {}).get("MessageGroupId")
        if group_id:
            params["group_id"] = group_id
        bridge = target.get("EventBridgeParameters")
        if bridge:
            params["detail_type"] = bridge.get("DetailType")
            params["source"] = bridge.get("Source")
        deliver_at = now + random.uniform(0, max(flexible_s - max(now - due, 0.0), 0.0))
        return Delivery(
            delivery_id=execution,
            origin="schedule",
            source_arn=schedule.arn,
            target_id=schedule.name,
            target_arn=str(target["Arn"]),
            account=scope.account,
            region=scope.region,
            payload=payload,
            created=due,
            due=deliver_at,
            max_attempts=retry.max_attempts,
            max_age_s=retry.max_age_s + int(flexible_s),
            dead_letter_arn=(target.get("DeadLetterConfig") or {}).get("Arn"),
            params=params,
        )


def _settings(params: dict[str, Any]) -> dict[str, Any]:
    """CreateSchedule/UpdateSchedule's fields, checked as Scheduler checks them."""
    text = params["ScheduleExpression"]
    try:
        parse_expression(text)
    except ExpressionError:
        raise Invalid(f"Invalid Schedule Expression {text}.") from None
    timezone = params.get("ScheduleExpressionTimezone")
    if timezone is not None:
        try:
            zone(timezone)
        except ExpressionError:
            raise Invalid(f"Invalid Schedule Expression Timezone {timezone}.") from None
    start, end = _epoch(params.get("StartDate")), _epoch(params.get("EndDate"))
    if start is not None and end is not None and end <= start:
        raise Invalid("The EndDate must be after the StartDate.")
    window = params["FlexibleTimeWindow"]
    if window.get("Mode") == "FLEXIBLE" and not window.get("MaximumWindowInMinutes"):
        raise Invalid("MaximumWindowInMinutes must be provided when the mode is FLEXIBLE.")
    if window.get("Mode") == "OFF" and window.get("MaximumWindowInMinutes"):
        raise Invalid("MaximumWindowInMinutes must not be provided when the mode is OFF.")
    target = dict(params["Target"])
    # Scheduler answers with its default retry policy when none was given.
    target["RetryPolicy"] = RetryPolicy.of(target.get("RetryPolicy")).to_api()
    arn = str(target["Arn"])
    if ":sqs:" in arn and arn.endswith(".fifo") and not target.get("SqsParameters"):
        raise Invalid("SqsParameters with MessageGroupId are required for a FIFO queue target.")
    settings: dict[str, Any] = {
        "ScheduleExpression": text,
        "FlexibleTimeWindow": dict(window),
        "Target": target,
        "State": params.get("State") or "ENABLED",
        "ActionAfterCompletion": params.get("ActionAfterCompletion") or "NONE",
    }
    for key in ("ScheduleExpressionTimezone", "Description", "KmsKeyArn"):
        if params.get(key) is not None:
            settings[key] = params[key]
    if start is not None:
        settings["StartDate"] = start
    if end is not None:
        settings["EndDate"] = end
    return settings
