"""An inline Map runs at most 40 iterations at once, whatever MaxConcurrency says."""

from __future__ import annotations

import pytest

from stratus.workflows.definition import parse_definition
from stratus.workflows.interpreter import ExecutionStart, RunTask, start_execution


def _machine(max_concurrency: int | None, mode: str = "INLINE") -> object:
    processor: dict[str, object] = {
        "StartAt": "T",
        "States": {
            "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}
        },
    }
    if mode == "DISTRIBUTED":
        processor["ProcessorConfig"] = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
    state: dict[str, object] = {"Type": "Map", "ItemProcessor": processor, "End": True}
    if max_concurrency is not None:
        state["MaxConcurrency"] = max_concurrency
    return parse_definition({"StartAt": "M", "States": {"M": state}})


@pytest.mark.parametrize(
    ("max_concurrency", "mode", "started"),
    [
        (None, "INLINE", 40),
        (0, "INLINE", 40),
        (100, "INLINE", 40),
        (7, "INLINE", 7),
        (0, "DISTRIBUTED", 100),
    ],
    ids=["default", "zero", "above-40", "below-40", "distributed"],
)
def test_iterations_started_at_once(max_concurrency: int | None, mode: str, started: int) -> None:
    machine = _machine(max_concurrency, mode)
    activation = start_execution(machine, ExecutionStart(at=0.0, input=list(range(100))))  # type: ignore[arg-type]
    tasks = [c for c in activation.commands if isinstance(c, RunTask)]
    assert len(tasks) == started
