"""The control plane of durable functions against a real server: DurableConfig on the
function, Invoke starting executions (sync, Event, by name), reading and listing them,
their history, stop / pause / resume / delete, callbacks, and AWS's error for each bad
input. Handlers use AWS's SDK, packaged as a layer."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import botocore.exceptions
import pytest

from tests.aws.durable.conftest import (
    Deploy,
    callback_id,
    event_types,
    history,
    start,
    wait_status,
)

STEPS = """
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration

@durable_execution
def handler(event, context: DurableContext):
    total = context.step(lambda _: event["n"] + 1, name="inc")
    context.wait(Duration.from_seconds(1))
    return context.step(lambda _: total * 2, name="double")
"""

CALLBACK = """
from aws_durable_execution_sdk_python import DurableContext, durable_execution

@durable_execution
def handler(event, context: DurableContext):
    return context.create_callback(name="approve").result()
"""

FAILING = """
from aws_durable_execution_sdk_python import DurableContext, durable_execution

@durable_execution
def handler(event, context: DurableContext):
    raise ValueError("rejected order")
"""

# The SDK's own README example, unchanged.
README_EXAMPLE = """
from aws_durable_execution_sdk_python import (
    DurableContext,
    StepContext,
    durable_execution,
    durable_step,
)
from aws_durable_execution_sdk_python.config import Duration

@durable_step
def validate_order(step_ctx: StepContext, order_id: str) -> dict:
    step_ctx.logger.info("Validating order", extra={"order_id": order_id})
    return {"order_id": order_id, "valid": True}

@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    order_id = event["order_id"]
    context.logger.info("Starting workflow", extra={"order_id": order_id})

    validation = context.step(validate_order(order_id), name="validate_order")
    if not validation["valid"]:
        return {"status": "rejected", "order_id": order_id}

    # simulate approval (real world: use wait_for_callback)
    context.wait(duration=Duration.from_seconds(5), name="await_confirmation")

    return {"status": "approved", "order_id": order_id}
"""


def _error(info: pytest.ExceptionInfo[botocore.exceptions.ClientError]) -> tuple[str, str]:
    error = info.value.response["Error"]
    return error["Code"], error["Message"]


@pytest.fixture(scope="module")
def steps(deploy: Deploy) -> str:
    return deploy(STEPS)


@pytest.fixture(scope="module")
def waiting(deploy: Deploy) -> str:
    return deploy(CALLBACK)


# -- DurableConfig ----------------------------------------------------------------------
def test_durable_config_is_part_of_the_function(lam: Any, steps: str) -> None:
    config = lam.get_function_configuration(FunctionName=steps)
    assert config["DurableConfig"] == {"ExecutionTimeout": 300, "RetentionPeriodInDays": 30}
    assert lam.get_function(FunctionName=steps)["Configuration"]["DurableConfig"]


def test_update_changes_durable_config(lam: Any, deploy: Deploy) -> None:
    name = deploy(STEPS)
    lam.update_function_configuration(
        FunctionName=name, DurableConfig={"ExecutionTimeout": 60, "RetentionPeriodInDays": 7}
    )
    lam.get_waiter("function_updated_v2").wait(FunctionName=name)
    config = lam.get_function_configuration(FunctionName=name)
    assert config["DurableConfig"] == {"ExecutionTimeout": 60, "RetentionPeriodInDays": 7}


def test_durable_config_out_of_range(durable_server: Any) -> None:
    raw = durable_server.client("lambda", parameter_validation=False)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        raw.create_function(
            FunctionName="too-long",
            Runtime="python3.11",
            Role="arn:aws:iam::000000000000:role/test",
            Handler="app.handler",
            Code={"ZipFile": b"PK"},
            DurableConfig={"ExecutionTimeout": 31622401},
        )
    code, message = _error(info)
    assert code == "ValidationException"
    assert "durableConfig.executionTimeout" in message


# -- Invoke ----------------------------------------------------------------------------
def test_sync_invoke_runs_the_whole_execution(lam: Any, steps: str) -> None:
    answer = lam.invoke(FunctionName=f"{steps}:$LATEST", Payload=b'{"n": 4}')
    assert answer["StatusCode"] == 200
    assert json.loads(answer["Payload"].read()) == 10
    assert answer["ExecutedVersion"] == "$LATEST"
    execution = lam.get_durable_execution(DurableExecutionArn=answer["DurableExecutionArn"])
    assert execution["Status"] == "SUCCEEDED"
    assert execution["Result"] == "10"
    assert execution["InputPayload"] == '{"n": 4}'


def test_sync_invoke_of_a_failing_execution(lam: Any, deploy: Deploy) -> None:
    name = deploy(FAILING)
    answer = lam.invoke(FunctionName=f"{name}:$LATEST", Payload=b"{}")
    assert answer["FunctionError"] == "Unhandled"
    body = json.loads(answer["Payload"].read())
    assert body["errorType"] == "ValueError"
    assert body["errorMessage"] == "rejected order"
    execution = lam.get_durable_execution(DurableExecutionArn=answer["DurableExecutionArn"])
    assert execution["Status"] == "FAILED"
    assert execution["Error"]["ErrorType"] == "ValueError"


def test_unqualified_invoke_is_refused(lam: Any, steps: str) -> None:
    for kind in ("RequestResponse", "Event"):
        with pytest.raises(botocore.exceptions.ClientError) as info:
            lam.invoke(FunctionName=steps, InvocationType=kind, Payload=b"{}")
        assert _error(info) == (
            "InvalidParameterValueException",
            "You cannot invoke a durable function using an unqualified ARN.",
        )


def test_event_invoke_answers_with_the_arn(lam: Any, steps: str) -> None:
    arn = start(lam, steps, {"n": 1})
    assert f":function:{steps}:$LATEST/durable-execution/" in arn
    assert wait_status(lam, arn)["Status"] == "SUCCEEDED"


def test_invoking_a_published_version(lam: Any, deploy: Deploy) -> None:
    name = deploy(STEPS)
    version = lam.publish_version(FunctionName=name)["Version"]
    arn = start(lam, f"{name}:{version}", {"n": 2})
    assert f":{version}/durable-execution/" in arn
    execution = wait_status(lam, arn)
    assert execution["Version"] == version
    assert execution["Result"] == "6"


def test_execution_name_makes_invoke_idempotent(lam: Any, steps: str) -> None:
    first = start(lam, steps, {"n": 1}, DurableExecutionName="order-7")
    again = start(lam, steps, {"n": 1}, DurableExecutionName="order-7")
    assert first == again
    assert first.split("/")[-2] == "order-7"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        start(lam, steps, {"n": 2}, DurableExecutionName="order-7")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert _error(info)[0] == "DurableExecutionAlreadyStartedException"
    listed = lam.list_durable_executions_by_function(
        FunctionName=steps, DurableExecutionName="order-7"
    )["DurableExecutions"]
    assert [e["DurableExecutionArn"] for e in listed] == [first]


def test_bad_execution_name(lam: Any, steps: str) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        start(lam, steps, {}, DurableExecutionName="no spaces/allowed")
    assert _error(info)[0] == "ValidationException"


def test_sdk_readme_example_unchanged(lam: Any, deploy: Deploy) -> None:
    name = deploy(README_EXAMPLE)
    arn = start(lam, name, {"order_id": "o-1"})
    execution = wait_status(lam, arn, timeout=60)
    assert json.loads(execution["Result"]) == {"status": "approved", "order_id": "o-1"}
    kinds = event_types(history(lam, arn))
    assert kinds == [
        "ExecutionStarted",
        "StepStarted",
        "StepSucceeded",
        "WaitStarted",
        "InvocationCompleted",
        "WaitSucceeded",
        "InvocationCompleted",
        "ExecutionSucceeded",
    ]


# -- reading ---------------------------------------------------------------------------
def test_history_pages_reverses_and_hides_data(lam: Any, steps: str) -> None:
    arn = start(lam, steps, {"n": 3})
    wait_status(lam, arn)
    everything = history(lam, arn)
    assert [e["EventId"] for e in everything] == list(range(1, len(everything) + 1))
    first = lam.get_durable_execution_history(DurableExecutionArn=arn, MaxItems=3)
    assert [e["EventId"] for e in first["Events"]] == [1, 2, 3]
    second = lam.get_durable_execution_history(
        DurableExecutionArn=arn, MaxItems=3, Marker=first["NextMarker"]
    )
    assert [e["EventId"] for e in second["Events"]] == [4, 5, 6]
    backwards = lam.get_durable_execution_history(DurableExecutionArn=arn, ReverseOrder=True)
    assert backwards["Events"][0]["EventType"] == "ExecutionSucceeded"
    bare = lam.get_durable_execution_history(DurableExecutionArn=arn, IncludeExecutionData=False)
    started = bare["Events"][0]["ExecutionStartedDetails"]
    assert "Payload" not in started["Input"]
    execution = lam.get_durable_execution(DurableExecutionArn=arn, IncludeExecutionData=False)
    assert "InputPayload" not in execution and "Result" not in execution


def test_list_filters_and_pages(lam: Any, deploy: Deploy) -> None:
    name = deploy(STEPS)
    arns = [start(lam, name, {"n": i}) for i in range(3)]
    for arn in arns:
        wait_status(lam, arn)
    waiting_arn = start(lam, deploy(CALLBACK), None)
    listed = lam.list_durable_executions_by_function(FunctionName=name)["DurableExecutions"]
    assert [e["DurableExecutionArn"] for e in listed] == arns[::-1]  # newest first
    assert {e["Status"] for e in listed} == {"SUCCEEDED"}
    page = lam.list_durable_executions_by_function(FunctionName=name, MaxItems=2)
    assert len(page["DurableExecutions"]) == 2
    rest = lam.list_durable_executions_by_function(
        FunctionName=name, MaxItems=2, Marker=page["NextMarker"]
    )
    assert [e["DurableExecutionArn"] for e in rest["DurableExecutions"]] == arns[:1]
    oldest_first = lam.list_durable_executions_by_function(FunctionName=name, ReverseOrder=True)
    assert [e["DurableExecutionArn"] for e in oldest_first["DurableExecutions"]] == arns
    none = lam.list_durable_executions_by_function(FunctionName=name, Statuses=["RUNNING"])
    assert none["DurableExecutions"] == []
    later = lam.list_durable_executions_by_function(
        FunctionName=name, StartedAfter=time.time() + 60
    )
    assert later["DurableExecutions"] == []
    lam.stop_durable_execution(DurableExecutionArn=waiting_arn)


# -- stop, pause, resume, delete --------------------------------------------------------
def test_stop_a_running_execution(lam: Any, waiting: str) -> None:
    arn = start(lam, waiting, None)
    callback_id(lam, arn)
    answer = lam.stop_durable_execution(
        DurableExecutionArn=arn, Error={"ErrorType": "Cancelled", "ErrorMessage": "by test"}
    )
    assert answer["StopTimestamp"]
    execution = lam.get_durable_execution(DurableExecutionArn=arn)
    assert execution["Status"] == "STOPPED"
    assert execution["Error"] == {"ErrorType": "Cancelled", "ErrorMessage": "by test"}
    events = history(lam, arn)
    assert "ExecutionStopped" in event_types(events), events
    with pytest.raises(botocore.exceptions.ClientError) as info:
        answer = lam.stop_durable_execution(DurableExecutionArn=arn)
        print("stopped twice:", answer, lam.get_durable_execution(DurableExecutionArn=arn))
    assert _error(info)[0] == "InvalidParameterValueException"


def test_pause_and_resume(lam: Any, waiting: str) -> None:
    arn = start(lam, waiting, None)
    callback = callback_id(lam, arn)
    lam.pause_durable_execution(DurableExecutionArn=arn, Reason="maintenance")
    execution = lam.get_durable_execution(DurableExecutionArn=arn)
    assert execution["Status"] == "PAUSED"
    assert execution["PauseDetails"]["Reason"] == "maintenance"
    lam.send_durable_execution_callback_success(CallbackId=callback, Result=b'"ok"')
    time.sleep(0.5)
    assert lam.get_durable_execution(DurableExecutionArn=arn)["Status"] == "PAUSED"
    lam.resume_durable_execution(DurableExecutionArn=arn, Reason="done")
    # The SDK hands a callback's result over as the raw string it was sent.
    assert json.loads(wait_status(lam, arn)["Result"]) == '"ok"'
    kinds = event_types(history(lam, arn))
    assert "ExecutionPaused" in kinds and "ExecutionResumed" in kinds
    with pytest.raises(botocore.exceptions.ClientError) as info:
        lam.resume_durable_execution(DurableExecutionArn=arn)
    assert _error(info)[0] == "ResourceConflictException"


def test_delete_only_ended_executions(lam: Any, waiting: str) -> None:
    arn = start(lam, waiting, None)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        lam.delete_durable_execution(DurableExecutionArn=arn)
    assert _error(info)[0] == "ResourceConflictException"
    lam.stop_durable_execution(DurableExecutionArn=arn)
    assert lam.delete_durable_execution(DurableExecutionArn=arn)["DeletionRequestTimestamp"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        lam.get_durable_execution(DurableExecutionArn=arn)
    assert _error(info)[0] == "ResourceNotFoundException"


# -- callbacks ------------------------------------------------------------------------
def test_callback_success(lam: Any, waiting: str) -> None:
    arn = start(lam, waiting, None)
    lam.send_durable_execution_callback_success(CallbackId=callback_id(lam, arn), Result=b'"y"')
    assert json.loads(wait_status(lam, arn)["Result"]) == '"y"'


def test_callback_to_a_stopped_execution(lam: Any, waiting: str) -> None:
    arn = start(lam, waiting, None)
    callback = callback_id(lam, arn)
    lam.stop_durable_execution(DurableExecutionArn=arn)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        lam.send_durable_execution_callback_success(CallbackId=callback, Result=b"1")
    assert _error(info)[0] == "CallbackTimeoutException"


def test_unknown_callback(lam: Any) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        lam.send_durable_execution_callback_heartbeat(CallbackId="bm90LWEtY2FsbGJhY2s=")
    assert _error(info)[0] == "ResourceNotFoundException"


def test_callback_result_too_large(durable_server: Any, waiting: str, lam: Any) -> None:
    arn = start(lam, waiting, None)
    callback = callback_id(lam, arn)
    raw = durable_server.client("lambda", parameter_validation=False)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        raw.send_durable_execution_callback_success(
            CallbackId=callback, Result=b"x" * (1024 * 1024 + 1)
        )
    assert _error(info)[0] in ("ValidationException", "RequestEntityTooLargeException")
    lam.stop_durable_execution(DurableExecutionArn=arn)


# -- bad inputs -----------------------------------------------------------------------
def test_unknown_execution(lam: Any, steps: str) -> None:
    arn = (
        f"arn:aws:lambda:us-east-1:000000000000:function:{steps}:$LATEST"
        "/durable-execution/nope/00000000-0000-0000-0000-000000000000"
    )
    for call in (lam.get_durable_execution, lam.get_durable_execution_history):
        with pytest.raises(botocore.exceptions.ClientError) as info:
            call(DurableExecutionArn=arn)
        assert _error(info)[0] == "ResourceNotFoundException"


def test_malformed_execution_arn(lam: Any) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        lam.get_durable_execution(DurableExecutionArn="arn:aws:lambda:nope")
    code, message = _error(info)
    assert code == "ValidationException"
    assert "durableExecutionArn" in message


def test_list_for_an_unknown_function(lam: Any) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        lam.list_durable_executions_by_function(FunctionName="no-such-function")
    assert _error(info)[0] == "ResourceNotFoundException"


def test_checkpoint_of_an_ended_execution(lam: Any, steps: str) -> None:
    arn = start(lam, steps, {"n": 0})
    wait_status(lam, arn)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        lam.checkpoint_durable_execution(
            DurableExecutionArn=arn, CheckpointToken="dG9rZW4=", Updates=[]
        )
    code, message = _error(info)
    assert code == "InvalidParameterValueException"
    assert message.startswith("Invalid checkpoint token")


# -- replays ---------------------------------------------------------------------------
CRASHING = """
import os
from aws_durable_execution_sdk_python import DurableContext, durable_execution

def record(name):
    runs = os.path.join(os.environ["SCRATCH"], os.environ["AWS_LAMBDA_FUNCTION_NAME"] + ".runs")
    with open(runs, "a") as out:
        out.write(name + "\\n")

def second(_):
    record("second")
    marker = os.path.join(os.environ["SCRATCH"], os.environ["AWS_LAMBDA_FUNCTION_NAME"])
    if not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(9)  # the process dies mid-step
    return 2

@durable_execution
def handler(event, context: DurableContext):
    a = context.step(lambda _: (record("first"), 1)[1], name="first")
    b = context.step(second, name="second")
    c = context.step(lambda _: (record("third"), 3)[1], name="third")
    return a + b + c
"""

SLOW_STEP = """
import os, time
from aws_durable_execution_sdk_python import DurableContext, durable_execution

def slow(_):
    marker = os.path.join(os.environ["SCRATCH"], os.environ["AWS_LAMBDA_FUNCTION_NAME"])
    if not os.path.exists(marker):
        open(marker, "w").close()
        time.sleep(30)  # longer than the function's timeout
    return "finished"

@durable_execution
def handler(event, context: DurableContext):
    context.step(lambda _: "before", name="before")
    return context.step(slow, name="slow")
"""


def test_replay_after_the_function_crashes_mid_step(
    lam: Any, deploy: Deploy, scratch: Path
) -> None:
    name = deploy(CRASHING, environment={"SCRATCH": str(scratch)})
    arn = start(lam, name, None)
    execution = wait_status(lam, arn)
    assert execution["Status"] == "SUCCEEDED"
    assert execution["Result"] == "6"
    runs = (scratch / f"{name}.runs").read_text().split()
    assert runs == ["first", "second", "second", "third"]  # no completed step ran again
    completions = [e for e in history(lam, arn) if e["EventType"] == "InvocationCompleted"]
    assert "Error" in completions[0]["InvocationCompletedDetails"]


def test_replay_after_the_invocation_times_out(lam: Any, deploy: Deploy, scratch: Path) -> None:
    name = deploy(SLOW_STEP, environment={"SCRATCH": str(scratch)}, timeout=2)
    arn = start(lam, name, None)
    execution = wait_status(lam, arn, timeout=60)
    assert execution["Result"] == '"finished"'
    completions = [e for e in history(lam, arn) if e["EventType"] == "InvocationCompleted"]
    assert completions[0]["InvocationCompletedDetails"]["Error"]["Payload"]["ErrorType"]


def test_execution_timeout(lam: Any, deploy: Deploy) -> None:
    name = deploy(CALLBACK, execution_timeout=2)
    arn = start(lam, name, None)
    execution = wait_status(lam, arn, timeout=30)
    assert execution["Status"] == "TIMED_OUT"
    assert history(lam, arn)[-1]["EventType"] == "ExecutionTimedOut"


# -- hostile inputs -------------------------------------------------------------------
def test_oversized_and_malformed_events(lam: Any, steps: str) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        lam.invoke(
            FunctionName=f"{steps}:$LATEST",
            InvocationType="Event",
            Payload=json.dumps({"n": "x" * 1_100_000}).encode(),
        )
    assert _error(info)[0] == "RequestEntityTooLargeException"  # as for any function
    with pytest.raises(botocore.exceptions.ClientError) as info:
        lam.invoke(FunctionName=f"{steps}:$LATEST", Payload=b"{not json")
    assert _error(info)[0] == "InvalidRequestContentException"


def test_forged_callback_id(lam: Any, waiting: str) -> None:
    """A callback id names its execution and operation, but guessing them is not enough."""
    import base64

    arn = start(lam, waiting, None)
    real = callback_id(lam, arn)
    execution_arn, operation, _secret = base64.b64decode(real).decode().split("\n")
    forged = base64.b64encode(f"{execution_arn}\n{operation}\n00000000".encode()).decode()
    with pytest.raises(botocore.exceptions.ClientError) as info:
        lam.send_durable_execution_callback_success(CallbackId=forged, Result=b"1")
    assert _error(info)[0] == "ResourceNotFoundException"
    lam.stop_durable_execution(DurableExecutionArn=arn)


HEARTBEAT = """
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import CallbackConfig, Duration

@durable_execution
def handler(event, context: DurableContext):
    config = CallbackConfig(
        timeout=Duration.from_seconds(event["timeout"]),
        heartbeat_timeout=Duration.from_seconds(2),
    )
    try:
        return context.create_callback(name="job", config=config).result()
    except Exception as error:
        return f"gave up: {type(error).__name__}"
"""


def test_heartbeats_keep_a_callback_alive(lam: Any, deploy: Deploy) -> None:
    name = deploy(HEARTBEAT)
    arn = start(lam, name, {"timeout": 60})
    callback = callback_id(lam, arn)
    for _ in range(5):  # 5 s in all, past the 2 s heartbeat timeout
        time.sleep(1)
        lam.send_durable_execution_callback_heartbeat(CallbackId=callback)
    assert lam.get_durable_execution(DurableExecutionArn=arn)["Status"] == "RUNNING"
    lam.send_durable_execution_callback_success(CallbackId=callback, Result=b'"done"')
    assert json.loads(wait_status(lam, arn)["Result"]) == '"done"'


def test_a_callback_without_heartbeats_times_out(lam: Any, deploy: Deploy) -> None:
    name = deploy(HEARTBEAT)
    arn = start(lam, name, {"timeout": 60})
    callback = callback_id(lam, arn)
    execution = wait_status(lam, arn)
    assert json.loads(execution["Result"]).startswith("gave up")
    timed_out = [e for e in history(lam, arn) if e["EventType"] == "CallbackTimedOut"]
    assert timed_out[0]["CallbackTimedOutDetails"]["Error"]["Payload"]["ErrorType"] == (
        "Callback.Heartbeat"
    )
    with pytest.raises(botocore.exceptions.ClientError) as info:
        lam.send_durable_execution_callback_heartbeat(CallbackId=callback)
    assert _error(info)[0] == "CallbackTimeoutException"


def test_a_callback_times_out(lam: Any, deploy: Deploy) -> None:
    name = deploy(HEARTBEAT)
    arn = start(lam, name, {"timeout": 1})
    callback_id(lam, arn)
    assert json.loads(wait_status(lam, arn)["Result"]).startswith("gave up")
    timed_out = [e for e in history(lam, arn) if e["EventType"] == "CallbackTimedOut"]
    assert timed_out[0]["CallbackTimedOutDetails"]["Error"]["Payload"]["ErrorType"] == (
        "Callback.Timeout"
    )
