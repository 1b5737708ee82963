"""The scheduler: one driver per running execution invokes the function with the SDK's
envelope, and while the function waits, sleeps until the earliest timer of the log (a
wait's end, a step retry, a callback's timeout or heartbeat, the execution timeout) or
a wake-up (a callback answered, a chained invoke finished). A timer fires only once the
wall clock has reached it: never early. An invocation that fails is retried with growing
delays and replays the log."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson

from stratus.services.durable import operations as ops
from stratus.services.durable.core import DurableCore
from stratus.services.durable.history import page
from stratus.services.durable.invocation import (
    ENVELOPE_PAGE,
    MAX_INVOCATION_FAILURES,
    envelope_op,
    invocation_error,
    read_output,
    timeout_counts,
)
from stratus.services.durable.live import LiveExecution
from stratus.services.durable.model import (
    FAILED,
    PAUSED,
    SUCCEEDED,
    TIMED_OUT,
    checkpoint_token,
    now,
)

log = logging.getLogger(__name__)


class Scheduler(DurableCore):
    # -- the driver ----------------------------------------------------------------
    async def _drive(self, live: LiveExecution) -> None:
        execution = live.execution
        await self._run_until_ended(live)
        if execution.terminal:
            # Ended: served from the store from now on (keeps memory to running ones).
            self._live.pop(execution.arn, None)
            self._by_name.pop((execution.function_arn, execution.name), None)
            self._name_locks.pop((execution.function_arn, execution.name), None)

    async def _run_until_ended(self, live: LiveExecution) -> None:
        execution = live.execution
        while not execution.terminal and not self._paused:
            due = self._next_due(live)
            if (
                execution.status == PAUSED
                or not live.needs_invoke
                or (live.retry_at is not None and live.retry_at > now())
            ):
                timeout = None if due is None else max(0.0, due - now())
                try:
                    async with asyncio.timeout(timeout):
                        await live.wake.wait()
                except TimeoutError:
                    pass
                live.wake.clear()
                await self._fire_timers(live)
                continue
            live.wake.clear()
            await self._invoke(live)

    def _next_due(self, live: LiveExecution) -> float | None:
        execution = live.execution
        times = [execution.start + execution.timeout_s] if timeout_counts(execution) else []
        if live.retry_at is not None:
            times.append(live.retry_at)
        for op in execution.operations.values():
            due = ops.due_at(op)
            if due is not None:
                times.append(due)
        return min(times) if times else None

    async def _fire_timers(self, live: LiveExecution) -> None:
        execution = live.execution
        at = now()
        if live.retry_at is not None and live.retry_at <= at:
            live.retry_at = None
        async with live.lock:
            if execution.terminal:
                return
            if timeout_counts(execution) and at >= execution.start + execution.timeout_s:
                error = {
                    "ErrorType": "Execution.TimedOut",
                    "ErrorMessage": "The durable execution timed out",
                }
                events = self._finish(execution, TIMED_OUT, at, error=error)
                await self._store.save(execution, [], self._number(execution, events))
                fired_terminal = True
            else:
                fired_terminal = False
                events = []
                changed = []
                for op in execution.operations.values():
                    due = ops.due_at(op)
                    if due is None or due > at:
                        continue
                    if op["Type"] == "WAIT":
                        events.append(ops.wait_elapsed(op, at))
                    elif op["Type"] == "STEP":
                        op["Status"] = ops.READY
                    else:  # CALLBACK
                        heartbeat_at = op.get("_heartbeat_at")
                        heartbeat = bool(heartbeat_at and heartbeat_at <= at)
                        events.append(ops.callback_timed_out(op, heartbeat, at))
                    changed.append(op)
                    if op["Id"] not in execution.updated:
                        execution.updated.append(op["Id"])
                if changed:
                    await self._store.save(execution, changed, self._number(execution, events))
                    live.needs_invoke = True
        if fired_terminal:
            await self._after_terminal(live)

    async def _invoke(self, live: LiveExecution) -> None:
        execution = live.execution
        async with live.lock:
            if execution.terminal:
                return
            live.needs_invoke = False
            execution.token_seq += 1
            token = checkpoint_token(execution)
            items = [envelope_op(op) for op in ops.replayed(execution.operations)]
            first, marker = page(items, None, ENVELOPE_PAGE)
            envelope: dict[str, Any] = {
                "DurableExecutionArn": execution.arn,
                "CheckpointToken": token,
                "InitialExecutionState": {"Operations": first},
                "UpdatedOperationIds": list(execution.updated),
            }
            if marker is not None:
                envelope["InitialExecutionState"]["NextMarker"] = marker
            execution.updated = []
            await self._store.save(execution, [], [])  # the token sequence survives a crash
        started = now()
        live.idle.clear()
        try:
            outcome = await self._functions.invoke(
                execution.function_arn, execution.version, orjson.dumps(envelope)
            )
            payload, function_error, request_id = (
                outcome.payload,
                outcome.function_error,
                outcome.request_id,
            )
        except Exception as exc:  # the function is gone, throttled ...: retried
            log.warning("durable invocation of %s failed: %s", execution.arn, exc)
            payload, function_error, request_id = b"", type(exc).__name__, ""
        try:
            await self._invocation_done(live, started, payload, function_error, request_id)
        finally:
            live.idle.set()

    async def _invocation_done(
        self,
        live: LiveExecution,
        started: float,
        payload: bytes,
        function_error: str | None,
        request_id: str,
    ) -> None:
        execution = live.execution
        at = now()
        output = read_output(payload) if function_error is None else None
        completed: dict[str, Any] = {
            "StartTimestamp": started,
            "EndTimestamp": at,
            "RequestId": request_id,
        }
        error: dict[str, Any] | None = None
        if output is None:
            error = invocation_error(payload, function_error)
            completed["Error"] = ops.error_payload(error)
        async with live.lock:
            if execution.terminal:
                # Ended meanwhile (stopped, timed out, or by its own checkpoint).
                await self._store.save(
                    execution,
                    [],
                    self._number(
                        execution, [ops.event(None, "InvocationCompleted", at, completed)]
                    ),
                )
                return
            events = [ops.event(None, "InvocationCompleted", at, completed)]
            if output is None:
                execution.invocation_failures += 1
                if execution.invocation_failures >= MAX_INVOCATION_FAILURES:
                    events.extend(self._finish(execution, FAILED, at, error=error))
                else:
                    delay = self._retry_base_s * 2 ** (execution.invocation_failures - 1)
                    live.retry_at = at + delay
                    live.needs_invoke = True
            else:
                execution.invocation_failures = 0
                status = output.get("Status")
                if status == "SUCCEEDED":
                    result = output.get("Result")
                    if not result and execution.result is not None:
                        result = execution.result
                    events.extend(self._finish(execution, SUCCEEDED, at, result=result or ""))
                elif status == "FAILED":
                    events.extend(
                        self._finish(execution, FAILED, at, error=dict(output.get("Error") or {}))
                    )
                elif status != "PENDING":
                    live.retry_at = at + self._retry_base_s
                    live.needs_invoke = True
                elif execution.updated:
                    live.needs_invoke = True  # something changed while it ran
            await self._store.save(execution, [], self._number(execution, events))
        if execution.terminal:
            await self._after_terminal(live)
