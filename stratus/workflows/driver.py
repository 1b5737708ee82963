"""A small in-memory asyncio driver: runs one execution to its end with the pure core.

It does the IO the core asks for: runs tasks through a pluggable async executor, keeps
real timers (scaled by a `Clock` so tests can make a one-second Wait take a millisecond)
and feeds the answers back as events. Nothing is stored: the durable driver, built on the
same core later, persists `ExecutionState.to_dict()` and the history after every step.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from stratus.workflows.definition import StateMachine
from stratus.workflows.errors import StatesError
from stratus.workflows.interpreter import (
    Activation,
    CancelTask,
    CancelTimer,
    CompleteExecution,
    Event,
    ExecutionStart,
    ExecutionState,
    RunTask,
    StartTimer,
    StopExecution,
    TaskFailed,
    TaskSucceeded,
    TimerFired,
    start_execution,
    step,
)


@dataclass(frozen=True, slots=True)
class TaskContext:
    """What an executor learns about the task besides resource and input."""

    token: str
    state_name: str
    context: dict[str, Any]
    timeout_seconds: float | None = None
    heartbeat_seconds: float | None = None
    credentials: Any = None


#: Runs one task: returns its result, or raises StatesError(error, cause) when it fails.
TaskExecutor = Callable[[str, Any, TaskContext], Awaitable[Any]]


async def no_tasks(resource: str, task_input: Any, context: TaskContext) -> Any:
    """The default executor: no integrations at all."""
    raise StatesError("States.TaskFailed", f"No executor for resource {resource}")


class Clock:
    """Wall-clock time, optionally running `scale` times faster than real time.

    The core reads times only from events, so a scaled clock makes a whole execution
    (Waits, retry back-off, task deadlines) run faster without changing its logic.
    """

    def __init__(self, scale: float = 1.0) -> None:
        if scale <= 0:
            raise ValueError("scale must be positive")
        self.scale = scale
        self._origin = time.time()
        self._mono = time.monotonic()

    def now(self) -> float:
        """Current (scaled) time in epoch seconds."""
        return self._origin + (time.monotonic() - self._mono) * self.scale

    async def sleep_until(self, moment: float) -> None:
        """Wait until the clock reads `moment`."""
        delay = (moment - self.now()) / self.scale
        if delay > 0:
            await asyncio.sleep(delay)


@dataclass(slots=True)
class ExecutionResult:
    """The end of an execution: status, output or error/cause, and the full history."""

    status: str
    output: Any = None
    error: str | None = None
    cause: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    state: ExecutionState | None = None


class Execution:
    """One running execution; `run()` drives it, `stop()` aborts it from outside."""

    def __init__(
        self,
        machine: StateMachine,
        start: ExecutionStart,
        executor: TaskExecutor,
        clock: Clock,
    ) -> None:
        self.machine = machine
        self.start = start
        self.executor = executor
        self.clock = clock
        self.history: list[dict[str, Any]] = []
        self.state: ExecutionState | None = None
        self._events: asyncio.Queue[Event] = asyncio.Queue()
        self._jobs: dict[str, asyncio.Task[None]] = {}
        self._started = asyncio.Event()

    def stop(self, error: str | None = None, cause: str | None = None) -> None:
        """Ask for StopExecution; the execution ends ABORTED at its next step."""
        self._events.put_nowait(StopExecution(at=self.clock.now(), error=error, cause=cause))

    def post(self, event: Event) -> None:
        """Feed an outside event (SendTaskSuccess/Failure/Heartbeat for a task token)."""
        self._events.put_nowait(event)

    async def wait_started(self) -> None:
        """Wait until the first activation has been applied."""
        await self._started.wait()

    async def run(self) -> ExecutionResult:
        """Drive the execution to its end."""
        completion: CompleteExecution | None = None
        async with asyncio.TaskGroup() as group:
            activation = start_execution(self.machine, self.start)
            completion = self._apply(activation, group)
            self._started.set()
            while completion is None:
                event = await self._events.get()
                assert self.state is not None
                activation = step(self.machine, self.state, event, in_place=True)  # ours alone
                completion = self._apply(activation, group)
            for job in self._jobs.values():
                job.cancel()
        return ExecutionResult(
            status=completion.status,
            output=completion.output,
            error=completion.error,
            cause=completion.cause,
            history=self.history,
            state=self.state,
        )

    def _apply(self, activation: Activation, group: asyncio.TaskGroup) -> CompleteExecution | None:
        self.state = activation.state
        self.history.extend(activation.history)
        completion = None
        for command in activation.commands:
            if isinstance(command, RunTask):
                self._jobs[command.token] = group.create_task(self._run_task(command))
            elif isinstance(command, StartTimer):
                self._jobs[command.token] = group.create_task(self._timer(command))
            elif isinstance(command, CancelTask | CancelTimer):
                job = self._jobs.pop(command.token, None)
                if job is not None:
                    job.cancel()
            elif isinstance(command, CompleteExecution):
                completion = command
        return completion

    async def _run_task(self, command: RunTask) -> None:
        context = TaskContext(
            token=command.token,
            state_name=command.state_name,
            context=command.context,
            timeout_seconds=command.timeout_seconds,
            heartbeat_seconds=command.heartbeat_seconds,
            credentials=command.credentials,
        )
        try:
            output = await self.executor(command.resource, command.input, context)
        except StatesError as error:
            event: Event = TaskFailed(
                at=self.clock.now(), token=command.token, error=error.error, cause=error.cause
            )
        except Exception as error:  # a buggy executor is the task's failure, not ours
            event = TaskFailed(
                at=self.clock.now(),
                token=command.token,
                error=type(error).__name__,
                cause=str(error),
            )
        else:
            event = TaskSucceeded(at=self.clock.now(), token=command.token, output=output)
        self._jobs.pop(command.token, None)
        self._events.put_nowait(event)

    async def _timer(self, command: StartTimer) -> None:
        await self.clock.sleep_until(command.fire_at)
        self._jobs.pop(command.token, None)
        self._events.put_nowait(TimerFired(at=max(self.clock.now(), 0.0), token=command.token))


class Driver:
    """Runs executions of one state machine in memory."""

    def __init__(
        self,
        machine: StateMachine,
        executor: TaskExecutor = no_tasks,
        *,
        clock: Clock | None = None,
    ) -> None:
        self.machine = machine
        self.executor = executor
        self.clock = clock or Clock()

    def execution(self, execution_input: Any = None, **names: str) -> Execution:
        """A not-yet-running execution (call `run()`); `names` override ExecutionStart ARNs."""
        start = ExecutionStart(
            at=self.clock.now(),
            input={} if execution_input is None else execution_input,
            **names,
        )
        return Execution(self.machine, start, self.executor, self.clock)

    async def run(self, execution_input: Any = None, **names: str) -> ExecutionResult:
        """Start an execution and wait for its end."""
        return await self.execution(execution_input, **names).run()
