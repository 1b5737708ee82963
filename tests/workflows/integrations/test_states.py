"""``states:startExecution`` (plain, .sync, .sync:2, .waitForTaskToken) on a real starter."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from stratus.workflows import tokens
from stratus.workflows.errors import StatesError
from stratus.workflows.integrations.base import AWAIT_CALLBACK, TaskRequest
from stratus.workflows.integrations.states import child_name

from .harness import Callbacks, run_machine

START = "arn:aws:states:::states:startExecution"
CHILD_OK = {
    "StartAt": "P",
    "States": {"P": {"Type": "Pass", "Result": {"Arg1": "argument1"}, "End": True}},
}
CHILD_FAIL = {
    "StartAt": "F",
    "States": {
        "F": {
            "Type": "Fail",
            "Error": "SomeFailure",
            "Cause": "This state machines raises a 'SomeFailure' failure.",
        }
    },
}
CHILD_ECHO = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def _parent(pattern: str, **parameters: Any) -> dict[str, Any]:
    params = {"StateMachineArn.$": "$.StateMachineArn", "Input.$": "$.Input", **parameters}
    return {
        "StartAt": "S",
        "States": {
            "S": {"Type": "Task", "Resource": START + pattern, "Parameters": params, "End": True}
        },
    }


def _run(platform_thread, registry, definition, data, callbacks=None):
    return platform_thread.run(run_machine(definition, data, registry, callbacks=callbacks))


def test_start_execution_answers_arn_and_metadata(platform_thread, starter_registry) -> None:
    registry, starter = starter_registry
    arn = starter.add_machine("child-ok", CHILD_OK)
    result = _run(
        platform_thread,
        registry,
        _parent("", **{"Name": "TestStartTarget"}),
        {"StateMachineArn": arn, "Input": {"Hello": "World"}},
    )
    assert result.status == "SUCCEEDED", result.cause
    out = result.output
    assert list(out) == ["ExecutionArn", "SdkHttpMetadata", "SdkResponseMetadata", "StartDate"]
    assert out["ExecutionArn"].endswith(":execution:child-ok:TestStartTarget")
    assert isinstance(out["StartDate"], int) and out["StartDate"] > 1_600_000_000_000
    headers = out["SdkHttpMetadata"]["HttpHeaders"]
    assert headers["Content-Type"] == "application/x-amz-json-1.0"
    assert starter.children[out["ExecutionArn"]].input_text == '{"Hello":"World"}'


@pytest.mark.parametrize(("pattern", "parsed"), [(".sync", False), (".sync:2", True)])
def test_sync_waits_for_the_child(platform_thread, starter_registry, pattern, parsed) -> None:
    registry, starter = starter_registry
    arn = starter.add_machine("child-ok", CHILD_OK)
    result = _run(
        platform_thread,
        registry,
        _parent(pattern, Name="TestStartTarget"),
        {"StateMachineArn": arn, "Input": None},
    )
    assert result.status == "SUCCEEDED", result.cause
    out = result.output
    assert out["Status"] == "SUCCEEDED"
    assert out["Name"] == "TestStartTarget"
    assert out["InputDetails"] == {"Included": True}
    assert out["OutputDetails"] == {"Included": True}
    assert out["StateMachineArn"] == arn
    assert out["StopDate"] >= out["StartDate"]
    if parsed:
        assert (out["Input"], out["Output"]) == ({}, {"Arg1": "argument1"})
    else:
        assert (out["Input"], out["Output"]) == ("{}", '{"Arg1":"argument1"}')


def test_sync_child_failure_fails_the_task(platform_thread, starter_registry) -> None:
    registry, starter = starter_registry
    arn = starter.add_machine("child-fail", CHILD_FAIL)
    result = _run(
        platform_thread,
        registry,
        _parent(".sync", Name="TestStartTarget"),
        {"StateMachineArn": arn, "Input": None},
    )
    assert result.status == "FAILED"
    assert result.error == "States.TaskFailed"
    cause = json.loads(result.cause)
    assert cause["Status"] == "FAILED"
    assert cause["Error"] == "SomeFailure"
    assert cause["Cause"] == "This state machines raises a 'SomeFailure' failure."
    assert cause["Input"] == "{}"
    assert "Output" not in cause


def test_wait_for_task_token_child_answers(platform_thread, starter_registry) -> None:
    registry, starter = starter_registry
    arn = starter.add_machine("child-echo", CHILD_ECHO)
    definition = _parent(".waitForTaskToken")
    definition["States"]["S"]["Parameters"]["Input"] = {"token.$": "$$.Task.Token"}
    del definition["States"]["S"]["Parameters"]["Input.$"]
    callbacks = Callbacks()

    async def scenario() -> Any:
        run = asyncio.ensure_future(
            run_machine(definition, {"StateMachineArn": arn}, registry, callbacks=callbacks)
        )
        while not callbacks.tokens():
            await asyncio.sleep(0.01)
        token = callbacks.tokens()[0]
        child = next(iter(starter.children.values()))
        assert json.loads(child.input_text) == {"token": token}
        callbacks.send_success(token, {"done": 1})
        return await run

    result = platform_thread.run(scenario())
    assert result.status == "SUCCEEDED"
    assert result.output == {"done": 1}


def test_rerun_finds_the_same_child(platform_thread, starter_registry) -> None:
    """After a crash the task runs again: a nameless child is found, not started twice."""
    registry, starter = starter_registry
    arn = starter.add_machine("child-ok", CHILD_OK)
    token = tokens.encode("arn:aws:states:us-east-1:000000000000:execution:machine:p", "t1")
    request = TaskRequest(
        resource=START + ".sync:2",
        input={"StateMachineArn": arn, "Input": {"n": 1}},
        execution_arn="arn:aws:states:us-east-1:000000000000:execution:machine:p",
        state_name="S",
        task_token=token,
    )
    first = platform_thread.run(registry.run(request))
    second = platform_thread.run(registry.run(request))
    assert starter.starts == 1
    assert first["ExecutionArn"] == second["ExecutionArn"]
    assert first["Name"] == child_name(token)
    other = TaskRequest(**{**_fields(request), "task_token": token + "x"})
    platform_thread.run(registry.run(other))
    assert starter.starts == 2


def _fields(request: TaskRequest) -> dict[str, Any]:
    return {name: getattr(request, name) for name in request.__dataclass_fields__}


def test_missing_machine_and_bad_input(platform_thread, starter_registry) -> None:
    registry, starter = starter_registry
    missing = "arn:aws:states:us-east-1:000000000000:stateMachine:nope"
    result = _run(platform_thread, registry, _parent(""), {"StateMachineArn": missing, "Input": {}})
    assert result.error == "StepFunctions.StateMachineDoesNotExistException"
    arn = starter.add_machine("child-ok", CHILD_OK)
    result = _run(
        platform_thread, registry, _parent(""), {"StateMachineArn": arn, "Input": "{not json"}
    )
    assert result.error == "StepFunctions.InvalidExecutionInputException"
    result = _run(
        platform_thread,
        registry,
        {
            "StartAt": "S",
            "States": {
                "S": {"Type": "Task", "Resource": START, "Parameters": {"Input": {}}, "End": True}
            },
        },
        {},
    )
    assert result.error == "States.Runtime"
    assert "StateMachineArn" in result.cause
    assert starter.starts == 0


def test_callback_pattern_returns_marker(platform_thread, starter_registry) -> None:
    registry, starter = starter_registry
    arn = starter.add_machine("child-echo", CHILD_ECHO)
    request = TaskRequest(
        resource=START + ".waitForTaskToken",
        input={"StateMachineArn": arn},
        execution_arn="arn:aws:states:us-east-1:000000000000:execution:machine:p",
        state_name="S",
        task_token="tok",
    )
    assert platform_thread.run(registry.run(request)) is AWAIT_CALLBACK
    assert starter.starts == 1


def test_unsupported_pattern_is_not_matched(starter_registry) -> None:
    registry, _ = starter_registry
    assert registry.find(START + ".sync:3") is None
    with pytest.raises(StatesError):
        asyncio.run(registry.run(TaskRequest(START + ".sync:3", {}, "e", "S", "t")))
