"""The operation log's rules, without a server: updates to operations and events."""

from __future__ import annotations

from stratus.services.durable import operations as ops
from stratus.services.durable.model import Execution


def _execution() -> Execution:
    return Execution(
        arn="arn:aws:lambda:us-east-1:000000000000:function:f:1/durable-execution/n/x",
        function_arn="arn:aws:lambda:us-east-1:000000000000:function:f",
        version="1",
        name="n",
        input_payload="{}",
        start=0.0,
        timeout_s=60,
    )


def test_step_retry_then_success_counts_attempts() -> None:
    execution = _execution()
    step = {"Id": "s", "Type": "STEP", "SubType": "Step", "Name": "pay"}
    applied = ops.apply_updates(
        execution,
        [
            {**step, "Action": "START"},
            {
                **step,
                "Action": "RETRY",
                "Error": {"ErrorMessage": "no"},
                "StepOptions": {"NextAttemptDelaySeconds": 5},
            },
        ],
        10.0,
    )
    op = execution.operations["s"]
    assert op["Status"] == "PENDING"
    assert op["StepDetails"]["NextAttemptTimestamp"] == 15.0
    assert ops.due_at(op) == 15.0
    assert [e["EventType"] for e in applied.events] == ["StepStarted", "StepFailed"]
    assert applied.events[1]["StepFailedDetails"]["RetryDetails"] == {
        "CurrentAttempt": 1,
        "NextAttemptDelaySeconds": 5,
    }
    applied = ops.apply_updates(
        execution,
        [{**step, "Action": "START"}, {**step, "Action": "SUCCEED", "Payload": "1"}],
        16.0,
    )
    assert applied.events[1]["StepSucceededDetails"]["RetryDetails"] == {"CurrentAttempt": 2}
    assert ops.due_at(execution.operations["s"]) is None


def test_wait_and_callback_timers() -> None:
    execution = _execution()
    ops.apply_updates(
        execution,
        [
            {"Id": "w", "Type": "WAIT", "Action": "START", "WaitOptions": {"WaitSeconds": 30}},
            {
                "Id": "c",
                "Type": "CALLBACK",
                "Action": "START",
                "CallbackOptions": {"TimeoutSeconds": 60, "HeartbeatTimeoutSeconds": 10},
            },
        ],
        100.0,
    )
    assert ops.due_at(execution.operations["w"]) == 130.0
    assert ops.due_at(execution.operations["c"]) == 110.0  # the heartbeat comes first
    event = ops.callback_timed_out(execution.operations["c"], True, 110.0)
    assert event["CallbackTimedOutDetails"]["Error"]["Payload"]["ErrorType"] == (
        "Callback.Heartbeat"
    )
    assert ops.due_at(execution.operations["c"]) is None


def test_completed_contexts_hide_their_children_unless_replayed() -> None:
    execution = _execution()
    ops.apply_updates(
        execution,
        [
            {"Id": "a", "Type": "CONTEXT", "Action": "START"},
            {"Id": "a1", "ParentId": "a", "Type": "STEP", "Action": "SUCCEED"},
            {"Id": "a2", "ParentId": "a1", "Type": "STEP", "Action": "SUCCEED"},
            {"Id": "a", "Type": "CONTEXT", "Action": "SUCCEED", "Payload": "1"},
            {"Id": "b", "Type": "CONTEXT", "Action": "START"},
            {"Id": "b1", "ParentId": "b", "Type": "STEP", "Action": "SUCCEED"},
            {
                "Id": "b",
                "Type": "CONTEXT",
                "Action": "SUCCEED",
                "ContextOptions": {"ReplayChildren": True},
            },
            {"Id": "c", "Type": "CONTEXT", "Action": "START"},
            {"Id": "c1", "ParentId": "c", "Type": "STEP", "Action": "START"},
        ],
        1.0,
    )
    assert [op["Id"] for op in ops.replayed(execution.operations)] == ["a", "b", "b1", "c", "c1"]


def test_public_shape_hides_bookkeeping() -> None:
    execution = _execution()
    ops.apply_updates(execution, [{"Id": "c", "Type": "CALLBACK", "Action": "START"}], 1.0)
    public = ops.public(execution.operations["c"])
    assert not [key for key in public if key.startswith("_")]
    assert public["CallbackDetails"]["CallbackId"]
