"""Buses, rules and targets: kept in memory, written through to the store before any
change is acknowledged, and indexed for matching.

Names and messages follow EventBridge's API reference
(https://docs.aws.amazon.com/eventbridge/latest/APIReference/). The default bus of every
account and region exists without being created.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from stratus.services.events import bus_policy
from stratus.services.events.errors import (
    AlreadyExists,
    Invalid,
    InvalidEventPattern,
    LimitExceeded,
    NotFound,
)
from stratus.services.events.model import Bus, Rule, Target
from stratus.services.events.repository import EventsRepository, Snapshot
from stratus.services.events.transform import check_target_input
from stratus.services.patterns import EventPattern, InvalidPattern
from stratus.services.patterns.index import PatternIndex
from stratus.services.schedules.expressions import ExpressionError, parse_expression
from stratus.services.scope import Scope

DEFAULT_BUS = "default"
MAX_TARGETS = 5

OnSchedule = Callable[[Rule], None]  # plans (before the write) or arms (after) a timer


def bus_arn(scope: Scope, name: str) -> str:
    return f"arn:aws:events:{scope.region}:{scope.account}:event-bus/{name}"


def rule_arn(scope: Scope, bus: str, name: str) -> str:
    path = name if bus == DEFAULT_BUS else f"{bus}/{name}"
    return f"arn:aws:events:{scope.region}:{scope.account}:rule/{path}"


def bus_name_of(value: str | None) -> str:
    """A bus given by name or by ARN, as every operation takes it."""
    if not value:
        return DEFAULT_BUS
    if value.startswith("arn:"):
        return value.rsplit("event-bus/", 1)[-1]
    return value


def compile_pattern(text: str) -> EventPattern:
    try:
        return EventPattern.compile(text)
    except InvalidPattern as error:
        raise InvalidEventPattern(error.message) from None


class Registry:
    def __init__(
        self,
        repository: EventsRepository,
        plan: OnSchedule,
        arm: OnSchedule,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._repository = repository
        self._clock = clock
        self._plan = plan
        self._on_schedule = arm
        self.buses: dict[str, Bus] = {}
        self.rules: dict[str, Rule] = {}
        self.patterns: dict[str, EventPattern] = {}
        self.indexes: dict[str, PatternIndex[str]] = {}
        # A policy change reads the bus's policy, then awaits its write: serialized, so two
        # PutPermission calls at once (an IaC tool's parallel resources) both land.
        self._policy_lock = asyncio.Lock()

    async def load(self) -> None:
        self.restore(await self._repository.load())

    def restore(self, snapshot: Snapshot) -> None:
        for bus in snapshot.buses:
            self.buses[bus.arn] = bus
        for rule in snapshot.rules:
            self._remember(rule)

    # -- buses -------------------------------------------------------------------------
    def bus(self, scope: Scope, name: str | None) -> Bus:
        name = bus_name_of(name)
        arn = bus_arn(scope, name)
        found = self.buses.get(arn)
        if found is None and name == DEFAULT_BUS:
            found = Bus(DEFAULT_BUS, arn)
        if found is None:
            raise NotFound(f"Event bus {name} does not exist.")
        return found

    async def create_bus(
        self, scope: Scope, name: str, description: str | None, tags: dict[str, str]
    ) -> Bus:
        arn = bus_arn(scope, name)
        if name == DEFAULT_BUS or arn in self.buses:
            raise AlreadyExists(f"Event bus {name} already exists.")
        if name.startswith("aws."):
            raise Invalid(f"Event bus name must not start with 'aws.': {name}")
        now = self._clock()
        bus = Bus(name, arn, description, now, now, tags)
        await self._repository.put_bus(bus)
        self.buses[arn] = bus
        return bus

    async def update_bus(self, scope: Scope, name: str | None, description: str | None) -> Bus:
        bus = self.bus(scope, name)
        if bus.arn not in self.buses:  # the implicit default bus becomes a record
            bus.created = self._clock()
        bus.description = description
        bus.modified = self._clock()
        await self._repository.put_bus(bus)
        self.buses[bus.arn] = bus
        return bus

    async def delete_bus(self, scope: Scope, name: str) -> None:
        if name == DEFAULT_BUS:
            raise Invalid("Cannot delete event bus default.")
        arn = bus_arn(scope, name)
        if arn not in self.buses:
            return  # DeleteEventBus is idempotent
        for rule in [r for r in self.rules.values() if r.bus_name == name and scope.owns(r.arn)]:
            await self._repository.delete_rule(rule.arn)
            self._forget(rule)
        await self._repository.delete_bus(arn)
        del self.buses[arn]

    async def put_permission(self, scope: Scope, params: dict[str, Any]) -> Bus:
        """PutPermission: one statement added (or replaced by its id), or a whole policy."""
        async with self._policy_lock:
            return await self._put_permission(scope, params)

    async def _put_permission(self, scope: Scope, params: dict[str, Any]) -> Bus:
        bus = self.bus(scope, params.get("EventBusName"))
        statement_params = ("Action", "Principal", "StatementId", "Condition")
        if params.get("Policy") is not None:
            if any(params.get(name) is not None for name in statement_params):
                raise Invalid(
                    "Parameter Policy cannot be combined with Action, Principal, StatementId "
                    "or Condition."
                )
            policy = bus_policy.checked_document(params["Policy"])
        else:
            for name in statement_params[:3]:
                if not params.get(name):
                    raise Invalid(f"Parameter {name} must be specified.")
            added = bus_policy.statement(
                bus.arn,
                params["StatementId"],
                params["Action"],
                params["Principal"],
                params.get("Condition"),
            )
            policy = bus_policy.with_statement(bus.policy, added)
        return await self._save_policy(bus, policy)

    async def remove_permission(
        self, scope: Scope, name: str | None, statement_id: str | None, remove_all: bool
    ) -> Bus:
        """RemovePermission: one statement by its id, or the whole policy."""
        async with self._policy_lock:
            bus = self.bus(scope, name)
            if remove_all:
                if bus.policy is None:
                    raise NotFound(bus_policy.NO_POLICY)
                return await self._save_policy(bus, None)
            if not statement_id:
                raise Invalid("Parameter StatementId must be specified.")
            remaining = bus_policy.without_statement(bus.policy, statement_id)
            return await self._save_policy(bus, remaining)

    async def _save_policy(self, bus: Bus, policy: str | None) -> Bus:
        """The bus with its new policy, stored before it is seen (a copy until then, so a
        failed write leaves the bus as it was)."""
        now = self._clock()
        created = bus.created if bus.arn in self.buses else now  # the default bus: a record
        updated = Bus(bus.name, bus.arn, bus.description, created, now, dict(bus.tags), policy)
        await self._repository.put_bus(updated)
        self.buses[bus.arn] = updated
        return updated

    def list_buses(self, scope: Scope, prefix: str | None) -> list[Bus]:
        found = [b for b in self.buses.values() if scope.owns(b.arn)]
        if not any(b.name == DEFAULT_BUS for b in found):
            found.append(self.bus(scope, DEFAULT_BUS))
        return sorted((b for b in found if b.name.startswith(prefix or "")), key=lambda b: b.name)

    # -- rules -------------------------------------------------------------------------
    def rule(self, scope: Scope, name: str, bus: str | None) -> Rule:
        bus_name = self.bus(scope, bus).name
        found = self.rules.get(rule_arn(scope, bus_name, name))
        if found is None:
            raise NotFound(f"Rule {name} does not exist on EventBus {bus_name}.")
        return found

    async def put_rule(self, scope: Scope, params: dict[str, Any]) -> Rule:
        bus = self.bus(scope, params.get("EventBusName"))
        pattern_text = params.get("EventPattern")
        schedule = params.get("ScheduleExpression")
        if not pattern_text and not schedule:
            raise Invalid("Parameter(s) EventPattern or ScheduleExpression must be specified.")
        if pattern_text:
            compile_pattern(pattern_text)
        if schedule:
            if bus.name != DEFAULT_BUS:
                raise Invalid("ScheduleExpression is supported only on the default event bus.")
            try:
                parse_expression(schedule, allow_at=False)
            except ExpressionError:
                raise Invalid("Parameter ScheduleExpression is not valid.") from None
        arn = rule_arn(scope, bus.name, params["Name"])
        existing = self.rules.get(arn)
        rule = Rule(
            name=params["Name"],
            bus_name=bus.name,
            arn=arn,
            event_pattern=pattern_text or None,
            schedule=schedule or None,
            state=params.get("State") or (existing.state if existing else "ENABLED"),
            description=params.get("Description"),
            role_arn=params.get("RoleArn"),
            created=existing.created if existing else self._clock(),
            targets=existing.targets if existing else {},
            next_fire=None,
            tags=(existing.tags if existing else {})
            | {t["Key"]: t["Value"] for t in params.get("Tags") or []},
        )
        if schedule and existing is not None and existing.schedule == schedule:
            rule.next_fire = existing.next_fire
        await self._save(rule)
        return rule

    async def set_state(self, scope: Scope, name: str, bus: str | None, state: str) -> None:
        rule = self.rule(scope, name, bus)
        if rule.state == state:
            return
        rule.state = state
        rule.next_fire = None
        await self._save(rule)

    async def delete_rule(self, scope: Scope, name: str, bus: str | None) -> None:
        try:
            rule = self.rule(scope, name, bus)
        except NotFound:
            return  # DeleteRule of a rule that is not there succeeds
        if rule.targets:
            raise Invalid("Rule can't be deleted since it has targets.")
        await self._repository.delete_rule(rule.arn)
        self._forget(rule)

    def list_rules(self, scope: Scope, bus: str | None, prefix: str | None) -> list[Rule]:
        bus_name = self.bus(scope, bus).name
        return sorted(
            (
                r
                for r in self.rules.values()
                if r.bus_name == bus_name and scope.owns(r.arn) and r.name.startswith(prefix or "")
            ),
            key=lambda r: r.name,
        )

    def rules_by_target(self, scope: Scope, bus: str | None, target_arn: str) -> list[Rule]:
        return [
            r
            for r in self.list_rules(scope, bus, None)
            if any(t.arn == target_arn for t in r.targets.values())
        ]

    # -- targets -----------------------------------------------------------------------
    async def put_targets(
        self, scope: Scope, name: str, bus: str | None, targets: list[dict[str, Any]]
    ) -> list[dict[str, str]]:
        rule = self.rule(scope, name, bus)
        for document in targets:
            check_target_input(document)
            arn = str(document["Arn"])
            if ":sqs:" in arn and arn.endswith(".fifo") and not document.get("SqsParameters"):
                raise Invalid(
                    f"Parameter(s) SqsParameters must be specified for target: {document['Id']}."
                )
        merged = dict(rule.targets)
        for document in targets:
            merged[document["Id"]] = Target(document["Id"], document["Arn"], dict(document))
        if len(merged) > MAX_TARGETS:
            raise LimitExceeded("The requested resource exceeds the maximum number allowed.")
        rule.targets = merged
        await self._save(rule)
        return []

    async def remove_targets(
        self, scope: Scope, name: str, bus: str | None, ids: list[str]
    ) -> list[dict[str, str]]:
        rule = self.rule(scope, name, bus)
        rule.targets = {k: v for k, v in rule.targets.items() if k not in ids}
        await self._save(rule)
        return []

    # -- tags --------------------------------------------------------------------------
    def tagged(self, scope: Scope, arn: str) -> Bus | Rule:
        """The bus or rule an ARN names, refused with the same words as its Describe."""
        resource = arn.split(":", 5)[-1] if scope.owns(arn) else ""
        if resource.startswith("event-bus/"):
            return self.bus(scope, resource.removeprefix("event-bus/"))
        if resource.startswith("rule/"):
            bus, _, name = resource.removeprefix("rule/").rpartition("/")
            return self.rule(scope, name, bus or DEFAULT_BUS)
        raise NotFound(f"Resource {arn} does not exist.")

    async def save_tags(self, item: Bus | Rule) -> None:
        if isinstance(item, Rule):
            await self._repository.put_rule(item)
        else:
            await self._repository.put_bus(item)
            self.buses[item.arn] = item  # the implicit default bus becomes a record

    # -- bookkeeping -------------------------------------------------------------------
    async def _save(self, rule: Rule) -> None:
        self._plan(rule)
        await self._repository.put_rule(rule)
        self._remember(rule)

    def _remember(self, rule: Rule) -> None:
        self.rules[rule.arn] = rule
        bus = bus_arn(Scope.of_arn(rule.arn) or Scope(), rule.bus_name)
        index = self.indexes.setdefault(bus, PatternIndex())
        index.discard(rule.arn)
        self.patterns.pop(rule.arn, None)
        if rule.event_pattern and rule.enabled:
            pattern = compile_pattern(rule.event_pattern)
            self.patterns[rule.arn] = pattern
            index.add(rule.arn, pattern)
        self._on_schedule(rule)

    def _forget(self, rule: Rule) -> None:
        self.rules.pop(rule.arn, None)
        self.patterns.pop(rule.arn, None)
        bus = bus_arn(Scope.of_arn(rule.arn) or Scope(), rule.bus_name)
        index = self.indexes.get(bus)
        if index is not None:
            index.discard(rule.arn)
        rule.state = "DISABLED"
        self._on_schedule(rule)

    def matching_rules(self, bus: str, event: dict[str, Any]) -> list[Rule]:
        index = self.indexes.get(bus)
        if index is None:
            return []
        return [self.rules[arn] for arn in index.matching(event)]
