"""CheckpointDurableExecution and GetDurableExecutionState on the wire, one test per
operation type and action, driven by hand as the SDK drives them.

The function here is not an SDK handler: it saves the invocation envelope (execution
ARN, checkpoint token, initial state) where the test reads it and answers PENDING, so
the test holds the live token and checkpoints with boto3 itself.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import botocore.exceptions
import pytest

from tests.aws.durable.conftest import Deploy, history, wait_status

RECORDER = """
import json, os

def handler(event, context):
    path = os.path.join(os.environ["SCRATCH"], os.environ["AWS_LAMBDA_FUNCTION_NAME"])
    with open(path + ".tmp", "w") as out:
        json.dump(event, out)
    os.replace(path + ".tmp", path)
    return {"Status": "PENDING"}
"""


class Envelope:
    """The last envelope the recorder function received."""

    def __init__(self, lam: Any, scratch: Path, name: str) -> None:
        self.lam = lam
        self.path = scratch / name
        self.data: dict[str, Any] = {}

    def wait(self, timeout: float = 30) -> dict[str, Any]:
        """The next envelope (the function invoked again)."""
        newer_than = self.data.get("CheckpointToken")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.path.exists():
                data = json.loads(self.path.read_text())
                if data["CheckpointToken"] != newer_than:
                    self.data = data
                    return data
            time.sleep(0.05)
        raise AssertionError("the function was not invoked")

    @property
    def arn(self) -> str:
        return str(self.data["DurableExecutionArn"])

    def checkpoint(self, token: str, *updates: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return dict(
            self.lam.checkpoint_durable_execution(
                DurableExecutionArn=self.arn, CheckpointToken=token, Updates=list(updates), **extra
            )
        )


@pytest.fixture
def recorder(lam: Any, deploy: Deploy, scratch: Path) -> Envelope:
    name = deploy(RECORDER, environment={"SCRATCH": str(scratch)}, execution_timeout=120)
    lam.invoke(FunctionName=f"{name}:$LATEST", InvocationType="Event", Payload=b'{"order": 7}')
    envelope = Envelope(lam, scratch, name)
    envelope.wait()
    return envelope


def _error(info: pytest.ExceptionInfo[botocore.exceptions.ClientError]) -> tuple[str, str]:
    error = info.value.response["Error"]
    return error["Code"], error["Message"]


def test_envelope_carries_the_execution_operation(recorder: Envelope) -> None:
    data = recorder.data
    operations = data["InitialExecutionState"]["Operations"]
    assert len(operations) == 1
    execution = operations[0]
    assert execution["Type"] == "EXECUTION"
    assert execution["Id"] == recorder.arn.rsplit("/", 1)[-1]
    assert execution["ExecutionDetails"]["InputPayload"] == '{"order": 7}'
    assert isinstance(execution["StartTimestamp"], int)  # milliseconds, as the SDK reads


def test_tokens_are_consumed_in_order(recorder: Envelope) -> None:
    first = recorder.data["CheckpointToken"]
    step = {"Id": "s1", "Type": "STEP", "Action": "START", "SubType": "Step", "Name": "one"}
    answer = recorder.checkpoint(first, step)
    second = answer["CheckpointToken"]
    assert second != first
    assert answer["NewExecutionState"]["Operations"][0]["Status"] == "STARTED"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        recorder.checkpoint(first, {**step, "Action": "SUCCEED", "Payload": "1"})
    code, message = _error(info)
    assert code == "InvalidParameterValueException"
    assert message.startswith("Invalid checkpoint token")
    # The refused update changed nothing.
    state = recorder.lam.get_durable_execution_state(
        DurableExecutionArn=recorder.arn, CheckpointToken=second
    )
    by_id = {op["Id"]: op for op in state["Operations"]}
    assert by_id["s1"]["Status"] == "STARTED"


def test_a_foreign_or_garbage_token_is_refused(recorder: Envelope) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        recorder.checkpoint("bm90IGEgdG9rZW4=")
    assert _error(info)[0] == "InvalidParameterValueException"


def test_client_token_makes_a_retried_checkpoint_idempotent(recorder: Envelope) -> None:
    token = recorder.data["CheckpointToken"]
    step = {"Id": "s1", "Type": "STEP", "Action": "SUCCEED", "Payload": '"x"'}
    first = recorder.checkpoint(token, step, ClientToken="retry-1")
    again = recorder.checkpoint(token, step, ClientToken="retry-1")
    assert again["CheckpointToken"]
    events = [e for e in history(recorder.lam, recorder.arn) if e["EventType"] == "StepSucceeded"]
    assert len(events) == 1
    assert first["NewExecutionState"]["Operations"][0]["StepDetails"]["Result"] == '"x"'


def test_step_actions(recorder: Envelope) -> None:
    token = recorder.data["CheckpointToken"]
    start = {"Id": "s1", "Type": "STEP", "Action": "START", "SubType": "Step", "Name": "pay"}
    token = recorder.checkpoint(token, start)["CheckpointToken"]
    retry = {
        "Id": "s1",
        "Type": "STEP",
        "Action": "RETRY",
        "Error": {"ErrorType": "Boom", "ErrorMessage": "first"},
        "StepOptions": {"NextAttemptDelaySeconds": 1},
    }
    answer = recorder.checkpoint(token, retry)
    op = answer["NewExecutionState"]["Operations"][0]
    assert op["Status"] == "PENDING"
    assert op["StepDetails"]["Attempt"] == 1
    assert op["StepDetails"]["NextAttemptTimestamp"] > op["StartTimestamp"]
    # When the retry is due the function is invoked again, and sees the step READY.
    data = recorder.wait()
    ready = {o["Id"]: o for o in data["InitialExecutionState"]["Operations"]}["s1"]
    assert ready["Status"] == "READY"
    assert data["UpdatedOperationIds"] == ["s1"]
    token = data["CheckpointToken"]
    token = recorder.checkpoint(token, start)["CheckpointToken"]
    fail = {"Id": "s1", "Type": "STEP", "Action": "FAIL", "Error": {"ErrorMessage": "again"}}
    answer = recorder.checkpoint(token, fail)
    assert answer["NewExecutionState"]["Operations"][0]["Status"] == "FAILED"
    kinds = [
        (e["EventType"], e.get("StepFailedDetails", {}).get("RetryDetails"))
        for e in history(recorder.lam, recorder.arn)
        if e["EventType"].startswith("Step")
    ]
    assert kinds == [
        ("StepStarted", None),
        ("StepFailed", {"CurrentAttempt": 1, "NextAttemptDelaySeconds": 1}),
        ("StepStarted", None),
        ("StepFailed", {"CurrentAttempt": 2}),
    ]


def test_wait_start_and_cancel(recorder: Envelope) -> None:
    token = recorder.data["CheckpointToken"]
    before = time.time()
    wait = {"Id": "w1", "Type": "WAIT", "Action": "START", "WaitOptions": {"WaitSeconds": 60}}
    answer = recorder.checkpoint(token, wait)
    op = answer["NewExecutionState"]["Operations"][0]
    assert op["Status"] == "STARTED"
    assert op["WaitDetails"]["ScheduledEndTimestamp"].timestamp() >= before + 59
    answer = recorder.checkpoint(answer["CheckpointToken"], {**wait, "Action": "CANCEL"})
    assert answer["NewExecutionState"]["Operations"][0]["Status"] == "CANCELLED"
    assert "WaitCancelled" in [e["EventType"] for e in history(recorder.lam, recorder.arn)]


def test_wait_elapses_and_reinvokes(recorder: Envelope) -> None:
    token = recorder.data["CheckpointToken"]
    wait = {"Id": "w1", "Type": "WAIT", "Action": "START", "WaitOptions": {"WaitSeconds": 1}}
    answer = recorder.checkpoint(token, wait)
    end = answer["NewExecutionState"]["Operations"][0]["WaitDetails"]["ScheduledEndTimestamp"]
    data = recorder.wait()
    op = {o["Id"]: o for o in data["InitialExecutionState"]["Operations"]}["w1"]
    assert op["Status"] == "SUCCEEDED"
    assert op["EndTimestamp"] >= end.timestamp() * 1000 - 1  # never early


def test_callback_start_gives_an_id_and_completes(recorder: Envelope) -> None:
    token = recorder.data["CheckpointToken"]
    start = {
        "Id": "c1",
        "Type": "CALLBACK",
        "Action": "START",
        "CallbackOptions": {"TimeoutSeconds": 60, "HeartbeatTimeoutSeconds": 30},
    }
    answer = recorder.checkpoint(token, start)
    callback = answer["NewExecutionState"]["Operations"][0]["CallbackDetails"]["CallbackId"]
    recorder.lam.send_durable_execution_callback_heartbeat(CallbackId=callback)
    recorder.lam.send_durable_execution_callback_success(CallbackId=callback, Result=b'"yes"')
    data = recorder.wait()
    op = {o["Id"]: o for o in data["InitialExecutionState"]["Operations"]}["c1"]
    assert op["Status"] == "SUCCEEDED"
    assert op["CallbackDetails"]["Result"] == '"yes"'
    with pytest.raises(botocore.exceptions.ClientError) as info:
        recorder.lam.send_durable_execution_callback_success(CallbackId=callback, Result=b"1")
    assert _error(info)[0] == "CallbackTimeoutException"
    started = [
        e for e in history(recorder.lam, recorder.arn) if e["EventType"] == "CallbackStarted"
    ]
    assert started[0]["CallbackStartedDetails"] == {
        "CallbackId": callback,
        "Timeout": 60,
        "HeartbeatTimeout": 30,
    }


def test_callback_failure(recorder: Envelope) -> None:
    token = recorder.data["CheckpointToken"]
    answer = recorder.checkpoint(token, {"Id": "c1", "Type": "CALLBACK", "Action": "START"})
    callback = answer["NewExecutionState"]["Operations"][0]["CallbackDetails"]["CallbackId"]
    recorder.lam.send_durable_execution_callback_failure(
        CallbackId=callback, Error={"ErrorType": "Rejected", "ErrorMessage": "no"}
    )
    data = recorder.wait()
    op = {o["Id"]: o for o in data["InitialExecutionState"]["Operations"]}["c1"]
    assert op["Status"] == "FAILED"
    assert op["CallbackDetails"]["Error"] == {"ErrorType": "Rejected", "ErrorMessage": "no"}


def test_context_start_succeed_fail(recorder: Envelope) -> None:
    token = recorder.data["CheckpointToken"]
    parent = {"Id": "ctx", "Type": "CONTEXT", "Action": "START", "SubType": "RunInChildContext"}
    child = {"Id": "ctx-s", "ParentId": "ctx", "Type": "STEP", "Action": "SUCCEED", "Payload": "1"}
    token = recorder.checkpoint(token, parent, child)["CheckpointToken"]
    done = {
        **parent,
        "Action": "SUCCEED",
        "Payload": "1",
        "ContextOptions": {"ReplayChildren": True},
    }
    answer = recorder.checkpoint(token, done)
    op = answer["NewExecutionState"]["Operations"][0]
    assert op["Status"] == "SUCCEEDED"
    assert op["ContextDetails"] == {"ReplayChildren": True, "Result": "1"}
    other = {"Id": "ctx2", "Type": "CONTEXT", "Action": "START"}
    token = recorder.checkpoint(answer["CheckpointToken"], other)["CheckpointToken"]
    answer = recorder.checkpoint(
        token, {**other, "Action": "FAIL", "Error": {"ErrorMessage": "bad"}}
    )
    assert answer["NewExecutionState"]["Operations"][0]["Status"] == "FAILED"


def test_chained_invoke_start_and_missing_target(
    recorder: Envelope, deploy: Deploy, lam: Any
) -> None:
    target = deploy("def handler(event, context):\n    return {'echo': event}\n", durable=False)
    token = recorder.data["CheckpointToken"]
    start = {
        "Id": "i1",
        "Type": "CHAINED_INVOKE",
        "Action": "START",
        "Payload": '{"a": 1}',
        "ChainedInvokeOptions": {"FunctionName": target},
    }
    recorder.checkpoint(token, start)
    data = recorder.wait()
    op = {o["Id"]: o for o in data["InitialExecutionState"]["Operations"]}["i1"]
    assert op["Status"] == "SUCCEEDED"
    assert json.loads(op["ChainedInvokeDetails"]["Result"]) == {"echo": {"a": 1}}
    started = [e for e in history(lam, recorder.arn) if e["EventType"] == "ChainedInvokeStarted"]
    assert started[0]["ChainedInvokeStartedDetails"]["ExecutedVersion"] == "$LATEST"
    # A target that does not exist: the invoke fails.
    token = data["CheckpointToken"]
    recorder.checkpoint(
        token,
        {**start, "Id": "i2", "ChainedInvokeOptions": {"FunctionName": "no-such-function"}},
    )
    data = recorder.wait()
    op = {o["Id"]: o for o in data["InitialExecutionState"]["Operations"]}["i2"]
    assert op["Status"] == "FAILED"
    assert op["ChainedInvokeDetails"]["Error"]["ErrorType"] == "ResourceNotFoundException"


def test_execution_succeed_ends_it_and_the_token(recorder: Envelope, lam: Any) -> None:
    token = recorder.data["CheckpointToken"]
    answer = recorder.checkpoint(
        token, {"Id": "end", "Type": "EXECUTION", "Action": "SUCCEED", "Payload": '"big"'}
    )
    assert "CheckpointToken" not in answer
    execution = wait_status(lam, recorder.arn)
    assert execution["Status"] == "SUCCEEDED"
    assert execution["Result"] == '"big"'


def test_execution_fail(recorder: Envelope, lam: Any) -> None:
    token = recorder.data["CheckpointToken"]
    recorder.checkpoint(
        token,
        {"Id": "end", "Type": "EXECUTION", "Action": "FAIL", "Error": {"ErrorMessage": "no"}},
    )
    execution = wait_status(lam, recorder.arn)
    assert execution["Status"] == "FAILED"
    assert execution["Error"] == {"ErrorMessage": "no"}


@pytest.mark.parametrize(
    ("update", "message"),
    [
        (
            {"Id": "x", "Type": "STEP", "Action": "START", "ParentId": "missing"},
            "Parent operation missing does not exist",
        ),
        ({"Id": "x", "Type": "WAIT", "Action": "SUCCEED"}, "Action SUCCEED is not valid"),
        (
            {"Id": "x", "Type": "CHAINED_INVOKE", "Action": "START"},
            "ChainedInvokeOptions.FunctionName is required",
        ),
        (
            {"Id": "x", "Type": "STEP", "Action": "SUCCEED", "Payload": "x" * (256 * 1024 + 1)},
            "Payload size exceeds the maximum allowed size of 262144 bytes",
        ),
    ],
    ids=["unknown-parent", "bad-action", "invoke-target", "payload-size"],
)
def test_bad_updates_are_refused_whole(
    recorder: Envelope, update: dict[str, Any], message: str
) -> None:
    token = recorder.data["CheckpointToken"]
    good = {"Id": "fine", "Type": "STEP", "Action": "START"}
    with pytest.raises(botocore.exceptions.ClientError) as info:
        recorder.checkpoint(token, good, update)
    code, text = _error(info)
    assert code == "InvalidParameterValueException"
    assert message in text
    # Nothing of the batch was applied, and the token is still the live one.
    state = recorder.lam.get_durable_execution_state(
        DurableExecutionArn=recorder.arn, CheckpointToken=token
    )
    assert [op["Type"] for op in state["Operations"]] == ["EXECUTION"]


def test_completed_operation_cannot_change(recorder: Envelope) -> None:
    token = recorder.data["CheckpointToken"]
    step = {"Id": "s", "Type": "STEP", "Action": "SUCCEED", "Payload": "1"}
    token = recorder.checkpoint(token, step)["CheckpointToken"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        recorder.checkpoint(token, {**step, "Action": "START"})
    assert _error(info) == ("InvalidParameterValueException", "Operation s is already completed")


def test_state_pages(recorder: Envelope) -> None:
    token = recorder.data["CheckpointToken"]
    updates = [
        {"Id": f"s{i}", "Type": "STEP", "Action": "SUCCEED", "Payload": str(i)} for i in range(5)
    ]
    token = recorder.checkpoint(token, *updates)["CheckpointToken"]
    seen: list[str] = []
    marker: dict[str, Any] = {}
    while True:
        page = recorder.lam.get_durable_execution_state(
            DurableExecutionArn=recorder.arn, CheckpointToken=token, MaxItems=2, **marker
        )
        seen.extend(op["Id"] for op in page["Operations"])
        if not page.get("NextMarker"):
            break
        marker = {"Marker": page["NextMarker"]}
    assert seen[1:] == [f"s{i}" for i in range(5)]


def test_model_constraints_are_checked_first(recorder: Envelope, durable_server: Any) -> None:
    raw = durable_server.client("lambda", parameter_validation=False)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        raw.checkpoint_durable_execution(
            DurableExecutionArn=recorder.arn,
            CheckpointToken=recorder.data["CheckpointToken"],
            Updates=[
                {"Id": "w", "Type": "WAIT", "Action": "START", "WaitOptions": {"WaitSeconds": 0}}
            ],
        )
    assert _error(info) == (
        "ValidationException",
        "1 validation error detected: Value '0' at 'updates.1.member.waitOptions.waitSeconds' "
        "failed to satisfy constraint: Member must have value greater than or equal to 1",
    )


def test_a_long_log_reaches_the_function_in_pages(recorder: Envelope) -> None:
    token = recorder.data["CheckpointToken"]
    for start in range(0, 1100, 250):
        updates = [
            {"Id": f"s{i}", "Type": "STEP", "Action": "SUCCEED", "Payload": str(i)}
            for i in range(start, min(start + 250, 1100))
        ]
        token = recorder.checkpoint(token, *updates)["CheckpointToken"]
    wait = {"Id": "w", "Type": "WAIT", "Action": "START", "WaitOptions": {"WaitSeconds": 1}}
    recorder.checkpoint(token, wait)
    data = recorder.wait()
    first = data["InitialExecutionState"]
    assert len(first["Operations"]) == 1000
    assert first["NextMarker"]
    rest = recorder.lam.get_durable_execution_state(
        DurableExecutionArn=recorder.arn,
        CheckpointToken=data["CheckpointToken"],
        Marker=first["NextMarker"],
        MaxItems=1000,
    )
    ids = [op["Id"] for op in first["Operations"]] + [op["Id"] for op in rest["Operations"]]
    assert len(ids) == 1102  # the execution, 1,100 steps and the wait
    assert len(set(ids)) == 1102
