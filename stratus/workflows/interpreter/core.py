"""The pure core: one event in, commands and history events out.

In the spirit of Temporal's workflow activations: `start_execution` and `step` take the
execution state as data, apply one event, and return an `Activation` with the new state,
the commands the driver must carry out (run a task, start a timer, complete) and the
history events AWS would record. The core never does IO, never reads a clock (times come
with events) and never raises on a user's error: failures are data (error + cause).

Within one activation, work is a queue of scopes to advance. A scope runs state after
state until it must wait (task, timer, children) or ends; a Map starts the iterations
MaxConcurrency allows together, then advances each until it waits, and the tasks
scheduled record their Started events after the rest of the activation's work, so an
inline Map's history reads as AWS writes it.

An activation does a bounded amount of work (`limits.WORK_PER_ACTIVATION`): what is left
is kept in the state (`ready`) and a timer due at once (`CONTINUE`) asks the driver for
the next activation, so a Pass loop or a Map of 100,000 items never holds the driver's
event loop for long. Step Functions' own quotas end what would run forever: a STANDARD
execution fails on its 25,000th history event, an EXPRESS one times out after 5 minutes.
"""

from __future__ import annotations

import copy
import functools
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from stratus.workflows.definition import StateMachine
from stratus.workflows.interpreter import containers, handlers, results, tasks
from stratus.workflows.interpreter.history import make_event, payload, task_resource
from stratus.workflows.interpreter.item_reader import READER_FAILED
from stratus.workflows.interpreter.map_runs import MapRunChange
from stratus.workflows.interpreter.messages import (
    CancelTask,
    CancelTimer,
    Command,
    CompleteExecution,
    Event,
    ExecutionStart,
    RunTask,
    StartTimer,
    StopExecution,
    TaskFailed,
    TaskHeartbeat,
    TaskResources,
    TaskStarted,
    TaskSubmitted,
    TaskSucceeded,
    TaskTimedOut,
    TimerFired,
    UpdateMapRun,
)
from stratus.workflows.interpreter.model import (
    ABORTED,
    FAILED,
    RUNNING,
    SUCCEEDED,
    TIMED_OUT,
    ExecutionState,
    Scope,
)
from stratus.workflows.interpreter.retry import TERMINAL_ERRORS, find_catcher, find_retrier
from stratus.workflows.limits import (
    EXPRESS_MAX_SECONDS,
    HISTORY_LIMIT_CAUSE,
    HISTORY_LIMIT_ERROR,
    MAX_HISTORY_EVENTS,
    WORK_PER_ACTIVATION,
)
from stratus.workflows.states import MapState, State

#: Token of the machine-wide TimeoutSeconds timer.
EXECUTION_DEADLINE = "execution:deadline"
#: Token of the timer, due at once, that resumes work left over by a previous activation.
CONTINUE = "execution:continue"
#: The events that end an execution: the only ones recorded once it has ended, and the
#: only ones that may take the last place in a STANDARD execution's history.
_CLOSING_EVENTS = frozenset(
    {"ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut"}
)

#: Errors raised while evaluating a state's fields get AWS's location prefix.
_PREFIXED_ERRORS = frozenset(
    {"States.Runtime", "States.QueryEvaluationError", "States.IntrinsicFailure"}
)


@dataclass(slots=True)
class Activation:
    """What one step produced."""

    state: ExecutionState
    commands: list[Command] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    # What Distributed Maps did in this step, for the driver to store with it.
    map_runs: list[MapRunChange] = field(default_factory=list)

    @property
    def done(self) -> bool:
        """The execution has ended."""
        return self.state.status != RUNNING

    @property
    def paused(self) -> bool:
        """Work is left for the next activation (the `CONTINUE` timer brings it)."""
        return bool(self.state.ready)


def start_execution(
    machine: StateMachine, event: ExecutionStart, *, resources: TaskResources | None = None
) -> Activation:
    """Create the execution state and run until the first wait.

    `resources`, when given, resolves Task resources as they act (`TaskResources`);
    without it every resource is taken as available.
    """
    state = ExecutionState(
        execution_arn=event.execution_arn,
        name=event.name,
        state_machine_arn=event.state_machine_arn,
        state_machine_name=event.state_machine_name,
        role_arn=event.role_arn,
        input=copy.deepcopy(event.input),
        start_time=event.at,
        state_machine_type=event.state_machine_type,
    )
    run = Run(machine, state, event.at, resources)
    run.begin(event)
    run.drain()
    return run.activation()


def step(
    machine: StateMachine,
    state: ExecutionState,
    event: Event,
    *,
    in_place: bool = False,
    resources: TaskResources | None = None,
) -> Activation:
    """Apply one event to a copy of `state` (the caller's object is left untouched).

    A driver that owns the state and never looks at the old one (the durable runner) passes
    ``in_place=True`` to skip the copy, which otherwise costs as much as the state is large
    (a Map of many items) on every event.
    """
    if isinstance(event, ExecutionStart):
        return start_execution(machine, event, resources=resources)
    working = state if in_place else ExecutionState.from_dict(copy.deepcopy(state.to_dict()))
    run = Run(machine, working, event.at, resources)
    if working.status == RUNNING:
        run.dispatch(event)
        run.drain()
    return run.activation()


def redrive_execution(
    machine: StateMachine,
    state: ExecutionState,
    at: float,
    *,
    resources: TaskResources | None = None,
) -> Activation:
    """Run an ended (FAILED, TIMED_OUT, ABORTED) execution again from where it ended:
    ExecutionRedriven, then the state that ended it, entered again (`Run.redrive`).
    `state` is the one stored when the execution ended; it is taken over, not copied."""
    run = Run(machine, state, at, resources)
    run.redrive()
    run.drain()
    return run.activation()


@functools.lru_cache(maxsize=256)
def iso_time(at: float) -> str:
    """Context-object timestamps: ISO 8601 with milliseconds and Z, as AWS writes them."""
    moment = datetime.fromtimestamp(at, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class Run:
    """The mutable working side of one activation (not stored: rebuilt per step)."""

    def __init__(
        self,
        machine: StateMachine,
        state: ExecutionState,
        at: float,
        resources: TaskResources | None = None,
    ) -> None:
        self.machine = machine
        self.x = state
        self.at = at
        self.resources = resources
        self.commands: list[Command] = []
        self.history: list[dict[str, Any]] = []
        self.map_runs: list[MapRunChange] = []
        # Work left by the previous activation comes first.
        self.queue: deque[tuple[str, str]] = deque((a, s) for a, s in state.ready)
        state.ready = []
        self.work = 0
        # Tasks scheduled in this activation, whose Started events come after all of its
        # other work (`record_started`).
        self.starting: list[tuple[str, str, str, dict[str, Any] | None]] = []

    def activation(self) -> Activation:
        if self.x.status != RUNNING:
            # An execution that ended (perhaps on its history quota, in the middle of a
            # state) starts nothing more.
            self.commands = [c for c in self.commands if not isinstance(c, RunTask | StartTimer)]
        return Activation(self.x, self.commands, self.history, self.map_runs)

    # ------------------------------------------------------------------ history

    def record(
        self, scope: Scope | None, event_type: str, details: dict[str, Any] | None = None
    ) -> int:
        """Append a history event on `scope`'s chain (skipped in distributed iterations).

        A STANDARD execution's history holds at most MAX_HISTORY_EVENTS: an event that
        would take the last place, unless it ends the execution, fails the execution
        instead, and that failure is the last event, as on AWS.
        """
        if scope is not None and not scope.record:
            return 0
        closing = event_type in _CLOSING_EVENTS
        if self.x.status != RUNNING and not closing:
            return 0
        if (
            not closing
            and self.x.next_event_id >= MAX_HISTORY_EVENTS
            and self.x.state_machine_type == "STANDARD"
        ):
            self.fail_execution(HISTORY_LIMIT_ERROR, HISTORY_LIMIT_CAUSE)
            return 0
        event_id = self.x.next_event_id
        self.x.next_event_id += 1
        previous = scope.last_event_id if scope is not None else event_id - 1
        self.history.append(make_event(event_type, event_id, previous, self.at, details))
        if scope is not None:
            scope.last_event_id = event_id
        return event_id

    # ------------------------------------------------------------------ scopes

    def new_scope(
        self,
        program: str,
        state_input: Any,
        *,
        parent: Scope | None = None,
        index: int | None = None,
        variables: dict[str, Any] | None = None,
        record: bool = True,
    ) -> Scope:
        scope_id = str(self.x.next_scope)
        self.x.next_scope += 1
        scope = Scope(
            id=scope_id,
            program=program,
            parent=parent.id if parent else None,
            index=index,
            state=self.machine.programs[program].start_at,
            state_input=state_input,
            last_event_id=parent.last_event_id if parent else self.x.next_event_id - 1,
            variables=dict(variables or {}),
            record=record,
        )
        self.x.scopes[scope_id] = scope
        return scope

    def current_state(self, scope: Scope) -> State:
        assert scope.state is not None
        return self.machine.state(scope.program, scope.state)

    def context(self, scope: Scope, state: State) -> dict[str, Any]:
        """The context object (`$$`, `$states.context`) for `state` in `scope`."""
        entered: dict[str, Any] = {"EnteredTime": iso_time(scope.entered_time), "Name": state.name}
        if state.type == "Task":
            entered["RetryCount"] = scope.retry_total
        execution: dict[str, Any] = {
            "Id": self.x.execution_arn,
            "Input": self.x.input,
            "Name": self.x.name,
            "RoleArn": self.x.role_arn,
            "StartTime": iso_time(self.x.start_time),
        }
        if self.x.state_machine_type == "STANDARD":
            execution["RedriveCount"] = self.x.redrive_count  # EXPRESS: never redriven
            if self.x.redrive_time is not None:
                execution["RedriveTime"] = iso_time(self.x.redrive_time)
        return {
            "Execution": execution,
            "State": entered,
            "StateMachine": {"Id": self.x.state_machine_arn, "Name": self.x.state_machine_name},
        }

    def wait_on(self, scope: Scope, token: str) -> None:
        self.x.waiting[token] = scope.id

    def start_timer(self, scope: Scope, token: str, fire_at: float) -> None:
        self.wait_on(scope, token)
        self.commands.append(StartTimer(token=token, fire_at=fire_at))

    def token(self, scope: Scope, label: str) -> str:
        return f"{scope.id}:{label}:{self.x.next_event_id}"

    # ------------------------------------------------------------------ driving

    def begin(self, event: ExecutionStart) -> None:
        self.record(
            None,
            "ExecutionStarted",
            {**payload("input", self.x.input), "roleArn": self.x.role_arn},
        )
        scope = self.new_scope("", self.x.input)
        timeout = self.machine.timeout_seconds
        if self.x.state_machine_type == "EXPRESS":
            # An EXPRESS execution runs 5 minutes at most, whatever TimeoutSeconds says.
            timeout = min(
                timeout if timeout is not None else EXPRESS_MAX_SECONDS, EXPRESS_MAX_SECONDS
            )
        if timeout is not None:
            # The machine-wide deadline (top-level TimeoutSeconds) is a timer like any other.
            self.x.waiting[EXECUTION_DEADLINE] = scope.id
            self.commands.append(StartTimer(token=EXECUTION_DEADLINE, fire_at=self.at + timeout))
        self.schedule(scope)

    def redrive(self) -> None:
        """RedriveExecution: the ended execution runs again from the state it ended in,
        with the input that state received; states it left successfully are not run
        again, their history stays. A Map or Parallel that failed runs again whole (AWS
        reruns only its unsuccessful iterations or branches: see the docs page)."""
        root = next(s for s in self.x.scopes.values() if s.parent is None)
        # A Distributed Map that ended the execution (failed, or aborted with it) is a Map
        # Run AWS redrives: the same run goes on (`containers.act`).
        kept = root.children if root.children is not None else root.last_run
        root.last_run = None
        ended_in = self.current_state(root) if root.state is not None else None
        if (
            kept is not None
            and kept.distributed
            and kept.map_run_arn is not None
            and isinstance(ended_in, MapState)
            and ended_in.distributed
        ):
            root.redrive_run = kept
        self.x.scopes = {root.id: root}
        self.x.status = RUNNING
        self.x.output = self.x.error = self.x.cause = None
        self.x.waiting.clear()
        self.x.deadlines.clear()
        self.x.ready = []
        self.x.redrive_count += 1
        self.x.redrive_time = self.at
        root.status = RUNNING
        root.phase = "enter"
        root.pending = root.deadline = root.deadline_at = root.heartbeat = None
        root.children = None
        root.reader_items = root.writes = root.manifest = None
        root.effective_input = None
        root.failed_task = False
        root.output = root.error = root.cause = None
        self.record(None, "ExecutionRedriven", {"redriveCount": self.x.redrive_count})
        root.last_event_id = self.x.next_event_id - 1
        timeout = self.machine.timeout_seconds
        if timeout is not None:
            # The machine-wide TimeoutSeconds counts again from the redrive.
            self.x.waiting[EXECUTION_DEADLINE] = root.id
            self.commands.append(StartTimer(token=EXECUTION_DEADLINE, fire_at=self.at + timeout))
        self.schedule(root)

    def schedule(self, scope: Scope, action: str = "advance") -> None:
        self.queue.append((action, scope.id))

    def drain(self) -> None:
        """Do the queued work, up to this activation's budget; keep the rest for the next."""
        while self.queue and self.x.status == RUNNING and not self.exhausted():
            action, scope_id = self.queue.popleft()
            scope = self.x.scopes.get(scope_id)
            if scope is None or scope.status != RUNNING:
                continue
            self.work += 1
            if action == "advance":
                self.advance(scope)
            elif action == "fill":
                containers.fill(self, scope)
        self.flush_started()
        self.pause_or_settle()

    def record_started(
        self, scope: Scope, event_type: str, details: dict[str, Any] | None = None
    ) -> None:
        """A task was scheduled: its Started event (TaskStarted, LambdaFunctionStarted)
        is recorded once this activation's other work is done. Step Functions starts a
        task after the decision that scheduled it, so iterations scheduled together
        record all their TaskScheduled events before the first TaskStarted, as an
        AWS-recorded Map of concurrent Lambda tasks shows."""
        assert scope.pending is not None
        self.starting.append((scope.id, scope.pending, event_type, details))

    def flush_started(self) -> None:
        starting, self.starting = self.starting, []
        for scope_id, token, event_type, details in starting:
            scope = self.x.scopes.get(scope_id)
            if scope is not None and scope.status == RUNNING and scope.pending == token:
                self.record(scope, event_type, details)

    def exhausted(self) -> bool:
        return self.work >= WORK_PER_ACTIVATION

    def pause_or_settle(self) -> None:
        """Keep work left over in the state with a `CONTINUE` timer to resume it, or drop
        a `CONTINUE` timer nobody needs any more."""
        if self.x.status != RUNNING:
            return
        if self.queue:
            self.x.ready = [[action, scope_id] for action, scope_id in self.queue]
            if CONTINUE not in self.x.waiting:
                self.x.waiting[CONTINUE] = ""
                self.commands.append(StartTimer(token=CONTINUE, fire_at=self.at))
        elif self.x.waiting.pop(CONTINUE, None) is not None:
            self.commands.append(CancelTimer(token=CONTINUE))

    def advance(self, scope: Scope) -> None:
        """Run states in `scope` until it waits or ends (or the budget is used up: it
        goes back to the head of the queue)."""
        while scope.status == RUNNING and self.x.status == RUNNING:
            if self.exhausted():
                self.queue.appendleft(("advance", scope.id))
                return
            self.work += 1
            if scope.phase == "enter":
                self.guarded_enter(scope)
            elif scope.phase == "act":
                state = self.current_state(scope)
                self.guarded(scope, state, handlers.act)
            else:
                break
        if scope.status == RUNNING and scope.parent is not None:
            parent = self.x.scopes[scope.parent]
            if parent.children is not None and parent.status == RUNNING:
                self.schedule(parent, "fill")

    def guarded(self, scope: Scope, state: State, action: Any, *args: Any) -> None:
        """Run a handler; an evaluation error becomes the state's failure."""
        from stratus.workflows.errors import StatesError

        try:
            action(self, scope, state, *args)
        except StatesError as error:
            self.evaluation_failed(scope, state, error.error, error.cause)

    def evaluation_failed(self, scope: Scope, state: State, error: str, cause: str) -> None:
        if error in _PREFIXED_ERRORS and not cause.startswith("An error occurred"):
            cause = (
                f"An error occurred while executing the state '{state.name}' "
                f"(entered at the event id #{scope.entered_event_id}). {cause}"
            )
        if error == "States.QueryEvaluationError":
            self.record(
                scope,
                "EvaluationFailed",
                {"error": error, "cause": cause, "state": state.name},
            )
        self.fail_state(scope, state, error, cause)

    def guarded_enter(self, scope: Scope) -> None:
        """Enter the scope's state; input it cannot carry (nested deeper than Stratus
        carries data) fails the scope, as no state was entered to catch it."""
        from stratus.workflows.errors import StatesError

        try:
            self.enter(scope)
        except StatesError as error:
            self.fail_scope(scope, error.error, error.cause)

    def dispatch(self, event: Event) -> None:
        if isinstance(event, StopExecution):
            self.abort_execution(event.error, event.cause)
            return
        if isinstance(event, ExecutionStart):
            return  # an execution starts once
        if isinstance(event, UpdateMapRun):
            containers.update_map_run(self, event)
            return
        if isinstance(event, TaskHeartbeat):
            self.heartbeat(event)
            return
        if isinstance(event, TaskStarted):
            self.task_started(event)
            return
        if isinstance(event, TaskSubmitted):
            self.task_submitted(event)
            return
        token = event.token
        if token == CONTINUE:
            self.x.waiting.pop(token, None)  # the work itself came back in `ready`
            return
        if token == EXECUTION_DEADLINE:
            if self.x.waiting.pop(token, None) is not None:
                self.time_out_execution()
            return
        scope_id = self.x.waiting.pop(token, None)
        if scope_id is None:
            return  # stale: a cancelled task or timer answered late
        scope = self.x.scopes[scope_id]
        if scope.status != RUNNING:
            return
        state = self.current_state(scope)
        if isinstance(event, TimerFired):
            if token not in (scope.deadline, scope.heartbeat, scope.pending):
                return
            if token == scope.deadline:
                self.deadlines_due(scope)
            elif token == scope.heartbeat:
                error = tasks.heartbeat_error(state)
                self.guarded(scope, state, tasks.task_timed_out, error, None)
            elif scope.phase == "retry":
                scope.phase = "act"
                scope.pending = None
            else:
                self.guarded(scope, state, handlers.timer_fired)
        elif token != scope.pending:
            return
        elif scope.phase == "item-reader":
            self.reader_answered(scope, state, event)
        elif scope.phase == "result-writer":
            self.writer_answered(scope, state, event)
        elif isinstance(event, TaskSucceeded):
            self.guarded(scope, state, tasks.task_succeeded, event.output)
        elif isinstance(event, TaskFailed):
            self.guarded(scope, state, tasks.task_failed, event.error, event.cause)
        elif isinstance(event, TaskTimedOut):
            self.guarded(scope, state, tasks.task_timed_out, event.error, event.cause)
        self.schedule(scope)

    def deadlines_due(self, fired: Scope) -> None:
        """A task's TimeoutSeconds elapsed: so did every task deadline due at the same
        instant (tasks a Map or Parallel scheduled together). Step Functions records all
        their TaskTimedOut events before it handles the first failure, which then aborts
        the other iterations, as an AWS-recorded Map of four timed-out Lambda tasks
        shows; one timer after another would abort the others before they timed out."""
        group = self.x.deadlines.get(repr(fired.deadline_at), {})
        due = [fired] + [
            self.x.scopes[scope_id]
            for scope_id in group
            if scope_id != fired.id and scope_id in self.x.scopes
        ]
        timed_out: list[Scope] = []
        for scope in due:
            if scope.status != RUNNING or scope.deadline is None:
                continue
            self.x.waiting.pop(scope.deadline, None)  # its own timer, if it fires, is stale
            self.guarded(scope, self.current_state(scope), tasks.record_timed_out)
            timed_out.append(scope)
        for scope in timed_out:
            if scope.status == RUNNING and scope.id in self.x.scopes:
                state = self.current_state(scope)
                self.guarded(scope, state, tasks.fail_timed_out, "States.Timeout", None)
                if scope is not fired:
                    self.schedule(scope)

    def track_deadline(self, scope: Scope, token: str, fire_at: float) -> None:
        """Start a task's TimeoutSeconds timer, indexed by when it is due."""
        scope.deadline = token
        scope.deadline_at = fire_at
        self.x.deadlines.setdefault(repr(fire_at), {})[scope.id] = None
        self.start_timer(scope, token, fire_at)

    def forget_deadline(self, scope: Scope) -> None:
        """The task's deadline no longer matters (answered, retried, aborted)."""
        if scope.deadline_at is not None:
            key = repr(scope.deadline_at)
            group = self.x.deadlines.get(key)
            if group is not None:
                group.pop(scope.id, None)
                if not group:
                    del self.x.deadlines[key]
        scope.deadline = None
        scope.deadline_at = None

    def reader_answered(self, scope: Scope, state: State, event: Any) -> None:
        """A Distributed Map's ItemReader answered: start the iterations, or fail the
        state as States.ItemReaderFailed (catchable, retriable like any failure)."""
        if isinstance(event, TaskSucceeded):
            self.guarded(scope, state, containers.items_read, event.output)
            return
        self.x.waiting.pop(event.token, None)
        scope.pending = None
        scope.phase = "act"
        cause = getattr(event, "cause", None) or getattr(event, "error", None) or ""
        self.fail_state(scope, state, READER_FAILED, str(cause))

    def writer_answered(self, scope: Scope, state: State, event: Any) -> None:
        """A ResultWriter file was written (next one, or the state finishes), or the
        write failed: States.ResultWriterFailed."""
        if isinstance(event, TaskSucceeded):
            self.guarded(scope, state, containers.written, event.output)
            return
        self.x.waiting.pop(event.token, None)
        scope.pending = None
        scope.writes = None
        scope.children = None
        scope.phase = "act"
        cause = getattr(event, "cause", None) or getattr(event, "error", None) or ""
        self.fail_state(scope, state, "States.ResultWriterFailed", str(cause))

    def task_started(self, event: TaskStarted) -> None:
        """A worker took an activity task: ActivityStarted, with its name."""
        scope_id = self.x.waiting.get(event.token)
        scope = self.x.scopes.get(scope_id) if scope_id else None
        if scope is None or scope.pending != event.token:
            return
        state = self.current_state(scope)
        if tasks.is_activity_state(state):
            details = {"workerName": event.worker_name} if event.worker_name else None
            self.record(scope, "ActivityStarted", details)

    def task_submitted(self, event: TaskSubmitted) -> None:
        """A callback task's request was accepted: TaskSubmitted with the service's answer
        (the task keeps waiting for its token)."""
        scope_id = self.x.waiting.get(event.token)
        scope = self.x.scopes.get(scope_id) if scope_id else None
        if scope is None or scope.pending != event.token:
            return
        state = self.current_state(scope)
        kind = task_resource(getattr(state, "resource", ""))
        if kind is None or kind[0] == "activity":
            return
        details = {"resourceType": kind[0], "resource": kind[1]}
        self.record(scope, "TaskSubmitted", {**details, **payload("output", event.output)})

    def heartbeat(self, event: TaskHeartbeat) -> None:
        """SendTaskHeartbeat: push the task's heartbeat deadline forward."""
        scope_id = self.x.waiting.get(event.token)
        scope = self.x.scopes.get(scope_id) if scope_id else None
        if scope is None or scope.pending != event.token or scope.heartbeat is None:
            return
        self.commands.append(CancelTimer(token=scope.heartbeat))
        self.x.waiting.pop(scope.heartbeat, None)
        scope.heartbeat = f"{event.token}:heartbeat:{self.x.next_event_id}"
        self.start_timer(scope, scope.heartbeat, self.at + (scope.heartbeat_seconds or 0))

    # ------------------------------------------------------------------ transitions

    def enter(self, scope: Scope) -> None:
        state = self.current_state(scope)
        scope.entered_time = self.at
        scope.retry_counts = [0] * len(state.retry)
        scope.retry_total = 0
        scope.failed_task = False
        scope.entered_event_id = self.record(
            scope,
            f"{state.type}StateEntered",
            {"name": state.name, **payload("input", scope.state_input)},
        )
        scope.phase = "act"

    def exit(
        self, scope: Scope, state: State, output: Any, assigned: dict[str, Any] | None = None
    ) -> None:
        """Leave `state` with `output`: record the Exited event and go on (or end)."""
        details: dict[str, Any] = {"name": state.name, **payload("output", output)}
        if assigned:
            scope.variables.update(assigned)
            details["assignedVariables"] = {
                key: _json_text(value) for key, value in assigned.items()
            }
            details["assignedVariablesDetails"] = {"truncated": False}
        self.record(scope, f"{state.type}StateExited", details)
        self.transition(scope, state, output, state.next if not state.end else None)

    def transition(self, scope: Scope, state: State, output: Any, next_name: str | None) -> None:
        scope.pending = None
        self.forget_deadline(scope)
        scope.heartbeat = None
        scope.children = None
        if next_name is None or state.type == "Succeed":
            self.finish_scope(scope, output)
            return
        scope.state = next_name
        scope.state_input = output
        scope.effective_input = None
        scope.phase = "enter"

    def finish_scope(self, scope: Scope, output: Any) -> None:
        scope.status = SUCCEEDED
        scope.phase = "done"
        scope.output = output
        if scope.parent is None:
            self.x.status = SUCCEEDED
            self.x.output = output
            self.record(None, "ExecutionSucceeded", payload("output", output))
            self.commands.append(CompleteExecution(status=SUCCEEDED, output=output))
            return
        containers.child_finished(self, scope)

    def fail_state(self, scope: Scope, state: State, error: str | None, cause: str | None) -> None:
        """A state failed: Retry, else Catch, else the scope fails (error may be None:
        a Fail state without Error)."""
        if error in TERMINAL_ERRORS:
            self.fail_execution(error, cause)
            return
        retrier_index = find_retrier(error, state.retry)
        if retrier_index is not None:
            retrier = state.retry[retrier_index]
            attempts = scope.retry_counts[retrier_index]
            if attempts < retrier.max_attempts:
                from stratus.workflows.interpreter.retry import backoff_seconds

                scope.retry_counts[retrier_index] = attempts + 1
                scope.retry_total += 1
                delay = backoff_seconds(retrier, attempts, f"{self.x.execution_arn}:{scope.id}")
                scope.phase = "retry"
                token = self.token(scope, "retry")
                scope.pending = token
                self.forget_deadline(scope)
                scope.heartbeat = None
                self.start_timer(scope, token, self.at + delay)
                return
        containers.state_failed(self, scope, state)
        catcher = find_catcher(error, state.catch)
        if catcher is None:
            self.fail_scope(scope, error, cause)
            return
        results.catch(self, scope, state, catcher, error, cause)

    def fail_scope(self, scope: Scope, error: str | None, cause: str | None) -> None:
        scope.status = FAILED
        scope.phase = "done"
        scope.error = error
        scope.cause = cause
        if scope.parent is None:
            self.fail_execution(error, cause)
            return
        containers.child_finished(self, scope)

    def fail_execution(self, error: str | None, cause: str | None) -> None:
        if self.x.status != RUNNING:
            return
        self.cancel_all()
        self.x.status = FAILED
        self.x.error = error
        self.x.cause = cause
        details: dict[str, Any] = {}
        if error is not None:
            details["error"] = error
        if cause is not None:
            details["cause"] = cause
        self.record(None, "ExecutionFailed", details)
        self.commands.append(CompleteExecution(status=FAILED, error=error, cause=cause))

    def time_out_execution(self) -> None:
        """The top-level TimeoutSeconds elapsed: ExecutionTimedOut."""
        self.cancel_all()
        self.x.status = TIMED_OUT
        self.x.error = "States.Timeout"
        self.record(None, "ExecutionTimedOut", {"error": "States.Timeout"})
        self.commands.append(CompleteExecution(status=TIMED_OUT, error="States.Timeout"))

    def abort_execution(self, error: str | None, cause: str | None) -> None:
        self.cancel_all()
        self.x.status = ABORTED
        self.x.error = error
        self.x.cause = cause
        details: dict[str, Any] = {}
        if error is not None:
            details["error"] = error
        if cause is not None:
            details["cause"] = cause
        self.record(None, "ExecutionAborted", details)
        self.commands.append(CompleteExecution(status=ABORTED, error=error, cause=cause))

    def cancel_all(self) -> None:
        """Cancel every pending task and timer (the execution is over)."""
        for token, scope_id in list(self.x.waiting.items()):
            scope = self.x.scopes.get(scope_id)
            is_task = (
                scope is not None
                and scope.phase in ("task", "item-reader", "result-writer")
                and token == scope.pending
            )
            self.commands.append(CancelTask(token=token) if is_task else CancelTimer(token=token))
        self.x.waiting.clear()
        self.x.deadlines.clear()
        for scope in list(self.x.scopes.values()):
            if scope.status == RUNNING:
                containers.map_run_aborted(self, scope)
        for scope in self.x.scopes.values():
            if scope.status == RUNNING:
                scope.status = ABORTED
                scope.phase = "done"

    def cancel_scope_waits(self, scope: Scope) -> None:
        """Cancel what one scope waits on (it is being aborted)."""
        for token, scope_id in list(self.x.waiting.items()):
            if scope_id != scope.id:
                continue
            del self.x.waiting[token]
            is_task = (
                scope.phase in ("task", "item-reader", "result-writer") and token == scope.pending
            )
            self.commands.append(CancelTask(token=token) if is_task else CancelTimer(token=token))
        scope.pending = None
        self.forget_deadline(scope)
        scope.heartbeat = None


def _json_text(value: Any) -> str:
    from stratus.workflows.interpreter.history import to_json_text

    return to_json_text(value)
