"""Step Functions' own limits in the pure core (`stratus/workflows/limits.py`).

The history quota's shape is AWS's, as measured on a Choice looping forever: FAILED with
States.Runtime, "The execution reached the maximum number of history events (25000).",
event 25,000 is ExecutionFailed and 24,999 the machine's last own event
(https://github.com/floci-io/floci/issues/2734; the error and cause also in
https://github.com/loads/ardere/issues/86). Express executions have no history quota
("Maximum execution history size: Unlimited", Quotas for Express Workflows) but run 5
minutes at most.
"""

from __future__ import annotations

from typing import Any

import pytest

from stratus.workflows.definition import StateMachine, parse_definition
from stratus.workflows.errors import DefinitionError
from stratus.workflows.interpreter import (
    Activation,
    ExecutionStart,
    ExecutionState,
    RunTask,
    StartTimer,
    TimerFired,
    start_execution,
    step,
)
from stratus.workflows.interpreter.core import CONTINUE, EXECUTION_DEADLINE
from stratus.workflows.limits import (
    HISTORY_LIMIT_CAUSE,
    MAX_HISTORY_EVENTS,
    MAX_JSON_DEPTH,
    WORK_PER_ACTIVATION,
)

SPIN = {
    "StartAt": "Loop",
    "States": {
        "Loop": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.spin", "BooleanEquals": True, "Next": "Loop"}],
            "Default": "Done",
        },
        "Done": {"Type": "Succeed"},
    },
}


def map_of_passes(mode: str = "INLINE") -> dict[str, Any]:
    processor: dict[str, Any] = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    if mode == "DISTRIBUTED":
        processor["ProcessorConfig"] = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
    return {
        "StartAt": "M",
        "States": {"M": {"Type": "Map", "ItemProcessor": processor, "End": True}},
    }


def continues(activation: Activation) -> bool:
    return any(isinstance(c, StartTimer) and c.token == CONTINUE for c in activation.commands)


def run_slices(
    machine: StateMachine, execution_input: Any, kind: str, *, max_slices: int = 10_000
) -> tuple[Activation, list[dict[str, Any]], int]:
    """Start an execution and feed it its CONTINUE timers; (last activation, every history
    event, number of activations)."""
    activation = start_execution(
        machine, ExecutionStart(at=0.0, input=execution_input, state_machine_type=kind)
    )
    events = list(activation.history)
    slices = 1
    while not activation.done and continues(activation) and slices < max_slices:
        activation = step(
            machine, activation.state, TimerFired(at=1.0, token=CONTINUE), in_place=True
        )
        events += activation.history
        slices += 1
    return activation, events, slices


def test_a_standard_loop_fails_on_its_25000th_event_as_aws_records_it() -> None:
    activation, events, slices = run_slices(parse_definition(SPIN), {"spin": True}, "STANDARD")
    assert activation.done and slices > 1  # it yielded on the way
    assert activation.state.status == "FAILED"
    assert activation.state.error == "States.Runtime"
    assert activation.state.cause == HISTORY_LIMIT_CAUSE
    assert HISTORY_LIMIT_CAUSE == (
        "The execution reached the maximum number of history events (25000)."
    )
    assert len(events) == MAX_HISTORY_EVENTS
    assert [e["id"] for e in events] == list(range(1, MAX_HISTORY_EVENTS + 1))
    last, before = events[-1], events[-2]
    assert last["type"] == "ExecutionFailed"
    assert last["previousEventId"] == MAX_HISTORY_EVENTS - 1
    assert last["executionFailedEventDetails"] == {
        "error": "States.Runtime",
        "cause": HISTORY_LIMIT_CAUSE,
    }
    assert before["type"] == "ChoiceStateExited"
    assert activation.commands[-1].kind == "CompleteExecution"
    # an ended execution asks for nothing more: no task, no timer
    assert not any(isinstance(c, RunTask | StartTimer) for c in activation.commands)


def test_an_express_loop_has_no_history_limit_but_a_5_minute_deadline() -> None:
    machine = parse_definition(SPIN)
    activation, events, _ = run_slices(machine, {"spin": True}, "EXPRESS", max_slices=20)
    assert activation.state.status == "RUNNING"
    assert len(events) > MAX_HISTORY_EVENTS
    deadline = activation.state.waiting.get(EXECUTION_DEADLINE)
    assert deadline is not None
    timed_out = step(machine, activation.state, TimerFired(at=300.0, token=EXECUTION_DEADLINE))
    assert timed_out.state.status == "TIMED_OUT"
    assert timed_out.history[-1]["type"] == "ExecutionTimedOut"


@pytest.mark.parametrize(
    ("timeout_seconds", "kind", "fire_at"),
    [
        (None, "EXPRESS", 300.0),
        (600, "EXPRESS", 300.0),
        (10, "EXPRESS", 10.0),
        (None, "STANDARD", None),
        (600, "STANDARD", 600.0),
    ],
    ids=["express-default", "express-capped", "express-shorter", "standard", "standard-own"],
)
def test_execution_deadline(timeout_seconds: int | None, kind: str, fire_at: float | None) -> None:
    definition: dict[str, Any] = {
        "StartAt": "W",
        "States": {"W": {"Type": "Wait", "Seconds": 1, "End": True}},
    }
    if timeout_seconds is not None:
        definition["TimeoutSeconds"] = timeout_seconds
    activation = start_execution(
        parse_definition(definition), ExecutionStart(at=0.0, state_machine_type=kind)
    )
    deadlines = [
        c.fire_at
        for c in activation.commands
        if isinstance(c, StartTimer) and c.token == EXECUTION_DEADLINE
    ]
    assert deadlines == ([] if fire_at is None else [fire_at])


@pytest.mark.parametrize(
    ("kind", "mode", "status", "history_events"),
    [
        ("STANDARD", "INLINE", "FAILED", MAX_HISTORY_EVENTS),
        ("EXPRESS", "INLINE", "SUCCEEDED", 4 * 100_000 + 6),
        ("STANDARD", "DISTRIBUTED", "SUCCEEDED", 8),
    ],
    ids=["standard-inline", "express-inline", "standard-distributed"],
)
def test_a_map_of_100000_items_runs_in_slices(
    kind: str, mode: str, status: str, history_events: int
) -> None:
    """Each activation does a bounded amount of work: an inline Map writes four events
    per iteration, so a STANDARD one stops at the history quota, as on AWS; an EXPRESS one
    and a distributed one (whose iterations are child executions with their own history)
    run all 100,000 items."""
    machine = parse_definition(map_of_passes(mode))
    activation, events, slices = run_slices(machine, [0] * 100_000, kind)
    assert activation.state.status == status
    assert len(events) == history_events
    assert slices > 10
    if status == "SUCCEEDED":
        assert activation.state.output == [0] * 100_000


def test_work_left_over_survives_a_round_trip_through_storage() -> None:
    """The durable runner stores the state between activations; a paused one resumes from
    the stored dict alone."""
    machine = parse_definition(map_of_passes())
    activation = start_execution(
        machine, ExecutionStart(at=0.0, input=[0] * 5_000, state_machine_type="EXPRESS")
    )
    assert activation.state.ready and continues(activation)
    while not activation.done:
        stored = ExecutionState.from_dict(activation.state.to_dict())
        activation = step(machine, stored, TimerFired(at=1.0, token=CONTINUE))
    assert activation.state.status == "SUCCEEDED"
    assert activation.state.output == [0] * 5_000


def test_a_distributed_map_runs_10000_iterations_at_once() -> None:
    """ "If you don't specify [MaxConcurrency], Step Functions runs 10,000 parallel child
    workflow executions" (Using Map state in Distributed mode)."""
    definition = map_of_passes("DISTRIBUTED")
    definition["States"]["M"]["ItemProcessor"]["States"]["P"] = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "End": True,
    }
    machine = parse_definition(definition)
    activation = start_execution(machine, ExecutionStart(at=0.0, input=[0] * 10_050))
    started = 0
    while True:
        started += sum(isinstance(c, RunTask) for c in activation.commands)
        if not continues(activation):
            break
        activation = step(
            machine, activation.state, TimerFired(at=1.0, token=CONTINUE), in_place=True
        )
    assert started == 10_000


def nested(depth: int) -> Any:
    value: Any = 0
    for _ in range(depth):
        value = [value]
    return value


def test_a_definition_nested_too_deep_is_refused_before_it_is_walked() -> None:
    text = '{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true, "Result": '
    deep = text + "[" * 10_000 + "]" * 10_000 + "}}}"
    with pytest.raises(DefinitionError) as error:
        parse_definition(deep)
    assert error.value.problems == [
        "INVALID_JSON_DESCRIPTION: The definition is nested deeper than the maximum depth "
        f"({MAX_JSON_DEPTH})"
    ]


def test_data_built_deeper_than_the_limit_fails_the_state() -> None:
    """A loop that wraps its input once more on every turn ends on States.DataLimitExceeded
    instead of carrying data the store could not write."""
    grow = {
        "StartAt": "Wrap",
        "States": {
            "Wrap": {"Type": "Pass", "Parameters": {"a.$": "$"}, "Next": "Again"},
            "Again": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.a", "IsPresent": True, "Next": "Wrap"}],
                "Default": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    activation, _, _ = run_slices(parse_definition(grow), nested(150), "STANDARD")
    assert activation.state.status == "FAILED"
    assert activation.state.error == "States.DataLimitExceeded"
    assert activation.state.cause == (
        f"The data is nested deeper than the maximum depth ({MAX_JSON_DEPTH})."
    )


def test_the_budget_bounds_an_activation() -> None:
    activation = start_execution(
        parse_definition(SPIN), ExecutionStart(at=0.0, input={"spin": True})
    )
    assert continues(activation)
    # two events per turn of the loop, about two units of work per turn
    assert len(activation.history) <= WORK_PER_ACTIVATION + 2
