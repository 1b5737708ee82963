"""Typed, frozen records for each ASL state type (see `stratus.workflows.definition`)."""

from stratus.workflows.states.base import JSONATA, JSONPATH, Catcher, Retrier, State
from stratus.workflows.states.compound import MapState, ParallelState
from stratus.workflows.states.flow import (
    ChoiceState,
    FailState,
    PassState,
    SucceedState,
    WaitState,
)
from stratus.workflows.states.program import Program
from stratus.workflows.states.task import TaskState

__all__ = [
    "JSONATA",
    "JSONPATH",
    "Catcher",
    "ChoiceState",
    "FailState",
    "MapState",
    "ParallelState",
    "PassState",
    "Program",
    "Retrier",
    "State",
    "SucceedState",
    "TaskState",
    "WaitState",
]
