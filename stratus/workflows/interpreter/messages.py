"""What flows in and out of the pure core: events from the driver, commands to it.

Every record is plain data that round-trips through JSON (`to_dict` / `event_from_dict`),
because the durable driver stores the pending commands and replays events after a restart.
Times are epoch seconds (floats), supplied by the driver: the core never reads a clock.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True, kw_only=True)
class ExecutionStart:
    """Start an execution. Names and ARNs feed the context object (`$$.Execution...`)."""

    at: float
    input: Any = field(default_factory=dict)
    execution_arn: str = "arn:aws:states:us-east-1:000000000000:execution:machine:execution"
    name: str = "execution"
    state_machine_arn: str = "arn:aws:states:us-east-1:000000000000:stateMachine:machine"
    state_machine_name: str = "machine"
    role_arn: str = "arn:aws:iam::000000000000:role/stratus"
    state_machine_type: str = "STANDARD"
    kind: str = "ExecutionStart"


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskSucceeded:
    """The task behind `token` returned `output`."""

    at: float
    token: str
    output: Any = None
    kind: str = "TaskSucceeded"


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskFailed:
    """The task behind `token` failed with an ASL error name and cause."""

    at: float
    token: str
    error: str = "States.TaskFailed"
    cause: str | None = None
    kind: str = "TaskFailed"


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskTimedOut:
    """The driver gave up on the task behind `token` (its own deadline, or heartbeat)."""

    at: float
    token: str
    error: str = "States.Timeout"
    cause: str | None = None
    kind: str = "TaskTimedOut"


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskHeartbeat:
    """SendTaskHeartbeat for the task behind `token` (resets its HeartbeatSeconds timer)."""

    at: float
    token: str
    kind: str = "TaskHeartbeat"


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskStarted:
    """A worker took the task behind `token` (GetActivityTask): ActivityStarted."""

    at: float
    token: str
    worker_name: str | None = None
    kind: str = "TaskStarted"


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskSubmitted:
    """A callback task's service accepted the request (``.waitForTaskToken``): TaskSubmitted
    with the service's answer; the task still waits for SendTaskSuccess/Failure."""

    at: float
    token: str
    output: Any = None
    kind: str = "TaskSubmitted"


@dataclass(frozen=True, slots=True, kw_only=True)
class TimerFired:
    """The timer `token` (a Wait, a retry back-off, a task deadline) is due."""

    at: float
    token: str
    kind: str = "TimerFired"


@dataclass(frozen=True, slots=True, kw_only=True)
class StopExecution:
    """StopExecution: abort everything still running."""

    at: float
    error: str | None = None
    cause: str | None = None
    kind: str = "StopExecution"


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateMapRun:
    """UpdateMapRun: a running Distributed Map takes new limits (None: unchanged); the
    next children it starts, and the next failure it counts, follow them."""

    at: float
    map_run_arn: str
    max_concurrency: int | None = None
    tolerated_failure_count: int | None = None
    tolerated_failure_percentage: float | None = None
    kind: str = "UpdateMapRun"


Event = (
    ExecutionStart
    | TaskSucceeded
    | TaskFailed
    | TaskTimedOut
    | TaskHeartbeat
    | TaskStarted
    | TaskSubmitted
    | TimerFired
    | StopExecution
    | UpdateMapRun
)

_EVENT_KINDS: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        ExecutionStart,
        TaskSucceeded,
        TaskFailed,
        TaskTimedOut,
        TaskHeartbeat,
        TaskStarted,
        TaskSubmitted,
        TimerFired,
        StopExecution,
        UpdateMapRun,
    )
}


@dataclass(frozen=True, slots=True, kw_only=True)
class RunTask:
    """Run `resource` with `input`; answer with TaskSucceeded/TaskFailed for `token`.

    `context` is the context object of the Task state (for `.waitForTaskToken` the token
    is `context["Task"]["Token"]`). `timeout_seconds` is informative: the core also
    starts a deadline timer and reports States.Timeout itself when it fires first.
    """

    token: str
    resource: str
    input: Any
    state_name: str
    context: dict[str, Any]
    timeout_seconds: float | None = None
    heartbeat_seconds: float | None = None
    credentials: Any = None
    kind: str = "RunTask"


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelTask:
    """The task behind `token` is no longer wanted (timed out, aborted)."""

    token: str
    kind: str = "CancelTask"


@dataclass(frozen=True, slots=True, kw_only=True)
class StartTimer:
    """Send TimerFired(`token`) at epoch second `fire_at` (in the past: at once)."""

    token: str
    fire_at: float
    kind: str = "StartTimer"


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelTimer:
    """The timer `token` is no longer wanted."""

    token: str
    kind: str = "CancelTimer"


@dataclass(frozen=True, slots=True, kw_only=True)
class CompleteExecution:
    """The execution ended: SUCCEEDED (output), FAILED / ABORTED / TIMED_OUT (error, cause)."""

    status: str
    output: Any = None
    error: str | None = None
    cause: str | None = None
    kind: str = "CompleteExecution"


Command = RunTask | CancelTask | StartTimer | CancelTimer | CompleteExecution


class TaskResources(Protocol):
    """What the driver lends the core to resolve a Task's resource as the state acts.

    On AWS a resource that cannot be used now (an activity deleted after the machine was
    created) fails the state as it is evaluated, before anything is scheduled: no Activity
    event, States.Runtime with the state's location prefix. Only the integration knows
    (its registry), and the answer must be there while the core acts (an event coming
    back later would be recorded after the other scopes' events of this activation), so
    the core asks this synchronous, read-only view. It does no IO: a lookup in memory,
    which cannot change during a step (the step runs without yielding).
    """

    def unavailable(self, resource: str, execution_arn: str) -> str | None:
        """The cause of the States.Runtime failure when `execution_arn` cannot use
        `resource` now, else None."""
        ...


def to_dict(record: Event | Command) -> dict[str, Any]:
    """A JSON-ready dict of an event or command (its `kind` says which)."""
    return asdict(record)


def event_from_dict(data: dict[str, Any]) -> Event:
    """Rebuild an event stored with `to_dict`."""
    cls = _EVENT_KINDS[data["kind"]]
    result: Event = cls(**data)
    return result
