"""The event bus service: PutEvents, scheduled rules, and the durable delivery behind them.

``put_events`` is also the in-process API other components use to publish (S3's
EventBridge notifications: ``ctx.require(EventsComponent).events.put_events(scope,
entries, trusted=True)``; ``trusted`` lets a service publish ``aws.*`` sources, which
AWS keeps for its own services). Every matched target's delivery is computed and
committed to the outbox before the caller is answered; the dispatcher delivers it.

Scheduled rules keep their next firing in their record. The timer fires a rule when that
time has come (never early) and, in one write, stores its next firing and the deliveries
of the "Scheduled Event". After a restart a firing missed while the server was down
fires once if it is younger than the targets' MaximumEventAgeInSeconds (the event could
still have been delivered), and never more than once however many were missed.

Archives keep what a bus accepts (``archives.py``), in the same write as the deliveries;
replays send it again (``replays.py``); API destinations and their connections make rule
targets of HTTP endpoints (``api_destinations.py``, ``connections.py``,
``http_targets.py``, ``oauth.py``). Global endpoints are records (``endpoints.py``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import orjson

from stratus.services.aws_calls import AwsCaller
from stratus.services.events import api_destinations as api_destination_records
from stratus.services.events import connections as connection_records
from stratus.services.events.api_destinations import ApiDestination, ApiDestinations
from stratus.services.events.archives import Archives
from stratus.services.events.connections import Connection, Connections
from stratus.services.events.dispatcher import Dispatcher
from stratus.services.events.endpoints import Endpoints
from stratus.services.events.envelope import (
    MAX_REQUEST_BYTES,
    EntryError,
    check_entry,
    entries_size,
    make_event,
    scheduled_event,
)
from stratus.services.events.errors import Invalid, NotFound
from stratus.services.events.http_targets import HttpTargets, resolve_http_parameters
from stratus.services.events.jobs import Jobs
from stratus.services.events.model import Rule
from stratus.services.events.oauth import OAuthError, Tokens
from stratus.services.events.outbox import Delivery
from stratus.services.events.registry import Registry
from stratus.services.events.replays import Replays
from stratus.services.events.repository import ArchivedEvent, EventsRepository
from stratus.services.events.sender import ParamMapper, Sender
from stratus.services.events.transform import target_payload
from stratus.services.schedules.expressions import UTC, parse_expression, zone
from stratus.services.schedules.timers import TimerLoop
from stratus.services.scope import Scope

__all__ = ["EventsService"]

log = logging.getLogger(__name__)

#: How many buses one event may cross through bus targets (a loop guard of Stratus's).
MAX_BUS_HOPS = 5
#: How often archives drop events past their retention.
RETENTION_SWEEP_S = 3600.0


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


class EventsService:
    def __init__(
        self,
        repository: EventsRepository,
        calls: AwsCaller,
        *,
        retry_base_s: float = 1.0,
        universal_params: ParamMapper | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._repository = repository
        self._clock = clock
        self._http_client: httpx.AsyncClient | None = None
        self.jobs = Jobs()
        self.registry = Registry(repository, self._plan, self._arm, clock)
        self.archives = Archives(repository, self.registry, clock)
        self.connections = Connections(
            self._store_connection, repository.delete_record, self._authorize, clock
        )
        self.api_destinations = ApiDestinations(
            self._store_api_destination, repository.delete_record, self.connections, clock
        )
        self.endpoints = Endpoints(repository, clock)
        self.tokens = Tokens(self._client, clock)
        self.http_targets = HttpTargets(self.api_destinations, self.tokens, self._client)
        self.sender = Sender(
            calls,
            self._forward,
            universal_params,
            self.http_targets.send,
        )
        self.dispatcher = Dispatcher(
            repository, self.sender, base_delay_s=retry_base_s, clock=clock
        )
        self.replays = Replays(
            repository,
            self.registry,
            self.archives,
            self._rule_deliveries,
            self.dispatcher.enqueue,
            self.jobs,
            clock,
        )
        self.timers = TimerLoop(self._fire, clock)

    async def load(self) -> None:
        snapshot = await self._repository.load()
        self.registry.restore(snapshot)
        records = snapshot.records
        self.archives.load(records.get("archive", []))
        self.connections.load(records.get("connection", []))
        self.api_destinations.load(records.get("api-destination", []))
        self.endpoints.load(records.get("endpoint", []))
        self.replays.load(records.get("replay", []))
        await self.dispatcher.load()

    async def close(self) -> None:
        if self._http_client is not None:
            await self._http_client.aclose()
            self._http_client = None

    def _client(self) -> httpx.AsyncClient:
        """One HTTP client for API destinations and token endpoints: no redirects
        followed, no proxy from the server's environment, timeouts of its own."""
        if self._http_client is None:
            self._http_client = httpx.AsyncClient(
                timeout=httpx.Timeout(5.0),
                follow_redirects=False,
                trust_env=False,
                limits=httpx.Limits(max_connections=64, max_keepalive_connections=0),
            )
        return self._http_client

    # -- connections ---------------------------------------------------------------------
    async def _store_connection(self, connection: Connection) -> None:
        await self._repository.put_record(
            connection_records.KIND, connection.arn, connection.to_document()
        )

    async def _store_api_destination(self, destination: ApiDestination) -> None:
        await self._repository.put_record(
            api_destination_records.KIND, destination.arn, destination.to_document()
        )

    def _authorize(self, connection: Connection) -> None:
        """An OAuth connection's first token, fetched in the background."""

        async def fetch() -> None:
            self.tokens.forget(connection.arn)
            try:
                await self.tokens.token(connection)
            except OAuthError as error:
                await self.connections.authorized(connection, False, error.message)
            else:
                await self.connections.authorized(connection, True, None)

        self.jobs.submit(f"authorize {connection.name}", fetch)

    async def expire_archives(self) -> None:
        """The retention sweep, hourly for as long as the service runs."""
        while True:
            dropped = await self.archives.expire()
            if dropped:
                log.info("archives: %d events past their retention dropped", dropped)
            await asyncio.sleep(RETENTION_SWEEP_S)

    # -- publishing ----------------------------------------------------------------------
    async def put_events(
        self, scope: Scope, entries: list[dict[str, Any]], *, trusted: bool = False
    ) -> list[dict[str, str]]:
        """PutEvents: one result per entry (an EventId or an error), after the matched
        deliveries are committed."""
        if entries_size(entries) > MAX_REQUEST_BYTES:
            raise Invalid("Total size of the entries in the request is over the limit.")
        now = self._clock()
        results: list[dict[str, str]] = []
        deliveries: list[Delivery] = []
        archived: list[ArchivedEvent] = []
        for entry in entries:
            checked = check_entry(entry)
            if isinstance(checked, EntryError):
                results.append({"ErrorCode": checked.code, "ErrorMessage": checked.message})
                continue
            if not trusted and str(entry["Source"]).startswith("aws."):
                results.append(
                    {
                        "ErrorCode": "NotAuthorizedForSourceException",
                        "ErrorMessage": "Not authorized for the source.",
                    }
                )
                continue
            event = make_event(entry, checked, scope.account, scope.region, now)
            try:
                bus = self.registry.bus(scope, entry.get("EventBusName"))
            except NotFound:
                # AWS answers an EventId for a bus that does not exist and drops the
                # event (aws/aws-sdk#186, aws/aws-cli#9186): so does Stratus.
                log.info(
                    "PutEvents to missing bus %s: event %s dropped",
                    entry.get("EventBusName"),
                    event["id"],
                )
            else:
                deliveries.extend(self._deliveries(bus.arn, event, now))
                archived.extend(self.archives.entries(bus.arn, event, now))
            results.append({"EventId": event["id"]})
        await self._commit(deliveries, archived)
        return results

    async def _forward(self, target_bus_arn: str, event: dict[str, Any], hops: int) -> None:
        """A rule's target that is another bus: the same event enters that bus. Rules
        can send an event round a loop of buses (A -> B -> A); after MAX_BUS_HOPS
        crossings it stops there (logged) instead of circling forever."""
        scope = Scope.of_arn(target_bus_arn) or Scope()
        bus = self.registry.bus(scope, target_bus_arn)
        if hops > MAX_BUS_HOPS:
            log.warning(
                "event %s crossed %d buses: not forwarded to %s (a loop?)",
                event.get("id"),
                MAX_BUS_HOPS,
                bus.arn,
            )
            return
        now = self._clock()
        await self._commit(
            self._deliveries(bus.arn, event, now, hops), self.archives.entries(bus.arn, event, now)
        )

    def _deliveries(
        self, bus: str, event: dict[str, Any], now: float, hops: int = 0
    ) -> list[Delivery]:
        found: list[Delivery] = []
        for rule in self.registry.matching_rules(bus, event):
            found.extend(self._rule_deliveries(rule, event, now, hops))
        return found

    def _rule_deliveries(
        self, rule: Rule, event: dict[str, Any], now: float, hops: int = 0
    ) -> list[Delivery]:
        scope = Scope.of_arn(rule.arn) or Scope()
        deliveries = []
        event_text = _dumps(event)
        for target in rule.targets.values():
            retry = target.retry
            params: dict[str, Any] = {}
            if ":event-bus/" in target.arn:
                params["event"] = event
                params["hops"] = hops + 1
            if target.sqs_group_id:
                params["group_id"] = target.sqs_group_id
            if ":api-destination/" in target.arn:
                params["http"] = resolve_http_parameters(
                    target.document.get("HttpParameters"), event
                )
            params["deduplication_id"] = event["id"]
            deliveries.append(
                Delivery(
                    delivery_id=str(uuid.uuid4()),
                    origin="rule",
                    source_arn=rule.arn,
                    target_id=target.target_id,
                    target_arn=target.arn,
                    account=scope.account,
                    region=scope.region,
                    payload=target_payload(target.document, event, rule.arn, rule.name),
                    created=now,
                    due=now,
                    max_attempts=retry.max_attempts,
                    max_age_s=retry.max_age_s,
                    dead_letter_arn=target.dead_letter_arn,
                    dead_letter_body=event_text,
                    params=params,
                )
            )
        return deliveries

    async def _commit(
        self, deliveries: list[Delivery], archived: list[ArchivedEvent] | None = None
    ) -> None:
        if deliveries or archived:
            await self._repository.commit_events(deliveries, archived or [])
            self.dispatcher.enqueue(deliveries)

    # -- scheduled rules -----------------------------------------------------------------
    def _next_firing(self, rule: Rule, after: float) -> float | None:
        assert rule.schedule is not None
        expression = parse_expression(rule.schedule, allow_at=False)
        anchor = dt.datetime.fromtimestamp(rule.created, UTC)
        moment = expression.next_after(dt.datetime.fromtimestamp(after, UTC), zone(None), anchor)
        return moment.timestamp() if moment is not None else None

    def _plan(self, rule: Rule) -> None:
        """Before a rule is stored: its next firing, if it is a running scheduled rule."""
        if rule.schedule and rule.enabled and rule.next_fire is None:
            rule.next_fire = self._next_firing(rule, self._clock())
        elif not rule.schedule or not rule.enabled:
            rule.next_fire = None

    def _arm(self, rule: Rule) -> None:
        live = self.registry.rules.get(rule.arn) is rule and rule.enabled
        self.timers.set(rule.arn, rule.next_fire if live and rule.schedule else None)

    async def _fire(self, arn: str, due: float) -> None:
        rule = self.registry.rules.get(arn)
        if rule is None or not rule.enabled or rule.next_fire != due:
            return
        now = self._clock()
        window = max((t.retry.max_age_s for t in rule.targets.values()), default=86400)
        deliveries: list[Delivery] = []
        if now - due <= window:
            scope = Scope.of_arn(arn) or Scope()
            event = scheduled_event(arn, scope.account, scope.region, due)
            deliveries = self._rule_deliveries(rule, event, now)
        else:
            log.info(
                "scheduled rule %s missed its firing at %s by more than %d s: skipped",
                arn,
                due,
                window,
            )
        rule.next_fire = self._next_firing(rule, max(now, due))
        await self._repository.fire_rule(rule, deliveries)
        self.dispatcher.enqueue(deliveries)
        self._arm(rule)
