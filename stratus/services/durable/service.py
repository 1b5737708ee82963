"""The durable execution service: starts executions, takes checkpoints, answers
callbacks, and drives every running execution (the scheduler).

Each running execution has one driver coroutine (in the supervisor's task group). It
invokes the function with the envelope the SDK expects, and when the function answers
PENDING it sleeps until the earliest timer of the log (a wait's end, a step retry, a
callback's timeout or heartbeat, the execution timeout) or until something wakes it (a
callback answered, a chained invoke finished). A timer fires only once the wall clock
has reached its deadline: never early. Everything the service acknowledges is committed
first (``SQLiteDurableStore.save`` awaits the group commit); after a crash every running
execution is loaded and re-invoked, and the SDK replays its log.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from stratus.services.durable import operations as ops
from stratus.services.durable.errors import (
    AlreadyStarted,
    CallbackClosed,
    Conflict,
    ExecutionComplete,
    ExecutionNotFound,
    InvalidCheckpointToken,
    InvalidUpdate,
    NotDurable,
)
from stratus.services.durable.history import page
from stratus.services.durable.model import (
    FAILED,
    PAUSED,
    RUNNING,
    STOPPED,
    SUCCEEDED,
    TIMED_OUT,
    Event,
    Execution,
    Operation,
    checkpoint_token,
    execution_arn,
    execution_operation_id,
    new_execution_name,
    now,
    read_callback_id,
    read_checkpoint_token,
)
from stratus.services.durable.ports import FunctionPort, Target
from stratus.services.durable.repository import DurableStore

log = logging.getLogger(__name__)

MAX_INVOCATION_FAILURES = 6  # then the execution fails with the last invocation error
ENVELOPE_PAGE = 1000  # operations in the invocation envelope before NextMarker paging


@dataclass(slots=True)
class _Live:
    """In-memory companions of a running execution."""

    execution: Execution
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    done: asyncio.Event = field(default_factory=asyncio.Event)
    needs_invoke: bool = True
    retry_at: float | None = None
    idle: asyncio.Event = field(default_factory=asyncio.Event)  # no invocation running

    def __post_init__(self) -> None:
        self.idle.set()


@dataclass(frozen=True, slots=True)
class Started:
    execution: Execution
    created: bool


class DurableService:
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
        self._live: dict[str, _Live] = {}
        self._by_name: dict[tuple[str, str], str] = {}
        self._spawn: asyncio.Queue[Callable[[], Any]] = asyncio.Queue()
        self._name_locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._paused = False

    # -- lifecycle -----------------------------------------------------------------
    async def load(self) -> None:
        for execution in await self._store.load_running():
            self._adopt(execution)

    def _adopt(self, execution: Execution) -> _Live:
        live = _Live(execution)
        self._live[execution.arn] = live
        self._by_name[(execution.function_arn, execution.name)] = execution.arn
        self._spawn.put_nowait(lambda: self._drive(live))
        for op in execution.operations.values():
            if op["Type"] == "CHAINED_INVOKE" and op.get("Status") == ops.STARTED:
                self._spawn.put_nowait(functools.partial(self._run_chained, live, op["Id"]))
        return live

    async def run(self) -> None:
        """The supervisor: owns every driver and chained-invoke task."""
        async with asyncio.TaskGroup() as group:
            while True:
                job = await self._spawn.get()
                group.create_task(self._guarded(job))

    async def _guarded(self, job: Callable[[], Any]) -> None:
        try:
            await job()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("durable execution task failed")

    def pause(self) -> None:
        self._paused = True

    # -- starting ------------------------------------------------------------------
    async def start(
        self,
        target: Target,
        payload: bytes,
        *,
        name: str | None = None,
        parent: list[str] | None = None,
        arn: str | None = None,
    ) -> Started:
        config = target.durable_config
        if config is None:
            raise NotDurable("The function is not a durable function")
        input_text = payload.decode() if payload else ""
        if name is not None:
            # One start at a time per name: the second one finds the first's execution.
            async with self._name_locks.setdefault((target.function_arn, name), asyncio.Lock()):
                return await self._start(target, input_text, config, name, parent, arn)
        return await self._start(target, input_text, config, name, parent, arn)

    async def _start(
        self,
        target: Target,
        input_text: str,
        config: dict[str, Any],
        name: str | None,
        parent: list[str] | None,
        arn: str | None,
    ) -> Started:
        if name is not None:
            existing = self._by_name.get((target.function_arn, name))
            found = (
                self._live[existing].execution
                if existing in self._live
                else await self._find_by_name(target.function_arn, name)
            )
            if found is not None:
                if found.input_payload != input_text:
                    raise AlreadyStarted(
                        f"Durable execution with name {name} already exists with a different input"
                    )
                return Started(found, False)
        name = name or new_execution_name()
        execution = Execution(
            arn=arn or execution_arn(target.function_arn, target.version, name),
            function_arn=target.function_arn,
            version=target.version,
            name=name,
            input_payload=input_text,
            start=now(),
            timeout_s=int(config.get("ExecutionTimeout") or 86400),
            retention_days=int(config.get("RetentionPeriodInDays") or 30),
            parent=parent,
        )
        op_id = execution_operation_id(execution.arn)
        execution.operations[op_id] = {
            "Id": op_id,
            "Type": "EXECUTION",
            "Status": ops.STARTED,
            "StartTimestamp": execution.start,
            "ExecutionDetails": {"InputPayload": input_text},
        }
        started = ops.event(
            None,
            "ExecutionStarted",
            execution.start,
            {"Input": ops.payload(input_text), "ExecutionTimeout": execution.timeout_s},
        )
        started["Id"] = op_id
        started["Name"] = name
        events = self._number(execution, [started])
        await self._store.save(execution, execution.operations.values(), events)
        self._adopt(execution)
        return Started(execution, True)

    async def _find_by_name(self, function_arn: str, name: str) -> Execution | None:
        return await self._store.find_by_name(function_arn, name)

    async def wait_done(self, arn: str, timeout: float) -> Execution:
        live = self._live.get(arn)
        if live is not None and not live.execution.terminal:
            try:
                async with asyncio.timeout(timeout):
                    await live.done.wait()
            except TimeoutError:
                pass
        return await self.get(arn)

    # -- reading -------------------------------------------------------------------
    async def get(self, arn: str) -> Execution:
        live = self._live.get(arn)
        if live is not None:
            return live.execution
        found = await self._store.get(arn)
        if found is None:
            raise ExecutionNotFound(f"Durable execution not found: {arn}")
        return found

    async def history(self, arn: str) -> list[Event]:
        await self.get(arn)
        return await self._store.events(arn)

    async def list_executions(self, function_arn: str) -> list[dict[str, Any]]:
        records = await self._store.list_by_function(function_arn)
        for record in records:  # the live copy is the newer one
            live = self._live.get(record["arn"])
            if live is not None:
                record.update(live.execution.record())
        return records

    async def list_all(self) -> list[dict[str, Any]]:
        return await self._store.list_all()

    # -- the data plane ------------------------------------------------------------
    def _live_for_token(self, arn: str) -> _Live:
        live = self._live.get(arn)
        if live is None:
            raise InvalidCheckpointToken("Invalid checkpoint token: the execution is not running")
        return live

    async def checkpoint(
        self,
        arn: str,
        token: str,
        updates: list[dict[str, Any]],
        client_token: str | None = None,
    ) -> tuple[str | None, list[Operation]]:
        live = self._live_for_token(arn)
        execution = live.execution
        async with live.lock:
            seq = read_checkpoint_token(token, arn)
            if client_token is not None and execution.client_tokens.get(client_token) == seq:
                # The same checkpoint again (its answer was lost): it was applied once.
                return (checkpoint_token(execution) if execution.token_live else None), []
            if seq != execution.token_seq or not execution.token_live:
                raise InvalidCheckpointToken(
                    "Invalid checkpoint token: the token is stale or was already used"
                )
            at = now()
            self._validate(execution, updates)
            applied = ops.apply_updates(execution, updates, at)
            for op_id in applied.invokes:
                applied.events.extend(self._prepare_chained(execution, op_id, at))
            execution.token_seq += 1
            if client_token is not None:
                execution.client_tokens[client_token] = seq
            changed = list(applied.changed)
            for op_id in execution.updated:
                if op_id not in changed:
                    changed.append(op_id)
            execution.updated = []
            if applied.terminal is not None:
                applied.events.extend(
                    self._finish(
                        execution,
                        applied.terminal,
                        at,
                        result=execution.result,
                        error=execution.error,
                    )
                )
            events = self._number(execution, applied.events)
            touched = [execution.operations[i] for i in changed if i in execution.operations]
            await self._store.save(execution, touched, events)
            answer = [ops.public(op) for op in touched]
        for op_id in applied.invokes:
            self._spawn.put_nowait(functools.partial(self._run_chained, live, op_id))
        if execution.terminal:
            await self._after_terminal(live)
        live.wake.set()
        return (checkpoint_token(execution) if execution.token_live else None), answer

    def _validate(self, execution: Execution, updates: list[dict[str, Any]]) -> None:
        """Every update of the batch checked before any is applied: a refused batch
        changes nothing."""
        batch: dict[str, str] = {}  # operations this batch creates: id -> type

        def kind_of(op_id: str) -> str | None:
            existing = execution.operations.get(op_id)
            return existing["Type"] if existing is not None else batch.get(op_id)

        for update in updates:
            op_id = update["Id"]
            kind = kind_of(op_id)
            existing = execution.operations.get(op_id)
            if kind is not None and kind != update["Type"]:
                raise InvalidUpdate(
                    f"Operation {op_id} is a {kind} operation, not {update['Type']}"
                )
            if (
                existing is not None
                and existing.get("Status") in ops.CLOSED
                and update["Type"] != "EXECUTION"
            ):
                raise InvalidUpdate(f"Operation {op_id} is already completed")
            parent = update.get("ParentId")
            if parent is not None and kind_of(parent) is None:
                raise InvalidUpdate(f"Parent operation {parent} does not exist")
            if update["Action"] not in ops.ACTIONS[update["Type"]]:
                raise InvalidUpdate(
                    f"Action {update['Action']} is not valid for operation type {update['Type']}"
                )
            body = update.get("Payload")
            if (
                body is not None
                and update["Type"] != "EXECUTION"
                and len(body.encode()) > self._limits.payload_bytes
            ):
                raise InvalidUpdate(
                    f"Payload size exceeds the maximum allowed size of "
                    f"{self._limits.payload_bytes} bytes"
                )
            if update["Type"] == "WAIT" and update["Action"] == "START":
                seconds = (update.get("WaitOptions") or {}).get("WaitSeconds", 1)
                if not 1 <= int(seconds) <= 31_622_400:
                    raise InvalidUpdate("WaitSeconds must be between 1 and 31622400")
            if (
                update["Type"] == "CHAINED_INVOKE"
                and update["Action"] == "START"
                and not (update.get("ChainedInvokeOptions") or {}).get("FunctionName")
            ):
                raise InvalidUpdate("ChainedInvokeOptions.FunctionName is required")
            batch[op_id] = update["Type"]

    async def state(
        self, arn: str, token: str, marker: str | None, max_items: int | None
    ) -> tuple[list[Operation], str | None]:
        live = self._live_for_token(arn)
        seq = read_checkpoint_token(token, arn)
        if seq != live.execution.token_seq:
            raise InvalidCheckpointToken("Invalid checkpoint token: the token is stale")
        items = [ops.public(op) for op in ops.replayed(live.execution.operations)]
        return page(items, marker, max_items, default=ENVELOPE_PAGE)

    # -- callbacks -----------------------------------------------------------------
    async def _callback_op(self, callback: str) -> tuple[_Live, Operation]:
        arn, op_id = read_callback_id(callback)
        live = self._live.get(arn)
        if live is None:
            if await self._store.get(arn) is None:
                raise ExecutionNotFound("Callback not found")
            raise CallbackClosed("The callback has already been closed or has timed out")
        op = live.execution.operations.get(op_id)
        if op is None or (op.get("CallbackDetails") or {}).get("CallbackId") != callback:
            raise ExecutionNotFound("Callback not found")
        if op.get("Status") != ops.STARTED:
            raise CallbackClosed("The callback has already been closed or has timed out")
        return live, op

    async def callback_success(self, callback: str, result: bytes) -> None:
        live, op = await self._callback_op(callback)
        text = result.decode(errors="replace")
        await self._service_change(live, op, lambda at: ops.callback_succeeded(op, text, at))

    async def callback_failure(self, callback: str, error: dict[str, Any]) -> None:
        live, op = await self._callback_op(callback)
        await self._service_change(live, op, lambda at: ops.callback_failed(op, error, at))

    async def callback_heartbeat(self, callback: str) -> None:
        live, op = await self._callback_op(callback)
        async with live.lock:
            if op.get("_heartbeat_s"):
                op["_heartbeat_at"] = now() + op["_heartbeat_s"]
                await self._store.save(live.execution, [op], [])
        live.wake.set()

    async def _service_change(
        self, live: _Live, op: Operation, change: Callable[[float], Event]
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

    # -- stop, pause, resume, delete -------------------------------------------------
    async def stop(self, arn: str, error: dict[str, Any] | None) -> float:
        live = self._live.get(arn)
        if live is None:
            await self.get(arn)
            raise ExecutionComplete("The durable execution is already complete")
        at = now()
        async with live.lock:
            if live.execution.terminal:
                raise ExecutionComplete("The durable execution is already complete")
            events = self._finish(live.execution, STOPPED, at, error=error or {})
            await self._store.save(live.execution, [], self._number(live.execution, events))
        await self._after_terminal(live)
        return at

    async def pause_execution(self, arn: str, reason: str | None, timeout_paused: bool) -> None:
        live = await self._running(arn)
        execution = live.execution
        async with live.lock:
            if execution.status == PAUSED:
                return
            at = now()
            execution.status = PAUSED
            execution.pause = {
                "PauseRequestTimestamp": at,
                "Reason": reason or "",
                "ExecutionTimeoutPaused": timeout_paused,
            }
            event = ops.event(
                None,
                "ExecutionPaused",
                at,
                {
                    "PauseRequestTimestamp": at,
                    "Reason": ops.payload(reason or ""),
                    "ExecutionTimeoutPaused": timeout_paused,
                },
            )
            await self._store.save(execution, [], self._number(execution, [event]))
        live.wake.set()

    async def resume_execution(self, arn: str, reason: str | None) -> None:
        live = await self._running(arn)
        execution = live.execution
        async with live.lock:
            if execution.status != PAUSED:
                raise Conflict("The durable execution is not paused")
            at = now()
            if execution.pause and execution.pause.get("ExecutionTimeoutPaused"):
                execution.timeout_s += int(at - execution.pause["PauseRequestTimestamp"])
            execution.status = RUNNING
            execution.pause = None
            event = ops.event(
                None,
                "ExecutionResumed",
                at,
                {"ResumeRequestTimestamp": at, "Reason": ops.payload(reason or "")},
            )
            await self._store.save(execution, [], self._number(execution, [event]))
            live.needs_invoke = True
        live.wake.set()

    async def _running(self, arn: str) -> _Live:
        live = self._live.get(arn)
        if live is None or live.execution.terminal:
            await self.get(arn)
            raise Conflict("The durable execution is not running")
        return live

    async def delete(self, arn: str) -> float:
        execution = await self.get(arn)
        if not execution.terminal:
            raise Conflict("Cannot delete a durable execution that is still running")
        await self._store.delete(arn)
        self._live.pop(arn, None)
        self._by_name.pop((execution.function_arn, execution.name), None)
        return now()

    # -- the driver ----------------------------------------------------------------
    async def _drive(self, live: _Live) -> None:
        execution = live.execution
        await self._run_until_ended(live)
        if execution.terminal:
            # Ended: served from the store from now on (keeps memory to running ones).
            self._live.pop(execution.arn, None)
            self._by_name.pop((execution.function_arn, execution.name), None)
            self._name_locks.pop((execution.function_arn, execution.name), None)

    async def _run_until_ended(self, live: _Live) -> None:
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

    def _next_due(self, live: _Live) -> float | None:
        execution = live.execution
        times = [execution.start + execution.timeout_s] if _timeout_runs(execution) else []
        if live.retry_at is not None:
            times.append(live.retry_at)
        for op in execution.operations.values():
            due = ops.due_at(op)
            if due is not None:
                times.append(due)
        return min(times) if times else None

    async def _fire_timers(self, live: _Live) -> None:
        execution = live.execution
        at = now()
        if live.retry_at is not None and live.retry_at <= at:
            live.retry_at = None
        async with live.lock:
            if execution.terminal:
                return
            if _timeout_runs(execution) and at >= execution.start + execution.timeout_s:
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

    async def _invoke(self, live: _Live) -> None:
        execution = live.execution
        async with live.lock:
            if execution.terminal:
                return
            live.needs_invoke = False
            execution.token_seq += 1
            token = checkpoint_token(execution)
            items = [_envelope_op(op) for op in ops.replayed(execution.operations)]
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
        live: _Live,
        started: float,
        payload: bytes,
        function_error: str | None,
        request_id: str,
    ) -> None:
        execution = live.execution
        at = now()
        output = _output(payload) if function_error is None else None
        completed: dict[str, Any] = {
            "StartTimestamp": started,
            "EndTimestamp": at,
            "RequestId": request_id,
        }
        error: dict[str, Any] | None = None
        if output is None:
            error = _invocation_error(payload, function_error)
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

    async def _after_terminal(self, live: _Live) -> None:
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

    # -- chained invokes -----------------------------------------------------------
    def _prepare_chained(self, execution: Execution, op_id: str, at: float) -> list[Event]:
        """Resolve the target while the checkpoint is taken, so ChainedInvokeStarted is
        in the log before the function's invocation ends."""
        op = execution.operations[op_id]
        try:
            target = self._functions.resolve(op["_target"], None, execution.function_arn)
        except Exception as exc:
            message = getattr(exc, "message", str(exc))
            op["_failure"] = {"ErrorType": "ResourceNotFoundException", "ErrorMessage": message}
            return [ops.invoke_started(op, at, None, None)]
        if target.durable_config is not None and not target.qualified:
            op["_failure"] = {
                "ErrorType": "InvalidParameterValueException",
                "ErrorMessage": UNQUALIFIED,
            }
            return [ops.invoke_started(op, at, None, None)]
        op["_function_arn"] = target.function_arn
        op["_version"] = target.version
        child = None
        if target.durable_config is not None:
            digest = hashlib.sha256(f"{execution.arn}\n{op_id}".encode()).hexdigest()[:32]
            child = execution_arn(target.function_arn, target.version, digest)
            op["_child"] = child
            op["_child_name"] = digest
        return [ops.invoke_started(op, at, target.version, child)]

    async def _run_chained(self, live: _Live, op_id: str) -> None:
        execution = live.execution
        op = execution.operations[op_id]
        if op.get("Status") != ops.STARTED:
            return
        failure = op.get("_failure")
        if failure is not None:
            await self._chained_result(live, op, None, failure, ops.OP_FAILED)
            return
        payload = (op.get("_input") or "").encode()
        if op.get("_child"):
            child_arn = op["_child"]
            if child_arn in self._live:
                return  # running: its end completes this operation
            found = await self._store.get(child_arn)
            if found is not None:
                if found.terminal:
                    await self._child_done(execution.arn, op_id, found)
                return
            target = self._functions.resolve(
                op["_function_arn"], op["_version"], execution.function_arn
            )
            await self.start(
                target,
                payload,
                name=op["_child_name"],
                parent=[execution.arn, op_id],
                arn=child_arn,
            )
            return
        try:
            outcome = await self._functions.invoke(op["_function_arn"], op["_version"], payload)
        except Exception as exc:
            error = {
                "ErrorType": type(exc).__name__,
                "ErrorMessage": getattr(exc, "message", str(exc)),
            }
            await self._chained_result(live, op, None, error, ops.OP_FAILED)
            return
        if outcome.function_error:
            await self._chained_result(
                live,
                op,
                None,
                _invocation_error(outcome.payload, outcome.function_error),
                ops.OP_FAILED,
            )
        else:
            await self._chained_result(
                live, op, outcome.payload.decode(errors="replace"), None, ops.OP_SUCCEEDED
            )

    async def _child_done(self, parent_arn: str, op_id: str, child: Execution) -> None:
        live = self._live.get(parent_arn)
        if live is None:
            return
        op = live.execution.operations.get(op_id)
        if op is None or op.get("Status") != ops.STARTED:
            return
        status = {
            SUCCEEDED: ops.OP_SUCCEEDED,
            TIMED_OUT: ops.OP_TIMED_OUT,
            STOPPED: ops.OP_STOPPED,
        }.get(child.status, ops.OP_FAILED)
        await self._chained_result(live, op, child.result, child.error, status)

    async def _chained_result(
        self,
        live: _Live,
        op: Operation,
        result: str | None,
        error: dict[str, Any] | None,
        status: str,
    ) -> None:
        # The caller's invocation suspends right after it started the invoke: the result
        # is recorded once that invocation ended, as Lambda's history orders them.
        await live.idle.wait()
        try:
            await self._service_change(
                live, op, lambda at: ops.invoke_finished(op, result, error, status, at)
            )
        except CallbackClosed:
            pass  # the parent ended (or cancelled the invoke) meanwhile


def _timeout_runs(execution: Execution) -> bool:
    """The execution timeout counts, unless paused with ``ExecutionTimeoutPaused``."""
    pause = execution.pause
    return execution.status != PAUSED or not (pause and pause.get("ExecutionTimeoutPaused"))


def _envelope_op(op: Operation) -> Operation:
    """The SDK reads the envelope with ``from_json_dict``: timestamps in milliseconds."""
    out = ops.public(op)
    for member in ("StartTimestamp", "EndTimestamp"):
        if out.get(member) is not None:
            out[member] = int(out[member] * 1000)
    step = out.get("StepDetails")
    if step and step.get("NextAttemptTimestamp") is not None:
        out["StepDetails"] = {
            **step,
            "NextAttemptTimestamp": int(step["NextAttemptTimestamp"] * 1000),
        }
    wait = out.get("WaitDetails")
    if wait and wait.get("ScheduledEndTimestamp") is not None:
        out["WaitDetails"] = {
            **wait,
            "ScheduledEndTimestamp": int(wait["ScheduledEndTimestamp"] * 1000),
        }
    return out


def _output(payload: bytes) -> dict[str, Any] | None:
    try:
        value = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(value, dict) or value.get("Status") not in ("SUCCEEDED", "FAILED", "PENDING"):
        return None
    return value


def _invocation_error(payload: bytes, function_error: str | None) -> dict[str, Any]:
    try:
        value = orjson.loads(payload)
    except orjson.JSONDecodeError:
        value = None
    if isinstance(value, dict) and "errorMessage" in value:
        error: dict[str, Any] = {
            "ErrorType": str(value.get("errorType") or function_error or "Unhandled"),
            "ErrorMessage": str(value.get("errorMessage")),
        }
        if isinstance(value.get("stackTrace"), list):
            error["StackTrace"] = [str(line) for line in value["stackTrace"]]
        return error
    return {
        "ErrorType": function_error or "InvalidOutput",
        "ErrorMessage": "The durable function returned an invalid output"
        if function_error is None
        else f"The invocation failed: {function_error}",
    }


UNQUALIFIED = "You cannot invoke a durable function using an unqualified ARN."
SYNC_LIMIT_S = 900.0  # a synchronous invocation of a durable function waits 15 minutes


def invocation_answer(execution: Execution) -> tuple[bytes, str | None]:
    """What a synchronous Invoke answers once the execution ended (or the wait did): the
    result, or Lambda's error body with ``Unhandled``."""
    if execution.status == SUCCEEDED:
        return (execution.result or "").encode(), None
    if execution.terminal:
        error = execution.error or {}
        body = {
            "errorType": error.get("ErrorType") or execution.status,
            "errorMessage": error.get("ErrorMessage")
            or f"The durable execution ended with status {execution.status}",
        }
    else:
        body = {
            "errorType": "DurableExecutionStillRunning",
            "errorMessage": "The durable execution is still running: follow it with "
            "GetDurableExecution",
        }
    return orjson.dumps(body), "Unhandled"
