"""One execution driven by the pure interpreter, durably.

The runner is the only writer of its execution: every event (task result, timer, stop,
callback) goes through its queue, is applied with ``interpreter.step``, and the new state,
the history events and the work still pending (tasks and timers, keyed by the core's
token) are committed in ONE store write before any command is carried out. After a crash
the pending work is re-issued from the store: timers keep their deadlines, a task whose
result was committed is never run again, and a callback task that was handed off
(``.waitForTaskToken``, activities) is not handed off twice.

EXPRESS executions use the same loop without the store (Step Functions runs them at
least once, in memory).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from stratus.workflows import tokens
from stratus.workflows.definition import StateMachine
from stratus.workflows.errors import StatesError
from stratus.workflows.integrations.base import (
    AWAIT_CALLBACK,
    IntegrationRegistry,
    Submitted,
    TaskRequest,
)
from stratus.workflows.interpreter import (
    Activation,
    CancelTask,
    CancelTimer,
    Command,
    CompleteExecution,
    Event,
    ExecutionState,
    RunTask,
    StartTimer,
    TaskFailed,
    TaskHeartbeat,
    TaskStarted,
    TaskSubmitted,
    TaskSucceeded,
    TimerFired,
    step,
)
from stratus.workflows.interpreter.history import make_event
from stratus.workflows.interpreter.map_runs import ENDED, MapRunChange
from stratus.workflows.interpreter.model import FAILED, RUNNING, SUCCEEDED
from stratus.workflows.service.repository import ExecutionStep, WorkflowStore

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Dispatched:
    """Internal event: a callback task was handed off; remember it durably."""

    token: str


def _pending_record(command: RunTask | StartTimer) -> dict[str, Any]:
    """A pending command as stored: shallow (commands are immutable), and without the
    execution's input in a task's context object, which every task of a large Map would
    otherwise carry again in every commit; it is put back from the record on re-issue."""
    record = {name: getattr(command, name) for name in command.__dataclass_fields__}
    if isinstance(command, RunTask):
        execution = command.context.get("Execution")
        if isinstance(execution, dict) and "Input" in execution:
            record["context"] = {
                **command.context,
                "Execution": {k: v for k, v in execution.items() if k != "Input"},
            }
    return record


def _command_from_dict(data: dict[str, Any], execution_input: Any) -> Command:
    values = {k: v for k, v in data.items() if k not in ("kind", "dispatched")}
    if data["kind"] == "RunTask":
        context = dict(values.get("context") or {})
        if isinstance(context.get("Execution"), dict):
            context["Execution"] = {**context["Execution"], "Input": execution_input}
        values["context"] = context
        return RunTask(**values)
    return StartTimer(**values)


_MAX_BATCH = 512

#: How an execution ends when Stratus itself fails it (a bug, never the user's error).
INTERNAL_ERROR = "States.Runtime"
INTERNAL_CAUSE = "An internal error occurred while running the execution."

OnComplete = Callable[["ExecutionRunner", CompleteExecution], Awaitable[None]]


class ExecutionRunner:
    def __init__(
        self,
        arn: str,
        machine: StateMachine,
        state: ExecutionState,
        integrations: IntegrationRegistry,
        *,
        store: WorkflowStore | None,
        record: dict[str, Any],
        outstanding: dict[str, dict[str, Any]] | None = None,
        on_complete: OnComplete | None = None,
    ) -> None:
        self.arn = arn
        self.record = record  # the public record: input, output, error, cause, dates
        self.machine = machine
        self.state = state
        self.outstanding: dict[str, dict[str, Any]] = dict(outstanding or {})
        self._integrations = integrations
        self._store = store
        self._on_complete = on_complete
        self._events: asyncio.Queue[Event | _Dispatched] = asyncio.Queue()
        self._jobs: dict[str, asyncio.Task[None]] = {}
        self.completion: CompleteExecution | None = None
        self.finished = asyncio.Event()

    # -- from outside ----------------------------------------------------------------
    def post(self, event: Event) -> None:
        self._events.put_nowait(event)

    def has_task(self, core_token: str) -> bool:
        entry = self.outstanding.get(core_token)
        return entry is not None and entry.get("kind") == "RunTask"

    # -- the loop --------------------------------------------------------------------
    async def run(self, first: Activation | None = None) -> None:
        """Drive the execution to its end.

        ``first`` is the start's activation, already absorbed and committed by the caller;
        without it the runner resumes from stored state and re-issues pending work.
        """
        try:
            if first is not None:
                self._perform(first.commands)
                if first.done:
                    await self._complete(first)
                    return
            else:
                self._reissue()
            while True:
                batch = [await self._events.get()]
                while len(batch) < _MAX_BATCH and not self._events.empty():
                    batch.append(self._events.get_nowait())
                last = await self._apply(batch)
                if last is not None:
                    await self._complete(last)
                    return
        except Exception:
            # An error of ours in one execution must not end every other (the manager's
            # TaskGroup would cancel them all): this one fails, said in the log.
            log.exception("execution %s failed on an internal error", self.arn)
            with contextlib.suppress(Exception):
                await self.fail_internally()
        finally:
            for job in self._jobs.values():
                job.cancel()
            self._jobs.clear()
            self.finished.set()

    def _track(self, commands: list[Command]) -> None:
        for command in commands:
            if isinstance(command, RunTask | StartTimer):
                self.outstanding[command.token] = _pending_record(command)
            elif isinstance(command, CancelTask | CancelTimer):
                self.outstanding.pop(command.token, None)

    def absorb(self, activation: Activation) -> None:
        """Take an activation's state and pending work into memory (no IO). The public
        record changes only once the outcome is committed (``final_record``), so nobody
        sees SUCCEEDED before the history that ends with it can be read."""
        self._track(activation.commands)
        self.state = activation.state

    def final_record(self, activation: Activation) -> dict[str, Any]:
        """The public record as it will be once this (last) activation is committed."""
        completion = _completion(activation.commands)
        if completion is None:
            return self.record
        return {
            **self.record,
            "status": completion.status,
            "output": completion.output,
            "error": completion.error,
            "cause": completion.cause,
            "stop_ms": _stop_ms(activation),
            **_redrive_facts(activation.state),
        }

    async def _apply(self, batch: list[Event | _Dispatched]) -> Activation | None:
        """Apply queued events in order, commit once, then act; the final activation if
        the execution ended. Events that arrive together (Map iterations finishing at the
        same time) thus cost one commit, not one each."""
        history: list[dict[str, Any]] = []
        commands: list[Command] = []
        map_runs: list[MapRunChange] = []
        changed = False
        for event in batch:
            if isinstance(event, _Dispatched):
                entry = self.outstanding.get(event.token)
                if entry is not None:
                    entry["dispatched"] = True
                    changed = True
                continue
            token = getattr(event, "token", None)
            # A heartbeat or a worker taking the task does not answer it: it stays pending.
            heartbeat = isinstance(event, TaskHeartbeat | TaskStarted | TaskSubmitted)
            if token is not None and token not in self.outstanding and not heartbeat:
                continue  # stale: cancelled or already answered
            activation = step(
                self.machine, self.state, event, in_place=True, resources=self._integrations
            )
            if token is not None and not heartbeat:
                self.outstanding.pop(token, None)
            self.absorb(activation)
            history.extend(activation.history)
            commands.extend(activation.commands)
            map_runs.extend(activation.map_runs)
            changed = True
            if activation.done:
                final = self.final_record(activation)
                await self._save(history, done=True, record=final, map_runs=map_runs)
                self.record.update(final)
                self._perform(commands)
                return activation
            if activation.paused:
                # This event used up an activation's budget of work: let the rest of the
                # server run before the next event of the batch is applied.
                await asyncio.sleep(0)
        if changed:
            await self._save(history, done=False, map_runs=map_runs)
            self._perform(commands)
        return None

    async def _save(
        self,
        history: list[dict[str, Any]],
        *,
        done: bool,
        record: dict[str, Any] | None = None,
        map_runs: list[MapRunChange] | None = None,
    ) -> None:
        if self._store is None:
            return
        await self._store.save_step(
            ExecutionStep(
                arn=self.arn,
                status=self.state.status,
                # orjson writes the dataclass directly; an execution that ended unsuccessfully
                # keeps its state, which RedriveExecution continues from
                state=kept_state(self.state) if done else self.state,
                outstanding={} if done else self.outstanding,
                history=history,
                stop_ms=record.get("stop_ms") if done and record else None,
                record=record if done else None,
                map_runs=map_runs or [],
            )
        )

    async def fail_internally(self) -> None:
        """End the execution FAILED after an error of Stratus's own (not the user's):
        ExecutionFailed with States.Runtime is committed, so the execution neither hangs
        RUNNING nor comes back at the next start to fail again."""
        if self.state.status != RUNNING:
            return
        self.state.status = FAILED
        event_id = self.state.next_event_id
        event = make_event(
            "ExecutionFailed",
            event_id,
            event_id - 1,
            time.time(),
            {"error": INTERNAL_ERROR, "cause": INTERNAL_CAUSE},
        )
        final = {
            **self.record,
            "status": FAILED,
            "output": None,
            "error": INTERNAL_ERROR,
            "cause": INTERNAL_CAUSE,
            "stop_ms": round(event["timestamp"] * 1000),
            **_redrive_facts(self.state),
        }
        # its Map Runs end with it, not RUNNING forever
        ended = [
            MapRunChange(
                kind=ENDED,
                map_run_arn=scope.children.map_run_arn,
                at=event["timestamp"],
                status=FAILED,
                details={"error": INTERNAL_ERROR, "cause": INTERNAL_CAUSE},
            )
            for scope in self.state.scopes.values()
            if scope.children is not None and scope.children.map_run_arn is not None
        ]
        await self._save([event], done=True, record=final, map_runs=ended)
        self.record.update(final)

    async def _complete(self, activation: Activation) -> None:
        self.completion = _completion(activation.commands)
        if self.completion is not None and self._on_complete is not None:
            await self._on_complete(self, self.completion)

    # -- commands --------------------------------------------------------------------
    def _reissue(self) -> None:
        """After a restart: run again what was pending when the server stopped."""
        for entry in list(self.outstanding.values()):
            if entry.get("dispatched"):
                continue  # a callback task already handed off waits for its answer
            self._perform([_command_from_dict(entry, self.state.input)])

    def _perform(self, commands: list[Command]) -> None:
        for command in commands:
            if isinstance(command, RunTask):
                self._start_job(command.token, self._run_task(command))
            elif isinstance(command, StartTimer):
                self._start_job(command.token, self._timer(command))
            elif isinstance(command, CancelTask | CancelTimer):
                job = self._jobs.pop(command.token, None)
                if job is not None:
                    job.cancel()

    def _start_job(self, token: str, work: Awaitable[None]) -> None:
        old = self._jobs.pop(token, None)
        if old is not None:
            old.cancel()
        self._jobs[token] = asyncio.ensure_future(work)

    async def _timer(self, command: StartTimer) -> None:
        # The loop's monotonic clock may wake a hair before the wall-clock deadline; a
        # Wait must never end before it (its exit event would be stamped early).
        while (delay := command.fire_at - time.time()) > 0:
            await asyncio.sleep(delay)
        self._jobs.pop(command.token, None)
        self._events.put_nowait(TimerFired(at=time.time(), token=command.token))

    async def _run_task(self, command: RunTask) -> None:
        task_token = (command.context.get("Task") or {}).get("Token") or tokens.encode(
            self.arn, command.token
        )
        request = TaskRequest(
            resource=command.resource,
            input=command.input,
            execution_arn=self.arn,
            state_name=command.state_name,
            task_token=task_token,
            context=command.context,
            timeout_seconds=command.timeout_seconds,
            heartbeat_seconds=command.heartbeat_seconds,
        )
        event: Event | _Dispatched
        try:
            result = await self._integrations.run(request)
        except StatesError as error:
            event = TaskFailed(
                at=time.time(), token=command.token, error=error.error, cause=error.cause
            )
        except asyncio.CancelledError:
            raise
        except Exception as error:  # an integration's bug is the task's failure, not ours
            log.exception("integration for %s failed", command.resource)
            event = TaskFailed(
                at=time.time(), token=command.token, error="States.TaskFailed", cause=str(error)
            )
        else:
            if isinstance(result, Submitted):
                self._events.put_nowait(
                    TaskSubmitted(at=time.time(), token=command.token, output=result.output)
                )
            event = (
                _Dispatched(command.token)
                if result is AWAIT_CALLBACK or isinstance(result, Submitted)
                else TaskSucceeded(at=time.time(), token=command.token, output=result)
            )
        self._jobs.pop(command.token, None)
        self._events.put_nowait(event)

    async def stop(self) -> None:
        """Cancel in-flight jobs without recording anything (server shutdown)."""
        for job in self._jobs.values():
            job.cancel()
        for job in list(self._jobs.values()):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await job


def kept_state(state: ExecutionState) -> ExecutionState | None:
    """The state stored once an execution ended: none after a success (nothing can
    continue it), the whole state otherwise, for RedriveExecution."""
    if state.status == SUCCEEDED or state.state_machine_type != "STANDARD":
        return None
    return state


def _redrive_facts(state: ExecutionState) -> dict[str, Any]:
    """What DescribeExecution needs to say whether the ended execution can be redriven
    (`redrive.not_redrivable`) without reading its stored state."""
    return {"state_kept": kept_state(state) is not None, "events": state.next_event_id - 1}


def _stop_ms(activation: Activation) -> int:
    """The time of the execution's last event, so stopDate equals its timestamp."""
    if activation.history:
        return round(float(activation.history[-1]["timestamp"]) * 1000)
    return round(time.time() * 1000)


def _completion(commands: list[Command]) -> CompleteExecution | None:
    for command in commands:
        if isinstance(command, CompleteExecution):
            return command
    return None
