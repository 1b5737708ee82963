"""Executions: start, describe, list, stop, history, and callbacks from outside.

The manager owns one :class:`ExecutionRunner` per running execution inside its own
TaskGroup, recovers STANDARD executions that were running when the server stopped, and
implements the ``states:startExecution`` integration's :class:`ExecutionStarter`.

Executions belong to their machine's account and region, which their ARN carries: every
call from the API takes the caller's :class:`Scope` and answers an execution of another
scope as one that does not exist; a child execution runs in its parent's scope; a task
token names its execution, so answering a task checks that the caller owns it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import time
import uuid
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

from stratus.services.scope import Scope
from stratus.store.errors import DuplicateKey
from stratus.workflows import tokens
from stratus.workflows.errors import StatesError
from stratus.workflows.expressions.values import nesting_exceeds
from stratus.workflows.integrations.base import IntegrationRegistry
from stratus.workflows.interpreter import (
    Event,
    ExecutionStart,
    ExecutionState,
    StopExecution,
    TaskFailed,
    TaskHeartbeat,
    TaskStarted,
    TaskSucceeded,
    redrive_execution,
    start_execution,
)
from stratus.workflows.limits import MAX_JSON_DEPTH, MAX_PAYLOAD_BYTES
from stratus.workflows.service import redrive
from stratus.workflows.service.errors import (
    ExecutionExists,
    ExecutionNotFound,
    InvalidInputError,
    InvalidOutputError,
    InvalidParameter,
    InvalidTokenError,
    NotRedrivable,
    TaskTimedOutError,
    TypeNotSupported,
    WorkflowServiceError,
    aws_code,
)
from stratus.workflows.service.machines import StateMachineRegistry, compile_definition
from stratus.workflows.service.names import (
    check_name,
    execution_arn,
    parse_arn,
    split_qualified,
)
from stratus.workflows.service.repository import ExecutionStep, StoredExecution, WorkflowStore
from stratus.workflows.service.runner import ExecutionRunner, kept_state
from stratus.workflows.service.shapes import describe_execution
from stratus.workflows.service.versions import VersionRegistry

_FINISHED_EXPRESS_KEEP_S = 300.0


def parse_json_input(text: str | None, *, output: bool = False) -> Any:
    """Decode an execution's input (or a task's output from SendTaskSuccess), refusing what
    Step Functions refuses: over MAX_PAYLOAD_BYTES once UTF-8 encoded, not JSON, and (a
    Stratus bound, see `limits.py`) nested deeper than MAX_JSON_DEPTH."""
    raw = "{}" if text is None else text
    error = InvalidOutputError if output else InvalidInputError
    if len(raw.encode()) > MAX_PAYLOAD_BYTES:
        message = f"Invalid State Machine Execution Input: 'The input size exceeds the maximum number of bytes ({MAX_PAYLOAD_BYTES})'"
        raise error(message)
    try:
        value = json.loads(raw)
    except RecursionError:
        value = None
        too_deep = True
    except ValueError as exc:
        if output:
            raise InvalidOutputError(f"Invalid Output: '{exc}'") from exc
        raise InvalidInputError(f"Invalid State Machine Execution Input: '{exc}'") from exc
    else:
        too_deep = nesting_exceeds(value, MAX_JSON_DEPTH)
    if too_deep:
        what = "output" if output else "input"
        detail = f"The {what} is nested deeper than the maximum depth ({MAX_JSON_DEPTH})"
        if output:
            raise InvalidOutputError(f"Invalid Output: '{detail}'")
        raise InvalidInputError(f"Invalid State Machine Execution Input: '{detail}'")
    return value


class ExecutionManager:
    def __init__(
        self,
        store: WorkflowStore,
        machines: StateMachineRegistry,
        integrations: IntegrationRegistry,
        versions: VersionRegistry | None = None,
    ) -> None:
        self._store = store
        self._machines = machines
        self._versions = versions if versions is not None else VersionRegistry(store, machines)
        self._integrations = integrations
        self._running: dict[str, ExecutionRunner] = {}
        # Called with each execution recovered at start, once its runner is running (the
        # Map Runs it was running take their stored limits again).
        self.on_recover: Callable[[str], Awaitable[None]] | None = None
        self._express: dict[str, ExecutionRunner] = {}
        self._group: asyncio.TaskGroup | None = None
        self._ready = asyncio.Event()
        # Held only while in use: the lock of a name nobody is starting disappears.
        self._name_locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    # -- lifecycle -------------------------------------------------------------------
    async def run(self) -> None:
        """Own every runner; recover executions that were running at the last stop."""
        async with asyncio.TaskGroup() as group:
            self._group = group
            await self._recover()
            self._ready.set()
            group.create_task(self._evict_express())
            await asyncio.Event().wait()  # until cancelled by the platform

    async def wait_ready(self) -> None:
        await self._ready.wait()

    async def _recover(self) -> None:
        for stored in await self._store.running_executions():
            if stored.state is None:
                continue
            machine = compile_definition(stored.record["definition"])
            runner = ExecutionRunner(
                stored.arn,
                machine,
                ExecutionState.from_dict(stored.state),
                self._integrations,
                store=self._store,
                record=stored.record,
                outstanding=stored.outstanding,
            )
            self._spawn(runner, None)
            if self.on_recover is not None:
                await self.on_recover(stored.arn)

    def _spawn(self, runner: ExecutionRunner, first: Any) -> None:
        if self._group is None:
            raise RuntimeError("the execution manager is not running")
        registry = self._express if runner.record["type"] == "EXPRESS" else self._running
        registry[runner.arn] = runner

        async def drive() -> None:
            try:
                await runner.run(first)
            finally:
                # a redrive may have registered the execution's next runner already
                if runner.record["type"] != "EXPRESS" and self._running.get(runner.arn) is runner:
                    del self._running[runner.arn]
                else:
                    runner.record["finished_at"] = time.monotonic()

        self._group.create_task(drive(), name=f"execution:{runner.arn}")

    async def _evict_express(self) -> None:
        while True:
            await asyncio.sleep(30)
            now = time.monotonic()
            for arn, runner in list(self._express.items()):
                finished = runner.record.get("finished_at")
                if finished is not None and now - finished > _FINISHED_EXPRESS_KEEP_S:
                    del self._express[arn]

    # -- start -----------------------------------------------------------------------
    async def start(
        self,
        machine_arn: str,
        name: str | None,
        input_text: str | None,
        *,
        scope: Scope,
        trace_header: str | None = None,
    ) -> dict[str, Any]:
        """Start an execution; its public record (``arn``, ``start_ms`` ...)."""
        await self._ready.wait()
        target = self._versions.resolve(machine_arn, scope)
        machine = target.machine
        generated = name is None
        name = name if name is not None else str(uuid.uuid4())
        check_name(name)
        execution_input = parse_json_input(input_text)
        input_text = "{}" if input_text is None else input_text
        express = machine.type == "EXPRESS"
        arn = execution_arn(scope, machine.name, name, express)
        if express:
            arn = f"{arn}:{uuid.uuid4()}"
        # Starts of one name are serialized (idempotency check, then insert); a generated
        # name is unique already, so those starts run concurrently and share group commits.
        lock = contextlib.nullcontext() if generated else self._name_lock(machine.arn, name)
        async with lock:
            if not express and not generated:
                # under the name's lock the store is authoritative: a start commits before it
                # releases the lock, and an outcome is committed before it is shown
                existing = await self._store.find_execution(machine.arn, name)
                if existing is not None:
                    if existing.status == "RUNNING" and existing.record["input"] == input_text:
                        return existing.record  # idempotent for the same name and input
                    raise ExecutionExists(f"Execution Already Exists: '{existing.arn}'")
            # whole milliseconds, so startDate equals the ExecutionStarted event's timestamp
            now = time.time_ns() // 1_000_000 / 1000
            record: dict[str, Any] = {
                "arn": arn,
                "machine_arn": machine.arn,
                "machine_name": machine.name,
                "name": name,
                "type": machine.type,
                "input": input_text,
                "definition": target.definition,
                "role_arn": target.role_arn,
                "machine_revision": target.revision_id,
                "version_arn": target.version_arn,
                "alias_arn": target.alias_arn,
                "start_ms": round(now * 1000),
                "status": "RUNNING",
                "trace_header": trace_header,
            }
            start = ExecutionStart(
                at=now,
                input=execution_input,
                execution_arn=arn,
                name=name,
                state_machine_arn=machine.arn,
                state_machine_name=machine.name,
                role_arn=target.role_arn,
                state_machine_type=machine.type,
            )
            compiled = self._machines.compiled_revision(
                machine.arn, target.revision_id, target.definition
            )
            activation = start_execution(compiled, start, resources=self._integrations)
            runner = ExecutionRunner(
                arn,
                compiled,
                activation.state,
                self._integrations,
                store=None if express else self._store,
                record=record,
            )
            runner.absorb(activation)
            record.update(runner.final_record(activation))  # nobody can read it yet
            if not express:
                stored = StoredExecution(
                    arn=arn,
                    machine_arn=machine.arn,
                    name=name,
                    status=activation.state.status,
                    start_ms=record["start_ms"],
                    stop_ms=record.get("stop_ms"),
                    record=record,
                    # orjson writes the dataclass itself, far faster than asdict()
                    state=kept_state(activation.state) if activation.done else activation.state,
                    outstanding={} if activation.done else runner.outstanding,
                )
                try:
                    await self._store.create_execution(
                        stored, activation.history, activation.map_runs
                    )
                except DuplicateKey as exc:
                    raise ExecutionExists(f"Execution Already Exists: '{arn}'") from exc
            else:
                runner.record["history"] = list(activation.history)
            self._spawn(runner, activation)
        return record

    def _name_lock(self, machine_arn: str, name: str) -> asyncio.Lock:
        key = (machine_arn, name)
        lock = self._name_locks.get(key)
        if lock is None:
            lock = self._name_locks[key] = asyncio.Lock()
        return lock

    async def start_sync(
        self, machine_arn: str, name: str | None, input_text: str | None, *, scope: Scope
    ) -> dict[str, Any]:
        machine = self._machines.get(split_qualified(machine_arn)[0], scope)
        if machine.type != "EXPRESS":
            raise TypeNotSupported("This operation is not supported by this type of state machine")
        record = await self.start(machine_arn, name, input_text, scope=scope)
        runner = self._express[record["arn"]]
        await runner.finished.wait()
        return runner.record

    # -- redrive ---------------------------------------------------------------------
    async def redrive(self, arn: str, scope: Scope, client_token: str | None) -> float:
        """RedriveExecution: the recorded execution continues from the state it ended in
        (same ARN, same definition, its history kept); the redrive date.

        The same ``clientToken`` as the last redrive answers that redrive again instead
        of redriving twice (the token is the API's idempotency key)."""
        await self._ready.wait()
        parsed = parse_arn(arn, "execution", "express")
        if parsed.scope != scope:
            raise ExecutionNotFound(f"Execution Does Not Exist: '{arn}'")
        if parsed.kind == "express":
            raise NotRedrivable(redrive.EXPRESS)
        async with self._name_lock(f"redrive:{arn}", ""):
            stored = await self._store.get_execution(arn)
            if stored is None:
                raise ExecutionNotFound(f"Execution Does Not Exist: '{arn}'")
            running = self._running.get(arn)
            if running is not None and running.finished.is_set():
                running = None  # ended and committed; its task is only unwinding
            record = running.record if running is not None else stored.record
            if client_token and record.get("redrive_token") == client_token:
                return float(record["redrive_ms"]) / 1000
            now_ms = time.time_ns() // 1_000_000
            state = ExecutionState.from_dict(stored.state) if stored.state else None
            reason = redrive.not_redrivable(
                record,
                now_ms=now_ms,
                has_state=state is not None and running is None,
                next_event_id=state.next_event_id if state else 0,
            )
            if running is not None:
                reason = redrive.RUNNING
            if reason is not None or state is None:
                raise NotRedrivable(reason or redrive.BEFORE_LAUNCH)
            compiled = compile_definition(record["definition"])
            activation = redrive_execution(
                compiled, state, now_ms / 1000, resources=self._integrations
            )
            restarted = {
                **record,
                "status": "RUNNING",
                "output": None,
                "error": None,
                "cause": None,
                "stop_ms": None,
                "state_kept": False,
                "redrive_count": int(record.get("redrive_count") or 0) + 1,
                "redrive_ms": now_ms,
                "redrive_token": client_token,
            }
            runner = ExecutionRunner(
                arn,
                compiled,
                activation.state,
                self._integrations,
                store=self._store,
                record=restarted,
            )
            runner.absorb(activation)
            restarted.update(runner.final_record(activation))
            await self._store.save_step(
                ExecutionStep(
                    arn=arn,
                    status=activation.state.status,
                    state=kept_state(activation.state) if activation.done else activation.state,
                    outstanding={} if activation.done else runner.outstanding,
                    history=activation.history,
                    stop_ms=restarted.get("stop_ms"),
                    record=restarted,
                    map_runs=activation.map_runs,
                )
            )
            self._spawn(runner, activation)
        return now_ms / 1000

    # -- read ------------------------------------------------------------------------
    async def describe(self, arn: str, scope: Scope) -> dict[str, Any]:
        parsed = parse_arn(arn, "execution", "express")
        if parsed.scope != scope:
            raise ExecutionNotFound(f"Execution Does Not Exist: '{arn}'")
        runner = self._running.get(arn) or self._express.get(arn)
        if runner is not None:
            return runner.record
        if parsed.kind == "execution":
            stored = await self._store.get_execution(arn)
            if stored is not None:
                return stored.record
        raise ExecutionNotFound(f"Execution Does Not Exist: '{arn}'")

    async def list_executions(
        self,
        machine_arn: str,
        scope: Scope,
        status: str | None,
        limit: int,
        after: str | None,
        redriven: bool | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        base, qualifier = split_qualified(machine_arn)
        machine = self._machines.get(base, scope)
        started_by: tuple[str, str] | None = None
        if qualifier is not None:
            # a version's or an alias's executions: the ones started through it
            if qualifier.isdigit():
                self._versions.version(machine_arn, scope)
                started_by = ("version_arn", machine_arn)
            else:
                self._versions.alias(machine_arn, scope)
                started_by = ("alias_arn", machine_arn)
        if machine.type == "EXPRESS":
            raise TypeNotSupported("This operation is not supported by this type of state machine")
        before = decode_page(after) if after else None
        rows = await self._store.list_executions(
            base, status, limit + 1, before, started_by=started_by, redriven=redriven
        )
        records = [
            self._running[r.arn].record if r.arn in self._running else r.record for r in rows
        ]
        if len(rows) > limit:
            last = rows[limit - 1]
            return records[:limit], encode_page(last.start_ms, last.arn)
        return records, None

    async def history(
        self, arn: str, scope: Scope, limit: int, reverse: bool, after: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        parsed = parse_arn(arn, "execution", "express")
        if parsed.kind == "express":
            raise InvalidParameter("Express executions do not have an execution history.")
        await self.describe(arn, scope)
        position = 0
        if after:
            try:
                position = int(after)
            except ValueError as exc:
                raise InvalidParameter(f"Invalid Token: '{after}'") from exc
        events = await self._store.history(arn, position, limit + 1, reverse)
        if len(events) > limit:
            return events[:limit], str(events[limit - 1]["id"])
        return events, None

    async def wait(self, arn: str) -> dict[str, Any]:
        """The record once the execution has ended (tests, .sync integrations): any
        scope's, since only the service itself calls it."""
        runner = self._running.get(arn) or self._express.get(arn)
        if runner is not None:
            await runner.finished.wait()
            return runner.record
        return await self.describe(arn, parse_arn(arn, "execution", "express").scope)

    # -- stop and callbacks ------------------------------------------------------------
    async def stop(self, arn: str, scope: Scope, error: str | None, cause: str | None) -> float:
        parse_arn(arn, "execution")
        runner = self._running.get(arn) if scope.owns(arn) else None
        if runner is None:
            record = await self.describe(arn, scope)
            return (record.get("stop_ms") or time.time() * 1000) / 1000
        runner.post(StopExecution(at=time.time(), error=error, cause=cause))
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(10):
                await runner.finished.wait()
        return (runner.record.get("stop_ms") or time.time() * 1000) / 1000

    def _task_runner(self, token: str, scope: Scope | None) -> tuple[ExecutionRunner, str]:
        """The runner waiting for the task a token names. The token carries its execution's
        ARN, hence its account and region: a caller of another ``scope`` gets the answer
        for a token that is not one (``None``: the service itself, any scope)."""
        try:
            arn, core_token = tokens.decode(token)
        except tokens.InvalidTaskToken as exc:
            raise InvalidTokenError("Invalid Token: 'Invalid token'") from exc
        if scope is not None and not scope.owns(arn):
            raise InvalidTokenError("Invalid Token: 'Invalid token'")
        runner = self._running.get(arn) or self._express.get(arn)
        if runner is None or not runner.has_task(core_token):
            raise TaskTimedOutError("Task Timed Out: 'Provided task does not exist anymore'")
        return runner, core_token

    def send_task_success(self, token: str, output_text: str, scope: Scope) -> None:
        output = parse_json_input(output_text, output=True)
        runner, core_token = self._task_runner(token, scope)
        runner.post(TaskSucceeded(at=time.time(), token=core_token, output=output))

    def send_task_failure(
        self, token: str, error: str | None, cause: str | None, scope: Scope
    ) -> None:
        runner, core_token = self._task_runner(token, scope)
        runner.post(TaskFailed(at=time.time(), token=core_token, error=error or "", cause=cause))

    def task_taken(self, token: str, worker_name: str | None) -> None:
        """An activity worker took the task (GetActivityTask): ActivityStarted."""
        try:
            runner, core_token = self._task_runner(token, None)
        except (InvalidTokenError, TaskTimedOutError):
            return
        runner.post(TaskStarted(at=time.time(), token=core_token, worker_name=worker_name))

    def send_task_heartbeat(self, token: str, scope: Scope) -> None:
        runner, core_token = self._task_runner(token, scope)
        runner.post(TaskHeartbeat(at=time.time(), token=core_token))

    def task_pending(self, token: str) -> bool:
        try:
            self._task_runner(token, None)
        except (InvalidTokenError, TaskTimedOutError):
            return False
        return True

    def post(self, arn: str, event: Event) -> bool:
        """Hand an event to a running STANDARD execution (False: it is not running)."""
        runner = self._running.get(arn)
        if runner is None or runner.finished.is_set():
            return False
        runner.post(event)
        return True

    def running_count(self) -> int:
        return len(self._running)

    # -- states:startExecution ---------------------------------------------------------
    async def start_child(
        self, state_machine_arn: str, execution_input: Any, name: str | None, parent_arn: str
    ) -> dict[str, Any]:
        if name is None:
            name = hashlib.sha256(f"{parent_arn}|{state_machine_arn}".encode()).hexdigest()[:32]
        text = execution_input if isinstance(execution_input, str) else json.dumps(execution_input)
        try:
            # The child runs in its parent's account and region; a machine of another one
            # does not exist for it.
            scope = parse_arn(parent_arn, "execution", "express").scope
            record = await self.start(state_machine_arn, name, text, scope=scope)
        except WorkflowServiceError as exc:  # the parent sees the SDK's error name
            raise StatesError(f"StepFunctions.{aws_code(exc)}Exception", exc.message) from exc
        return {"ExecutionArn": record["arn"], "StartDate": record["start_ms"] / 1000}

    async def wait_finished(self, execution_arn: str) -> dict[str, Any]:
        return describe_execution(await self.wait(execution_arn))


def encode_page(start_ms: int, arn: str) -> str:
    """A page token of a newest-first listing: the (start, ARN) of its last row."""
    return f"{start_ms}|{arn}"


def decode_page(token: str) -> tuple[int, str]:
    start, sep, arn = token.partition("|")
    if not sep or not start.isdigit():
        raise InvalidParameter(f"Invalid Token: '{token}'")
    return int(start), arn
