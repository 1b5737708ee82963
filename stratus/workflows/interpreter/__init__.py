"""The pure ASL interpreter: execution state as data, one event in, commands out.

    activation = start_execution(machine, ExecutionStart(at=now, input=...))
    activation = step(machine, activation.state, TaskSucceeded(at=now, token=..., output=...))

See `core.py` for the model and `messages.py` for events and commands.
"""

from stratus.workflows.interpreter.core import (
    Activation,
    redrive_execution,
    start_execution,
    step,
)
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
    event_from_dict,
    to_dict,
)
from stratus.workflows.interpreter.model import ExecutionState

__all__ = [
    "Activation",
    "CancelTask",
    "CancelTimer",
    "Command",
    "CompleteExecution",
    "Event",
    "ExecutionStart",
    "ExecutionState",
    "RunTask",
    "StartTimer",
    "StopExecution",
    "TaskFailed",
    "TaskHeartbeat",
    "TaskResources",
    "TaskStarted",
    "TaskSubmitted",
    "TaskSucceeded",
    "TaskTimedOut",
    "TimerFired",
    "UpdateMapRun",
    "event_from_dict",
    "redrive_execution",
    "start_execution",
    "step",
    "to_dict",
]
