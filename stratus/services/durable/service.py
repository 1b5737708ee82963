"""The durable execution service: starts executions, takes checkpoints, answers
callbacks, reads, stops, pauses and deletes executions; its scheduler
(``scheduler.py``) drives every running execution and ``chained.py`` runs chained
invokes.

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
import logging
from collections.abc import Callable
from typing import Any

from stratus.services.durable import operations as ops
from stratus.services.durable.chained import ChainedInvokes
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
from stratus.services.durable.invocation import (
    ENVELOPE_PAGE,
)
from stratus.services.durable.live import LiveExecution, Started
from stratus.services.durable.model import (
    PAUSED,
    RUNNING,
    STOPPED,
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
from stratus.services.durable.ports import Target
from stratus.services.durable.scheduler import Scheduler

log = logging.getLogger(__name__)


class DurableService(Scheduler, ChainedInvokes):
    """The durable functions API's operations over executions (see the module doc)."""

    # -- lifecycle -----------------------------------------------------------------
    async def load(self) -> None:
        for execution in await self._store.load_running():
            self._adopt(execution)

    def _adopt(self, execution: Execution) -> LiveExecution:
        live = LiveExecution(execution)
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
            # Changes are made in memory and then saved under the lock: waiting for it
            # means a reader never sees an ending whose events are not stored yet.
            async with live.lock:
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
    def _live_for_token(self, arn: str) -> LiveExecution:
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
    async def _callback_op(self, callback: str) -> tuple[LiveExecution, Operation]:
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

    async def _running(self, arn: str) -> LiveExecution:
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
