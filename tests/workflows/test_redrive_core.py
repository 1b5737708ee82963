"""The pure core's redrive: an ended execution continues from the state it ended in."""

from __future__ import annotations

import json
from typing import Any

from stratus.workflows.definition import parse_definition
from stratus.workflows.interpreter import (
    Activation,
    ExecutionStart,
    ExecutionState,
    RunTask,
    StartTimer,
    StopExecution,
    TaskFailed,
    TaskSucceeded,
    redrive_execution,
    start_execution,
    step,
)

T0 = 1_700_000_000.0
TASK = "arn:aws:states:::lambda:invoke"


def machine(states: dict[str, Any], **top: Any) -> Any:
    return parse_definition(json.dumps({"StartAt": next(iter(states)), "States": states, **top}))


def types(activation: Activation) -> list[str]:
    return [event["type"] for event in activation.history]


def the_task(activation: Activation) -> RunTask:
    (task,) = [c for c in activation.commands if isinstance(c, RunTask)]
    return task


FLOW = machine(
    {
        "Prepare": {"Type": "Pass", "Result": 1, "ResultPath": "$.prepared", "Next": "Work"},
        "Work": {"Type": "Task", "Resource": TASK, "ResultPath": "$.work", "End": True},
    }
)


def failed_execution() -> ExecutionState:
    first = start_execution(FLOW, ExecutionStart(at=T0, input={"id": 3}))
    ended = step(FLOW, first.state, TaskFailed(at=T0 + 1, token=the_task(first).token, error="E"))
    assert ended.state.status == "FAILED"
    # stored as JSON and read back, as the service does
    return ExecutionState.from_dict(json.loads(json.dumps(ended.state.to_dict())))


def test_redrive_enters_the_failed_state_again_with_its_input() -> None:
    state = failed_execution()
    events_before = state.next_event_id - 1
    again = redrive_execution(FLOW, state, T0 + 10)
    assert types(again) == [
        "ExecutionRedriven",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
    ]
    assert again.history[0]["id"] == events_before + 1
    assert again.history[0]["executionRedrivenEventDetails"] == {"redriveCount": 1}
    task = the_task(again)
    assert task.context["Execution"]["RedriveCount"] == 1
    assert task.context["Execution"]["RedriveTime"]
    entered = again.history[1]["stateEnteredEventDetails"]
    assert json.loads(entered["input"]) == {"id": 3, "prepared": 1}
    done = step(FLOW, again.state, TaskSucceeded(at=T0 + 11, token=task.token, output="ok"))
    assert done.state.status == "SUCCEEDED"
    assert done.state.output == {"id": 3, "prepared": 1, "work": "ok"}


def test_an_aborted_execution_redriven_twice_counts_both() -> None:
    first = start_execution(FLOW, ExecutionStart(at=T0, input={}))
    stopped = step(FLOW, first.state, StopExecution(at=T0 + 1, error=None, cause=None))
    assert stopped.state.status == "ABORTED"
    again = redrive_execution(FLOW, stopped.state, T0 + 2)
    stopped = step(FLOW, again.state, StopExecution(at=T0 + 3, error=None, cause=None))
    twice = redrive_execution(FLOW, stopped.state, T0 + 4)
    assert twice.history[0]["executionRedrivenEventDetails"] == {"redriveCount": 2}
    assert twice.state.redrive_count == 2 and twice.state.status == "RUNNING"


def test_the_execution_timeout_counts_again_from_the_redrive() -> None:
    timed = machine({"Work": {"Type": "Task", "Resource": TASK, "End": True}}, TimeoutSeconds=60)
    first = start_execution(timed, ExecutionStart(at=T0, input={}))
    ended = step(timed, first.state, TaskFailed(at=T0 + 1, token=the_task(first).token, error="E"))
    again = redrive_execution(timed, ended.state, T0 + 100)
    deadlines = [c.fire_at for c in again.commands if isinstance(c, StartTimer)]
    assert deadlines == [T0 + 160]


def test_a_failed_parallel_runs_again_whole() -> None:
    parallel = machine(
        {
            "Both": {
                "Type": "Parallel",
                "End": True,
                "Branches": [
                    {"StartAt": "L", "States": {"L": {"Type": "Pass", "End": True}}},
                    {
                        "StartAt": "R",
                        "States": {"R": {"Type": "Task", "Resource": TASK, "End": True}},
                    },
                ],
            }
        }
    )
    first = start_execution(parallel, ExecutionStart(at=T0, input={"n": 1}))
    ended = step(
        parallel, first.state, TaskFailed(at=T0 + 1, token=the_task(first).token, error="E")
    )
    assert ended.state.status == "FAILED"
    again = redrive_execution(parallel, ended.state, T0 + 2)
    assert types(again)[:3] == ["ExecutionRedriven", "ParallelStateEntered", "ParallelStateStarted"]
    done = step(
        parallel, again.state, TaskSucceeded(at=T0 + 3, token=the_task(again).token, output=2)
    )
    assert done.state.status == "SUCCEEDED" and done.state.output == [{"n": 1}, 2]
