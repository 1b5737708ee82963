"""The in-memory asyncio driver: real timers (scaled), a pluggable executor, stop."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from stratus.workflows.definition import parse_definition
from stratus.workflows.driver import Clock, Driver, TaskContext
from stratus.workflows.errors import StatesError
from stratus.workflows.interpreter import TaskSucceeded
from stratus.workflows.tokens import decode


def machine(states: dict[str, Any], start: str = "A") -> Any:
    return parse_definition(json.dumps({"StartAt": start, "States": states}))


async def echo(resource: str, task_input: Any, context: TaskContext) -> Any:
    return {"resource": resource, "input": task_input, "state": context.state_name}


def test_wait_takes_its_time_on_the_clock() -> None:
    sm = machine({"A": {"Type": "Wait", "Seconds": 1, "End": True}})
    result = asyncio.run(Driver(sm, clock=Clock(scale=50)).run({"v": 1}))
    assert result.status == "SUCCEEDED" and result.output == {"v": 1}
    entered, exited = (e for e in result.history if e["type"].startswith("WaitState"))
    assert exited["timestamp"] - entered["timestamp"] >= 1.0


def test_tasks_run_through_the_executor() -> None:
    sm = machine({"A": {"Type": "Task", "Resource": "my:resource", "End": True}})
    result = asyncio.run(Driver(sm, echo, clock=Clock(scale=50)).run([1]))
    assert result.output == {"resource": "my:resource", "input": [1], "state": "A"}
    assert [e["type"] for e in result.history][-3:] == [
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]


@pytest.mark.parametrize(
    ("raised", "error", "cause"),
    [
        (StatesError("Custom.Error", "because"), "Custom.Error", "because"),
        (KeyError("k"), "KeyError", "'k'"),
    ],
)
def test_executor_failures_are_task_failures(raised: Exception, error: str, cause: str) -> None:
    async def failing(resource: str, task_input: Any, context: TaskContext) -> Any:
        raise raised

    sm = machine({"A": {"Type": "Task", "Resource": "r", "End": True}})
    result = asyncio.run(Driver(sm, failing, clock=Clock(scale=50)).run())
    assert (result.status, result.error, result.cause) == ("FAILED", error, cause)


def test_retry_back_off_uses_timers_and_then_succeeds() -> None:
    calls: list[int] = []

    async def flaky(resource: str, task_input: Any, context: TaskContext) -> Any:
        calls.append(context.context["State"]["RetryCount"])
        if len(calls) < 3:
            raise StatesError("Flaky", "try again")
        return "ok"

    sm = machine(
        {
            "A": {
                "Type": "Task",
                "Resource": "r",
                "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1}],
                "End": True,
            }
        }
    )
    result = asyncio.run(Driver(sm, flaky, clock=Clock(scale=100)).run())
    assert result.output == "ok"
    assert calls == [0, 1, 2]


def test_stop_aborts_a_running_execution_and_cancels_its_task() -> None:
    cancelled = asyncio.Event()

    async def forever(resource: str, task_input: Any, context: TaskContext) -> Any:
        try:
            await asyncio.Event().wait()
        finally:
            cancelled.set()

    async def scenario() -> Any:
        sm = machine({"A": {"Type": "Task", "Resource": "r", "End": True}})
        execution = Driver(sm, forever, clock=Clock(scale=50)).execution()
        runner = asyncio.create_task(execution.run())
        await execution.wait_started()
        execution.stop("Stopped", "by test")
        result = await runner
        return result, cancelled.is_set()

    result, was_cancelled = asyncio.run(scenario())
    assert (result.status, result.error, result.cause) == ("ABORTED", "Stopped", "by test")
    assert result.history[-1]["type"] == "ExecutionAborted"
    assert was_cancelled


def test_clock_scale_must_be_positive() -> None:
    with pytest.raises(ValueError):
        Clock(scale=0)


def test_outside_events_answer_a_callback_task() -> None:
    """A `.waitForTaskToken` task is answered by SendTaskSuccess with the context token."""
    tokens: asyncio.Queue[str] = asyncio.Queue()

    async def callback(resource: str, task_input: Any, context: TaskContext) -> Any:
        tokens.put_nowait(context.context["Task"]["Token"])
        await asyncio.Event().wait()  # the answer comes from outside

    async def scenario() -> Any:
        sm = machine(
            {
                "A": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "End": True,
                }
            }
        )
        driver = Driver(sm, callback, clock=Clock(scale=50))
        execution = driver.execution()
        runner = asyncio.create_task(execution.run())
        _arn, token = decode(await tokens.get())  # the user's token names the core's
        execution.post(TaskSucceeded(at=driver.clock.now(), token=token, output={"ok": True}))
        return await runner

    result = asyncio.run(scenario())
    assert (result.status, result.output) == ("SUCCEEDED", {"ok": True})
    scheduled = next(e for e in result.history if e["type"] == "TaskScheduled")
    assert scheduled["taskScheduledEventDetails"]["resource"] == "sendMessage.waitForTaskToken"
