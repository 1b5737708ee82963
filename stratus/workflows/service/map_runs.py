"""Map Runs: DescribeMapRun, ListMapRuns, UpdateMapRun and a run's child executions.

The interpreter runs a Distributed Map's iterations inside the parent execution and tells
the runner what they did (`interpreter.map_runs`); the runner stores that with each step
(tables ``map_runs`` and ``map_run_executions``). This module reads those records back for
the API, and carries UpdateMapRun to the running execution: the new limits are stored
first (what DescribeMapRun shows, and what a restarted server gives the engine again),
then posted to the runner as an event, so the engine starts more children, or fewer, at
its next step.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from stratus.services.scope import Scope
from stratus.store.records import Record
from stratus.workflows.interpreter import UpdateMapRun
from stratus.workflows.service.errors import InvalidParameter, ResourceNotFound
from stratus.workflows.service.executions import ExecutionManager, decode_page, encode_page
from stratus.workflows.service.names import parse_arn
from stratus.workflows.service.repository import StoredChild, StoredMapRun, WorkflowStore

#: The statuses a child execution can have (the rest of ExecutionStatus matches none).
_CHILD_STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")
#: MapRunExecutionCounts / MapRunItemCounts members counted from the children's statuses.
_COUNTED = {
    "RUNNING": "running",
    "SUCCEEDED": "succeeded",
    "FAILED": "failed",
    "TIMED_OUT": "timedOut",
    "ABORTED": "aborted",
}


@dataclass(frozen=True, slots=True)
class MapRunLimits:
    """UpdateMapRun's values (None: unchanged)."""

    max_concurrency: int | None = None
    tolerated_failure_count: int | None = None
    tolerated_failure_percentage: float | None = None


class MapRunService:
    def __init__(self, store: WorkflowStore, executions: ExecutionManager) -> None:
        self._store = store
        self._executions = executions

    async def get(self, arn: str, scope: Scope) -> StoredMapRun:
        """A Map Run of the caller's account and region."""
        parsed = parse_arn(arn, "mapRun")
        run = await self._store.get_map_run(arn) if parsed.scope == scope else None
        if run is None:
            raise ResourceNotFound(f"Resource not found: '{arn}'")
        return run

    async def counts(self, run: StoredMapRun) -> tuple[Record, Record]:
        """(itemCounts, executionCounts) as DescribeMapRun gives them: children not yet
        started are pending; results are written once the run succeeded."""
        by_status = await self._store.map_run_counts(run.arn)
        total = int(run.record.get("total") or 0)
        total_items = int(run.record.get("totalItems") or 0)
        executions: Record = {"total": total}
        items: Record = {"total": total_items}
        for status, member in _COUNTED.items():
            count, item_count = by_status.get(status, (0, 0))
            executions[member] = count
            items[member] = item_count
        executions["pending"] = total - sum(c for c, _ in by_status.values())
        items["pending"] = total_items - sum(i for _, i in by_status.values())
        written = int(run.record.get("resultsWritten") or 0)
        items["resultsWritten"] = written
        executions["resultsWritten"] = (
            by_status.get("SUCCEEDED", (0, 0))[0] + by_status.get("FAILED", (0, 0))[0]
            if written
            else 0
        )
        waiting, waiting_items = by_status.get("PENDING_REDRIVE", (0, 0))
        executions["pendingRedrive"] = waiting
        items["pendingRedrive"] = waiting_items
        for counts in (items, executions):
            counts["failuresNotRedrivable"] = 0
        return items, executions

    async def list_runs(
        self, execution_arn: str, scope: Scope, limit: int, after: str | None
    ) -> tuple[list[StoredMapRun], str | None]:
        """ListMapRuns: the execution's runs, newest first."""
        parse_arn(execution_arn, "execution")
        await self._executions.describe(execution_arn, scope)  # ExecutionDoesNotExist
        before = decode_page(after) if after else None
        rows = await self._store.list_map_runs(execution_arn, limit + 1, before)
        if len(rows) > limit:
            last = rows[limit - 1]
            return rows[:limit], encode_page(last.start_ms, last.arn)
        return rows, None

    async def update(self, arn: str, scope: Scope, limits: MapRunLimits) -> None:
        """UpdateMapRun: store the new limits of a RUNNING run, then hand them to the
        engine running it."""
        run = await self.get(arn, scope)
        changes: Record = {}
        if limits.max_concurrency is not None:
            changes["maxConcurrency"] = limits.max_concurrency
        if limits.tolerated_failure_count is not None:
            changes["toleratedFailureCount"] = limits.tolerated_failure_count
        if limits.tolerated_failure_percentage is not None:
            changes["toleratedFailurePercentage"] = limits.tolerated_failure_percentage
        if not changes:
            raise InvalidParameter(
                "At least one of the parameters maxConcurrency, toleratedFailurePercentage "
                "or toleratedFailureCount must be provided."
            )
        if not await self._store.update_map_run(arn, changes):
            raise InvalidParameter(f"Map Run is not in RUNNING status: '{arn}'")
        self._executions.post(run.execution_arn, update_event(arn, run.record | changes))

    async def children(
        self,
        map_run_arn: str,
        scope: Scope,
        status: str | None,
        limit: int,
        after: str | None,
        redriven: bool | None,
    ) -> tuple[list[StoredChild], StoredMapRun, str | None]:
        """ListExecutions with ``mapRunArn``: the run's child executions, newest first
        (``redriven``: those a redrive of the run ran again, or never)."""
        run = await self.get(map_run_arn, scope)
        if status is not None and status not in _CHILD_STATUSES:
            return [], run, None
        before = decode_page(after) if after else None
        rows = await self._store.list_children(
            map_run_arn, status, limit + 1, before, redriven=redriven
        )
        if len(rows) > limit:
            last = rows[limit - 1]
            return rows[:limit], run, encode_page(last.start_ms, last.arn)
        return rows, run, None

    async def child(self, arn: str, scope: Scope) -> tuple[StoredChild, StoredMapRun] | None:
        """A child execution of a Map Run (and its run), or None when `arn` names none."""
        parsed = parse_arn(arn, "execution", "express")
        if parsed.scope != scope or "/" not in parsed.parts[0]:
            return None
        child = await self._store.get_child(arn)
        if child is None:
            return None
        run = await self._store.get_map_run(child.map_run_arn)
        return (child, run) if run is not None else None

    async def restore(self, execution_arn: str) -> None:
        """After a restart: the engine takes the limits UpdateMapRun stored (an update
        answered just before the server stopped may not have reached its state yet)."""
        for run in await self._store.running_map_runs(execution_arn):
            self._executions.post(execution_arn, update_event(run.arn, run.record))


def update_event(arn: str, record: Record) -> UpdateMapRun:
    percentage = record.get("toleratedFailurePercentage")
    count = record.get("toleratedFailureCount")
    return UpdateMapRun(
        at=time.time(),
        map_run_arn=arn,
        max_concurrency=int(record.get("maxConcurrency") or 0),
        tolerated_failure_count=None if count is None else int(count),
        tolerated_failure_percentage=None if percentage is None else float(percentage),
    )


def item_processor(definition: str, state_name: str) -> Any:
    """The ItemProcessor (or legacy Iterator) of the Distributed Map state `state_name`
    in a machine's definition, searched through nested Parallel branches and Maps."""
    pending: list[Any] = [json.loads(definition)]
    while pending:
        program = pending.pop(0)
        states = program.get("States") if isinstance(program, dict) else None
        for name, state in (states or {}).items():
            if not isinstance(state, dict):
                continue
            processor = state.get("ItemProcessor") or state.get("Iterator")
            if name == state_name and state.get("Type") == "Map" and processor:
                return processor
            pending.extend(state.get("Branches") or [])
            if processor:
                pending.append(processor)
    return {}
