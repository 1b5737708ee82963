"""TestState's core: one state run alone, with the status and next state AWS reports."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from stratus.services.scope import Scope
from stratus.workflows.errors import StatesError
from stratus.workflows.integrations.base import IntegrationRegistry, TaskRequest
from stratus.workflows.service.errors import InvalidDefinitionError, InvalidParameter
from stratus.workflows.service.single_state import StateTester

SCOPE = Scope("000000000000", "us-east-1")

ECHO = "arn:aws:states:::stratus-test:echo"
BOOM = "arn:aws:states:::stratus-test:boom"


async def _echo(request: TaskRequest) -> Any:
    return {"echo": request.input}


async def _boom(request: TaskRequest) -> Any:
    raise StatesError("Boom.Error", "it broke")


def _tester() -> StateTester:
    registry = IntegrationRegistry()
    registry.add("echo", lambda r: r == ECHO, _echo)
    registry.add("boom", lambda r: r == BOOM, _boom)
    return StateTester(registry)


def run(definition: dict[str, Any], state_input: Any, **kwargs: Any) -> dict[str, Any]:
    return asyncio.run(
        _tester().test(json.dumps(definition), json.dumps(state_input), scope=SCOPE, **kwargs)
    )


def test_pass_reports_output_and_next_state() -> None:
    result = run(
        {"Type": "Pass", "Result": {"x": 1}, "ResultPath": "$.r", "Next": "After"}, {"a": 1}
    )
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {"a": 1, "r": {"x": 1}}
    assert result["nextState"] == "After"


def test_choice_reports_the_branch_taken() -> None:
    choice = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.n", "NumericGreaterThan": 5, "Next": "Big"}],
        "Default": "Small",
    }
    assert run(choice, {"n": 9})["nextState"] == "Big"
    assert run(choice, {"n": 1})["nextState"] == "Small"


def test_task_with_debug_inspection() -> None:
    state = {
        "Type": "Task",
        "Resource": ECHO,
        "InputPath": "$.payload",
        "Parameters": {"v.$": "$.v"},
        "ResultSelector": {"got.$": "$.echo.v"},
        "ResultPath": "$.out",
        "End": True,
    }
    result = run(state, {"payload": {"v": 3}}, inspection_level="DEBUG")
    assert result["status"] == "SUCCEEDED"
    assert "nextState" not in result
    data = {k: json.loads(v) for k, v in result["inspectionData"].items()}
    assert data == {
        "input": {"payload": {"v": 3}},
        "afterInputPath": {"v": 3},
        "afterParameters": {"v": 3},
        "result": {"echo": {"v": 3}},
        "afterResultSelector": {"got": 3},
        "afterResultPath": {"payload": {"v": 3}, "out": {"got": 3}},
    }


def test_failing_task_is_retriable_caught_or_failed() -> None:
    base = {"Type": "Task", "Resource": BOOM, "Next": "Fine"}
    failed = run(base, {})
    assert (failed["status"], failed["error"], failed["cause"]) == (
        "FAILED",
        "Boom.Error",
        "it broke",
    )
    retriable = run({**base, "Retry": [{"ErrorEquals": ["States.ALL"]}]}, {})
    assert retriable["status"] == "RETRIABLE"
    caught = run(
        {
            **base,
            "Catch": [{"ErrorEquals": ["Boom.Error"], "ResultPath": "$.err", "Next": "Handler"}],
        },
        {"k": 1},
    )
    assert caught["status"] == "CAUGHT_ERROR"
    assert caught["nextState"] == "Handler"
    assert caught["error"] == "Boom.Error"
    assert json.loads(caught["output"])["err"]["Error"] == "Boom.Error"


def test_fail_state() -> None:
    result = run({"Type": "Fail", "Error": "Nope", "Cause": "because"}, {})
    assert (result["status"], result["error"], result["cause"]) == ("FAILED", "Nope", "because")


def test_wait_does_not_wait() -> None:
    result = run({"Type": "Wait", "Seconds": 3600, "Next": "Later"}, {"a": 1})
    assert (result["status"], result["nextState"]) == ("SUCCEEDED", "Later")


def test_state_of_a_whole_machine_by_name() -> None:
    machine = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Next": "B"},
            "B": {"Type": "Pass", "Result": 2, "End": True},
        },
    }
    result = run(machine, {}, state_name="B")
    assert json.loads(result["output"]) == 2


@pytest.mark.parametrize(
    ("definition", "error"),
    [
        (
            {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "X", "States": {"X": {"Type": "Pass", "End": True}}},
                "End": True,
            },
            InvalidParameter,
        ),
        (
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "End": True,
            },
            InvalidParameter,
        ),
        ({"Type": "Pass", "Next": 7}, InvalidDefinitionError),
        ({"Type": "Nope", "End": True}, InvalidDefinitionError),
    ],
    ids=["map", "callback", "bad-next", "bad-type"],
)
def test_refused(definition: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        run(definition, {})
