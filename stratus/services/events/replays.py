"""Replays: archived events sent again to their bus's rules.

https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_StartReplay.html

A replay takes the events of one archive whose ``time`` lies in
[EventStartTime, EventEndTime) and sends them to the rules of the archive's own bus,
all of them or those named in ``Destination.FilterArns``, each event matched against
each rule's pattern as on arrival. Every replayed event carries a top-level
``replay-name`` field, as AWS adds it, so targets (and archives, which skip such events)
can tell it apart.

States: STARTING (StartReplay's answer) -> RUNNING -> COMPLETED, or -> CANCELLING
(CancelReplay) -> CANCELLED; FAILED if the replay cannot go on. The replay advances in
batches: each batch's deliveries and the replay's cursor and ``EventLastReplayedTime``
are committed in one write, so a replay interrupted by a crash resumes after the last
batch it committed, and no event is replayed twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from stratus.services.events.archives import Archives
from stratus.services.events.errors import AlreadyExists, IllegalStatus, Invalid, NotFound
from stratus.services.events.jobs import Jobs
from stratus.services.events.model import Rule
from stratus.services.events.outbox import Delivery
from stratus.services.events.registry import Registry, bus_name_of
from stratus.services.events.repository import EventsRepository
from stratus.services.scope import Scope

__all__ = ["Replay", "Replays"]

log = logging.getLogger(__name__)

KIND = "replay"
BATCH = 100
ACTIVE = ("STARTING", "RUNNING", "CANCELLING")

RuleDeliveries = Callable[[Rule, dict[str, Any], float], list[Delivery]]
Enqueue = Callable[[list[Delivery]], None]


def _epoch(value: Any) -> float:
    if isinstance(value, dt.datetime):
        return value.timestamp()
    return float(value)


@dataclass(slots=True)
class Replay:
    name: str
    arn: str
    archive_arn: str
    destination: dict[str, Any]
    start: float
    end: float
    description: str | None = None
    state: str = "STARTING"
    state_reason: str | None = None
    started: float = 0.0  # ReplayStartTime
    ended: float | None = None  # ReplayEndTime
    last_replayed: float | None = None  # EventLastReplayedTime
    cursor: int = 0  # the last archived event (store order) replayed
    filter_arns: list[str] = field(default_factory=list)

    def to_document(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "arn": self.arn,
            "archive": self.archive_arn,
            "destination": self.destination,
            "start": self.start,
            "end": self.end,
            "description": self.description,
            "state": self.state,
            "reason": self.state_reason,
            "started": self.started,
            "ended": self.ended,
            "last": self.last_replayed,
            "cursor": self.cursor,
        }

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Replay:
        destination = dict(doc.get("destination") or {})
        return cls(
            doc["name"],
            doc["arn"],
            doc["archive"],
            destination,
            doc["start"],
            doc["end"],
            doc.get("description"),
            doc.get("state", "STARTING"),
            doc.get("reason"),
            doc.get("started", 0.0),
            doc.get("ended"),
            doc.get("last"),
            int(doc.get("cursor") or 0),
            list(destination.get("FilterArns") or []),
        )


def replay_arn(scope: Scope, name: str) -> str:
    return f"arn:aws:events:{scope.region}:{scope.account}:replay/{name}"


class Replays:
    def __init__(
        self,
        repository: EventsRepository,
        registry: Registry,
        archives: Archives,
        deliveries_for: RuleDeliveries,
        enqueue: Enqueue,
        jobs: Jobs,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._repository = repository
        self._registry = registry
        self._archives = archives
        self._deliveries_for = deliveries_for
        self._enqueue = enqueue
        self._jobs = jobs
        self._clock = clock
        self.replays: dict[str, Replay] = {}

    def load(self, documents: list[dict[str, Any]]) -> None:
        """Records from the store; replays a crash interrupted go on."""
        for doc in documents:
            replay = Replay.from_document(doc)
            self.replays[replay.arn] = replay
            if replay.state in ACTIVE:
                self._resume(replay)

    def _resume(self, replay: Replay) -> None:
        self._jobs.submit(f"replay {replay.name}", lambda: self._drive(replay))

    def replay(self, scope: Scope, name: str) -> Replay:
        found = self.replays.get(replay_arn(scope, name))
        if found is None:
            raise NotFound(f"Replay {name} does not exist.")
        return found

    async def start(self, scope: Scope, params: dict[str, Any]) -> Replay:
        destination = dict(params["Destination"])
        target = str(destination["Arn"])
        if ":event-bus/" not in target or not target.startswith("arn:"):
            raise Invalid(
                "Parameter Destination.Arn is not valid. Reason: Must contain an event bus ARN."
            )
        bus = self._registry.bus(scope, target)
        source = str(params["EventSourceArn"])
        archive_name = source.rsplit("/", 1)[-1]
        archive = self._archives.archives.get(source) if scope.owns(source) else None
        if archive is None:
            raise Invalid(
                f"Parameter EventSourceArn is not valid. Reason: Archive {archive_name} does not exist."
            )
        if archive.source_arn != bus.arn:
            raise Invalid(
                "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted."
            )
        start, end = _epoch(params["EventStartTime"]), _epoch(params["EventEndTime"])
        if start >= end:
            raise Invalid(
                "Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime."
            )
        for rule_arn in destination.get("FilterArns") or []:
            rule = self._registry.rules.get(rule_arn)
            if rule is None or rule.bus_name != bus.name or not scope.owns(rule_arn):
                raise Invalid(
                    "Parameter Destination.FilterArns is not valid. "
                    "Reason: Rule must be on the destination event bus."
                )
        name = params["ReplayName"]
        arn = replay_arn(scope, name)
        if arn in self.replays:
            raise AlreadyExists(f"Replay {name} already exists.")
        replay = Replay(
            name,
            arn,
            archive.arn,
            destination,
            start,
            end,
            params.get("Description"),
            started=self._clock(),
            filter_arns=list(destination.get("FilterArns") or []),
        )
        await self._repository.put_record(KIND, arn, replay.to_document())
        self.replays[arn] = replay
        self._resume(replay)
        return replay

    async def cancel(self, scope: Scope, name: str) -> Replay:
        replay = self.replay(scope, name)
        if replay.state not in ("STARTING", "RUNNING"):
            raise IllegalStatus(f"Replay {name} is not in a valid state for this operation.")
        replay.state = "CANCELLING"
        await self._repository.put_record(KIND, replay.arn, replay.to_document())
        return replay

    def listing(
        self, scope: Scope, prefix: str | None, source_arn: str | None, state: str | None
    ) -> list[Replay]:
        return sorted(
            (
                r
                for r in self.replays.values()
                if scope.owns(r.arn)
                and r.name.startswith(prefix or "")
                and (source_arn is None or r.archive_arn == source_arn)
                and (state is None or r.state == state)
            ),
            key=lambda r: r.name,
        )

    # -- the replay itself ---------------------------------------------------------------
    def _rules(self, replay: Replay) -> list[Rule]:
        scope = Scope.of_arn(replay.arn) or Scope()
        bus = bus_name_of(str(replay.destination.get("Arn")))
        chosen = set(replay.filter_arns)
        return [
            rule
            for rule in self._registry.rules.values()
            if rule.bus_name == bus
            and scope.owns(rule.arn)
            and rule.arn in self._registry.patterns
            and (not chosen or rule.arn in chosen)
        ]

    async def _drive(self, replay: Replay) -> None:
        if replay.state == "STARTING":
            replay.state = "RUNNING"
            await self._repository.put_record(KIND, replay.arn, replay.to_document())
        while replay.state == "RUNNING":
            batch = await self._repository.archived_events(
                replay.archive_arn, replay.start, replay.end, replay.cursor, BATCH
            )
            if replay.state != "RUNNING":
                break
            if not batch:
                replay.state = "COMPLETED"
                break
            now = self._clock()
            deliveries: list[Delivery] = []
            rules = self._rules(replay)
            for archived in batch:
                event = orjson.loads(archived.event)
                event["replay-name"] = replay.name
                for rule in rules:
                    if self._registry.patterns[rule.arn].matches(event):
                        deliveries.extend(self._deliveries_for(rule, event, now))
                last = archived.time
                replay.last_replayed = max(replay.last_replayed or last, last)
            replay.cursor = batch[-1].seq
            await self._repository.replay_progress(replay.arn, replay.to_document(), deliveries)
            self._enqueue(deliveries)
        if replay.state == "CANCELLING":
            replay.state = "CANCELLED"
        replay.ended = self._clock()
        await self._repository.put_record(KIND, replay.arn, replay.to_document())
        log.info("replay %s %s", replay.name, replay.state.lower())
