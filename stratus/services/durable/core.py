"""The durable service's shared core: its state, how events are numbered and an
execution ends, and transitions the service makes itself (committed, then the function
is woken to see them)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Any

from stratus.services.durable import operations as ops
from stratus.services.durable.errors import CallbackClosed
from stratus.services.durable.live import LiveExecution, Started
from stratus.services.durable.model import (
    FAILED,
    SUCCEEDED,
    TIMED_OUT,
    Event,
    Execution,
    Operation,
    execution_operation_id,
    now,
)
from stratus.services.durable.ports import FunctionPort, Target
from stratus.services.durable.repository import DurableStore


class DurableCore:
    """State and transitions every part of the service shares (the scheduler, chained
    invokes, the API operations in ``service.py``)."""

    def __init__(
        self,
        store: DurableStore,
        functions: FunctionPort,
        *,
        limits: ops.PayloadLimits | None = None,
        retry_base_s: float = 0.5,
    ) -> None:
        self._store = store
        self._functions = functions
        self._limits = limits or ops.PayloadLimits()
        self._retry_base_s = retry_base_s
        self._live: dict[str, LiveExecution] = {}
        self._by_name: dict[tuple[str, str], str] = {}
        self._spawn: asyncio.Queue[Callable[[], Any]] = asyncio.Queue()
        self._name_locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._paused = False

    async def _service_change(
        self, live: LiveExecution, op: Operation, change: Callable[[float], Event]
    ) -> None:
        """A transition the service makes (not the function): committed, then the
        function is re-invoked to see it."""
        execution = live.execution
        async with live.lock:
            if execution.terminal or op.get("Status") in ops.CLOSED:
                raise CallbackClosed("The callback has already been closed or has timed out")
            events = self._number(execution, [change(now())])
            if op["Id"] not in execution.updated:
                execution.updated.append(op["Id"])
            await self._store.save(execution, [op], events)
            live.needs_invoke = True
        live.wake.set()

    # -- endings -------------------------------------------------------------------
    def _finish(
        self,
        execution: Execution,
        status: str,
        at: float,
        *,
        result: str | None = None,
        error: dict[str, Any] | None = None,
    ) -> list[Event]:
        """Mark the execution ended; the events that record it."""
        if execution.terminal:
            return []
        execution.status = status
        execution.end = at
        execution.token_live = False
        execution.pause = None
        op = execution.operations.get(execution_operation_id(execution.arn))
        if op is not None:
            op["Status"] = status
            op["EndTimestamp"] = at
        if status == SUCCEEDED:
            execution.result = result or ""
            return [
                ops.event(None, "ExecutionSucceeded", at, {"Result": ops.payload(execution.result)})
            ]
        execution.error = dict(error or {})
        kind = {FAILED: "ExecutionFailed", TIMED_OUT: "ExecutionTimedOut"}.get(
            status, "ExecutionStopped"
        )
        return [ops.event(None, kind, at, {"Error": ops.error_payload(execution.error)})]

    async def _after_terminal(self, live: LiveExecution) -> None:
        execution = live.execution
        live.done.set()
        live.wake.set()
        if execution.parent:
            parent_arn, op_id = execution.parent
            await self._child_done(parent_arn, op_id, execution)

    def _number(self, execution: Execution, events: Iterable[Event]) -> list[Event]:
        numbered = []
        for ev in events:
            ev["EventId"] = execution.next_event_id
            execution.next_event_id += 1
            numbered.append(ev)
        return numbered

    # -- provided by the other parts ------------------------------------------------
    async def start(
        self,
        target: Target,
        payload: bytes,
        *,
        name: str | None = None,
        parent: list[str] | None = None,
        arn: str | None = None,
    ) -> Started:
        raise NotImplementedError

    async def _child_done(self, parent_arn: str, op_id: str, child: Execution) -> None:
        raise NotImplementedError
