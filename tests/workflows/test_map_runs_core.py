"""The pure core's side of Map Runs: the changes a Distributed Map reports, its ARNs,
UpdateMapRun as an event and the redrive of a Map Run."""

from __future__ import annotations

import json
import re
from typing import Any

from stratus.workflows.definition import parse_definition
from stratus.workflows.interpreter import (
    ExecutionStart,
    ExecutionState,
    RunTask,
    TaskFailed,
    TaskSucceeded,
    UpdateMapRun,
    redrive_execution,
    start_execution,
    step,
)
from stratus.workflows.interpreter.map_runs import child_arn, child_name, machine_of

T0 = 1_700_000_000.0
LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
EXECUTION = "arn:aws:states:us-east-1:111111111111:execution:machine:run-1"
START = ExecutionStart(
    at=T0,
    input=[{"n": 0}, {"n": 1}, {"n": 2}],
    execution_arn=EXECUTION,
    name="run-1",
    state_machine_arn="arn:aws:states:us-east-1:111111111111:stateMachine:machine",
    state_machine_name="machine",
)


def distributed(states: dict[str, Any], **fields: Any) -> Any:
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": next(iter(states)),
        "States": states,
    }
    definition = {
        "StartAt": "Each",
        "States": {"Each": {"Type": "Map", "ItemProcessor": processor, **fields, "End": True}},
    }
    return parse_definition(json.dumps(definition))


def test_a_map_run_reports_its_start_its_children_and_its_end() -> None:
    sm = distributed({"P": {"Type": "Pass", "End": True}}, Label="Lbl", MaxConcurrency=2)
    activation = start_execution(sm, START)
    kinds = [(c.kind, c.status, c.index) for c in activation.map_runs]
    assert kinds[0] == ("started", "RUNNING", None)
    assert kinds[-1] == ("ended", "SUCCEEDED", None)
    children = [k for k in kinds if k[0] == "child"]
    assert sorted(children) == sorted(
        [("child", s, i) for i in range(3) for s in ("RUNNING", "SUCCEEDED")]
    )
    run_arn = activation.map_runs[0].map_run_arn
    assert re.fullmatch(
        r"arn:aws:states:us-east-1:111111111111:mapRun:machine/Lbl:[0-9a-f-]{36}", run_arn
    )
    assert activation.map_runs[0].details["total"] == 3
    assert activation.map_runs[0].details["maxConcurrency"] == 2
    assert activation.map_runs[-1].details == {"resultsWritten": 3}
    first = activation.map_runs[1].details
    assert first["arn"] == child_arn(run_arn, 0, "STANDARD")
    assert first["arn"].endswith(":machine/Lbl:" + child_name(run_arn, 0))
    assert machine_of(run_arn) == "arn:aws:states:us-east-1:111111111111:stateMachine:machine/Lbl"
    # replayed, the same step names the same run
    assert start_execution(sm, START).map_runs[0].map_run_arn == run_arn


def test_update_map_run_starts_more_children_at_once() -> None:
    sm = distributed(
        {"W": {"Type": "Task", "Resource": LAMBDA_INVOKE, "End": True}}, MaxConcurrency=1
    )
    activation = start_execution(sm, START)
    assert len([c for c in activation.commands if isinstance(c, RunTask)]) == 1
    run_arn = activation.map_runs[0].map_run_arn
    state = ExecutionState.from_dict(json.loads(json.dumps(activation.state.to_dict())))
    updated = step(sm, state, UpdateMapRun(at=T0 + 1, map_run_arn=run_arn, max_concurrency=3))
    assert len([c for c in updated.commands if isinstance(c, RunTask)]) == 2
    other = step(sm, state, UpdateMapRun(at=T0 + 1, map_run_arn=run_arn + "x", max_concurrency=3))
    assert not other.commands  # another run's update changes nothing here


def test_a_redrive_continues_the_failed_map_run_with_its_unsuccessful_children() -> None:
    sm = distributed(
        {"W": {"Type": "Task", "Resource": LAMBDA_INVOKE, "End": True}}, MaxConcurrency=1
    )
    activation = start_execution(sm, START)
    run_arn = activation.map_runs[0].map_run_arn
    (task,) = [c for c in activation.commands if isinstance(c, RunTask)]
    activation = step(sm, activation.state, TaskSucceeded(at=T0 + 1, token=task.token, output=1))
    (task,) = [c for c in activation.commands if isinstance(c, RunTask)]
    activation = step(sm, activation.state, TaskFailed(at=T0 + 2, token=task.token, error="E"))
    assert activation.state.status == "FAILED"
    assert [(c.kind, c.status) for c in activation.map_runs][-1] == ("ended", "FAILED")

    state = ExecutionState.from_dict(json.loads(json.dumps(activation.state.to_dict())))
    redriven = redrive_execution(sm, state, T0 + 3)
    assert redriven.map_runs[0].kind == "redriven"
    assert redriven.map_runs[0].map_run_arn == run_arn
    assert redriven.map_runs[0].details == {"redriveCount": 1}
    event = next(e for e in redriven.history if e["type"] == "MapRunRedriven")
    assert event["mapRunRedrivenEventDetails"] == {"mapRunArn": run_arn, "redriveCount": 1}
    (task,) = [c for c in redriven.commands if isinstance(c, RunTask)]
    assert task.input == {"n": 1}
    assert [(c.kind, c.index) for c in redriven.map_runs if c.kind == "child"] == [("child", 1)]
