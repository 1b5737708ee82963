"""Logs Insights queries and saved query definitions.

``start`` parses the query at once (a malformed query is refused by StartQuery, as AWS
does) and queues it; ``run`` (a background task) evaluates queued queries, reading the
groups' events a chunk at a time and yielding to the loop between chunks, so a big group
never blocks the server. Queries are rows of ``logs_queries`` (their results once
complete, kept 7 days as AWS keeps them) and definitions rows of
``logs_query_definitions``, each written before the call answers; a query a restart
interrupted runs again from the start.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field, replace

from stratus.services.logs.errors import LimitExceeded, LogGroupNotFound, QueryNotFound
from stratus.services.logs.insights_parse import parse_query
from stratus.services.logs.insights_run import QueryRun, RunStatistics
from stratus.services.logs.repository import StoredLogEvent
from stratus.services.scope import Scope
from stratus.store.sqlite.database import SQLiteDatabase

log = logging.getLogger(__name__)

#: Queries running at once per account and region (AWS's quota: 100 per account).
MAX_CONCURRENT = 100
#: Events read per step; the loop is free between steps.
CHUNK = 2000
#: How long a query and its results are kept (AWS: 7 days).
KEEP_MS = 7 * 24 * 3600 * 1000
_LIVE = ("Scheduled", "Running")

#: (scope, group, after_id, start_ms, end_ms, limit) -> events in store order.
Reader = Callable[[Scope, str, int, int, int, int], Awaitable[list[StoredLogEvent]]]


@dataclass(slots=True)
class QueryState:
    id: str
    scope: Scope
    text: str
    groups: list[str]
    start_ms: int
    end_ms: int
    limit: int
    created_ms: int
    status: str = "Scheduled"
    results: list[list[tuple[str, str]]] = field(default_factory=list)
    statistics: RunStatistics = field(default_factory=lambda: RunStatistics(0, 0, 0))
    finished_ms: int | None = None
    #: Its results are being stored: too late to stop it.
    finishing: bool = False


def _query_row(state: QueryState) -> tuple[str, str, str, int, str]:
    stats = state.statistics
    document = {
        "text": state.text,
        "groups": state.groups,
        "start_ms": state.start_ms,
        "end_ms": state.end_ms,
        "limit": state.limit,
        "status": state.status,
        "results": state.results,
        "statistics": [stats.records_matched, stats.records_scanned, stats.bytes_scanned],
        "finished_ms": state.finished_ms,
    }
    scope = state.scope
    return (state.id, scope.account, scope.region, state.created_ms, json.dumps(document))


def _query_of(row: tuple[str, str, str, int, str]) -> QueryState:
    query_id, account, region, created_ms, text = row
    doc = json.loads(text)
    return QueryState(
        query_id,
        Scope(account, region),
        doc["text"],
        doc["groups"],
        doc["start_ms"],
        doc["end_ms"],
        doc["limit"],
        created_ms,
        doc["status"],
        [[(f, v) for f, v in result] for result in doc["results"]],
        RunStatistics(*doc["statistics"]),
        doc["finished_ms"],
    )


@dataclass(frozen=True, slots=True)
class QueryDefinition:
    id: str
    name: str
    query: str
    groups: list[str]
    modified_ms: int


class InsightsQueries:
    def __init__(
        self, read: Reader, exists: Callable[[Scope, str], bool], db: SQLiteDatabase
    ) -> None:
        self._read = read
        self._exists = exists
        self._db = db
        self._queries: dict[str, QueryState] = {}
        self._waiting: asyncio.Queue[QueryState] = asyncio.Queue()
        self._definitions: dict[Scope, dict[str, QueryDefinition]] = {}

    async def load(self) -> None:
        def read(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
            return list(
                conn.execute("SELECT account, region, document FROM logs_query_definitions")
            )

        for account, region, document in await self._db.read(read):
            definition = QueryDefinition(**json.loads(document))
            self._definitions.setdefault(Scope(account, region), {})[definition.id] = definition
        kept_from = int(time.time() * 1000) - KEEP_MS

        def read_queries(conn: sqlite3.Connection) -> list[tuple[str, str, str, int, str]]:
            conn.execute("DELETE FROM logs_queries WHERE created_ms < ?", (kept_from,))
            return list(conn.execute("SELECT * FROM logs_queries ORDER BY created_ms"))

        for row in await self._db.write(read_queries):
            state = _query_of(row)
            self._queries[state.id] = state
            if state.status in _LIVE:  # interrupted by the restart: run it again
                state.status = "Scheduled"
                self._waiting.put_nowait(state)

    async def _save(self, state: QueryState) -> None:
        row = _query_row(state)
        await self._db.write(
            lambda conn: conn.execute("INSERT OR REPLACE INTO logs_queries VALUES (?,?,?,?,?)", row)
        )

    def _forget_old(self) -> None:
        kept_from = int(time.time() * 1000) - KEEP_MS
        for old in [q.id for q in self._queries.values() if q.created_ms < kept_from]:
            del self._queries[old]

    # -- queries -----------------------------------------------------------------------
    async def start(
        self, scope: Scope, groups: list[str], start_s: int, end_s: int, text: str, limit: int
    ) -> str:
        parse_query(text)
        if not all(self._exists(scope, group) for group in groups):
            raise LogGroupNotFound()
        running = sum(1 for q in self._queries.values() if q.scope == scope and q.status in _LIVE)
        if running >= MAX_CONCURRENT:
            raise LimitExceeded(
                f"Account maximum query concurrency limit of [{MAX_CONCURRENT}] reached."
            )
        state = QueryState(
            str(uuid.uuid4()),
            scope,
            text,
            groups,
            start_s * 1000,
            end_s * 1000 + 999,
            limit,
            int(time.time() * 1000),
        )
        self._forget_old()
        await self._save(state)
        self._queries[state.id] = state
        self._waiting.put_nowait(state)
        return state.id

    def get(self, scope: Scope, query_id: str) -> QueryState:
        state = self._queries.get(query_id)
        if state is None or state.scope != scope:
            raise QueryNotFound()
        return state

    async def stop(self, scope: Scope, query_id: str) -> bool:
        state = self.get(scope, query_id)
        if state.status not in _LIVE or state.finishing:
            return False
        state.status = "Cancelled"
        state.finished_ms = int(time.time() * 1000)
        await self._save(state)
        return True

    def queries(self, scope: Scope) -> list[QueryState]:
        found = [q for q in self._queries.values() if q.scope == scope]
        return sorted(found, key=lambda q: (-q.created_ms, q.id))

    async def run(self) -> None:
        """Evaluate queued queries, a few at once, for as long as the server runs."""
        slots = asyncio.Semaphore(4)
        async with asyncio.TaskGroup() as tasks:
            while True:
                state = await self._waiting.get()
                await slots.acquire()
                tasks.create_task(self._run_one(state, slots))

    async def _run_one(self, state: QueryState, slots: asyncio.Semaphore) -> None:
        try:
            if state.status != "Scheduled":
                return
            state.status = "Running"
            final = await self._evaluate(state)
            if state.status == "Running":  # not cancelled meanwhile
                # Stored first, then shown: a restart never forgets an answered result.
                state.finishing = True
                await self._save(final)
                state.results, state.statistics = final.results, final.statistics
                state.finished_ms, state.status = final.finished_ms, final.status
        except Exception:  # the store failing: this query only
            log.exception("logs insights query %s could not be stored", state.id)
            state.status = "Failed"
        finally:
            slots.release()

    async def _evaluate(self, state: QueryState) -> QueryState:
        """The query's final state, ``Complete`` with its results, or ``Failed``."""
        run = QueryRun(parse_query(state.text), state.limit)
        try:
            for group in state.groups:
                log_name = f"{state.scope.account}:{group}"
                after = 0
                while state.status == "Running":
                    chunk = await self._read(
                        state.scope, group, after, state.start_ms, state.end_ms, CHUNK
                    )
                    run.feed([(event, log_name, group) for event in chunk])
                    state.statistics = run.statistics()
                    if len(chunk) < CHUNK:
                        break
                    after = chunk[-1].id
                    await asyncio.sleep(0)
            results, status = run.finish(), "Complete"
        except Exception:  # a bug of ours: this query only
            log.exception("logs insights query %s failed", state.id)
            results, status = [], "Failed"
        return replace(
            state,
            status=status,
            results=results,
            statistics=run.statistics(),
            finished_ms=int(time.time() * 1000),
        )

    # -- definitions -------------------------------------------------------------------
    async def put_definition(
        self, scope: Scope, name: str, text: str, groups: list[str], definition_id: str | None
    ) -> str:
        current = self._definitions.get(scope, {})
        if definition_id and definition_id not in current:
            raise QueryNotFound("The specified query definition does not exist.")
        definition = QueryDefinition(
            definition_id or str(uuid.uuid4()), name, text, groups, int(time.time() * 1000)
        )
        row = (scope.account, scope.region, definition.id, json.dumps(asdict(definition)))
        await self._db.write(
            lambda conn: conn.execute(
                "INSERT OR REPLACE INTO logs_query_definitions VALUES (?,?,?,?)", row
            )
        )
        self._definitions.setdefault(scope, {})[definition.id] = definition
        return definition.id

    def definitions(self, scope: Scope, prefix: str | None) -> list[QueryDefinition]:
        found = self._definitions.get(scope, {}).values()
        chosen = [d for d in found if not prefix or d.name.startswith(prefix)]
        return sorted(chosen, key=lambda d: (d.name, d.id))

    async def delete_definition(self, scope: Scope, definition_id: str) -> None:
        if definition_id not in self._definitions.get(scope, {}):
            raise QueryNotFound("The specified query definition does not exist.")
        args = (scope.account, scope.region, definition_id)
        await self._db.write(
            lambda conn: conn.execute(
                "DELETE FROM logs_query_definitions WHERE account=? AND region=? AND id=?", args
            )
        )
        del self._definitions[scope][definition_id]
