"""Executions through boto3: start (names, idempotency), sync, describe, list, stop.

Every refused call checks AWS's error code and message and that nothing was stored.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.aws.stepfunctions.conftest import (
    PASS,
    ROLE,
    all_pages,
    asl,
    assert_error,
    create_machine,
    event_types,
    execution_arn,
    machine_arn,
    unique,
    wait_finished,
    wait_then_pass,
)

FAIL = asl({"F": {"Type": "Fail", "Error": "Custom.Broken", "Cause": "it broke"}})
LONG_WAIT = wait_then_pass(300)


def execution_names(sfn: Any, machine: str, **kwargs: Any) -> list[str]:
    items = all_pages(sfn, "list_executions", "executions", stateMachineArn=machine, **kwargs)
    return [e["name"] for e in items]


# -- start and describe ----------------------------------------------------------------
def test_start_runs_to_success_with_output(sfn: Any) -> None:
    machine_name = unique()
    machine = create_machine(sfn, name=machine_name)
    started = sfn.start_execution(stateMachineArn=machine, name="first", input='{"n": 1}')
    assert started["executionArn"] == execution_arn(machine_name, "first")
    done = wait_finished(sfn, started["executionArn"])
    assert done["status"] == "SUCCEEDED"
    assert json.loads(done["output"]) == {"n": 1, "r": {"done": True}}
    assert done["input"] == '{"n": 1}'
    assert done["stateMachineArn"] == machine
    assert done["name"] == "first"
    assert done["startDate"] == started["startDate"]
    assert done["stopDate"] >= done["startDate"]
    assert "error" not in done


def test_start_without_name_or_input(sfn: Any) -> None:
    machine = create_machine(sfn)
    arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    done = wait_finished(sfn, arn)
    assert done["input"] == "{}"
    assert json.loads(done["output"]) == {"r": {"done": True}}
    assert len(done["name"]) == 36  # a UUID, as Step Functions names it


def test_a_failing_execution_reports_error_and_cause(sfn: Any) -> None:
    arn = sfn.start_execution(stateMachineArn=create_machine(sfn, FAIL))["executionArn"]
    done = wait_finished(sfn, arn)
    assert (done["status"], done["error"], done["cause"]) == ("FAILED", "Custom.Broken", "it broke")
    assert "output" not in done
    assert event_types(sfn, arn)[-1] == "ExecutionFailed"


def test_a_running_execution_describes_as_running(sfn: Any) -> None:
    machine = create_machine(sfn, LONG_WAIT)
    arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    described = sfn.describe_execution(executionArn=arn)
    assert described["status"] == "RUNNING"
    assert "stopDate" not in described and "output" not in described
    sfn.stop_execution(executionArn=arn)


# -- names are unique per machine; idempotent for the same input while running -----------
def test_start_is_idempotent_for_the_same_name_and_input_while_running(sfn: Any) -> None:
    machine = create_machine(sfn, LONG_WAIT)
    first = sfn.start_execution(stateMachineArn=machine, name="once", input='{"a": 1}')
    again = sfn.start_execution(stateMachineArn=machine, name="once", input='{"a": 1}')
    assert again["executionArn"] == first["executionArn"]
    assert again["startDate"] == first["startDate"]
    assert execution_names(sfn, machine) == ["once"]
    sfn.stop_execution(executionArn=first["executionArn"])


def test_same_name_with_other_input_is_refused(sfn: Any) -> None:
    machine = create_machine(sfn, LONG_WAIT)
    arn = sfn.start_execution(stateMachineArn=machine, name="once", input='{"a": 1}')[
        "executionArn"
    ]
    with pytest.raises(sfn.exceptions.ExecutionAlreadyExists) as error:
        sfn.start_execution(stateMachineArn=machine, name="once", input='{"a": 2}')
    assert_error(error, "ExecutionAlreadyExists", f"Execution Already Exists: '{arn}'")
    assert json.loads(sfn.describe_execution(executionArn=arn)["input"]) == {"a": 1}
    sfn.stop_execution(executionArn=arn)


def test_same_name_after_the_execution_ended_is_refused(sfn: Any) -> None:
    machine = create_machine(sfn)
    arn = sfn.start_execution(stateMachineArn=machine, name="done", input="{}")["executionArn"]
    wait_finished(sfn, arn)
    with pytest.raises(sfn.exceptions.ExecutionAlreadyExists) as error:
        sfn.start_execution(stateMachineArn=machine, name="done", input="{}")
    assert_error(error, "ExecutionAlreadyExists", f"Execution Already Exists: '{arn}'")
    assert execution_names(sfn, machine) == ["done"]


def test_the_same_name_on_another_machine_is_another_execution(sfn: Any) -> None:
    one, two = create_machine(sfn), create_machine(sfn)
    a = sfn.start_execution(stateMachineArn=one, name="shared")["executionArn"]
    b = sfn.start_execution(stateMachineArn=two, name="shared")["executionArn"]
    assert a != b
    assert wait_finished(sfn, a)["status"] == wait_finished(sfn, b)["status"] == "SUCCEEDED"


# -- bad starts ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "Invalid State Machine Execution Input: '"),
        ('{"a": 1} trailing', "Invalid State Machine Execution Input: '"),
        (
            # Under the model's 262144 characters (checked first, see below) but over the
            # service's 262144 bytes once UTF-8 encoded.
            json.dumps({"big": "é" * (128 * 1024 + 1)}, ensure_ascii=False),
            "Invalid State Machine Execution Input: 'The input size exceeds the maximum "
            "number of bytes (262144)'",
        ),
    ],
    ids=["not-json", "trailing", "too-big"],
)
def test_start_refuses_invalid_input(sfn: Any, text: str, message: str) -> None:
    machine = create_machine(sfn)
    with pytest.raises(sfn.exceptions.InvalidExecutionInput) as error:
        sfn.start_execution(stateMachineArn=machine, name="bad", input=text)
    assert_error(error, "InvalidExecutionInput", message, prefix=True)
    assert execution_names(sfn, machine) == []


@pytest.mark.parametrize("name", ["with space", "a:b", "tab\t"], ids=str.__len__)
def test_start_refuses_an_invalid_name(sfn: Any, name: str) -> None:
    machine = create_machine(sfn)
    with pytest.raises(sfn.exceptions.InvalidName) as error:
        sfn.start_execution(stateMachineArn=machine, name=name)
    assert_error(error, "InvalidName", f"Invalid Name: '{name}'")
    assert execution_names(sfn, machine) == []


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(
            lambda sfn, machine, name: sfn.start_execution(stateMachineArn=machine, name=name),
            id="start-execution",
        ),
        pytest.param(
            lambda sfn, machine, name: sfn.create_state_machine(
                name=name, definition=PASS, roleArn=ROLE
            ),
            id="create-state-machine",
        ),
        pytest.param(
            lambda sfn, machine, name: sfn.create_activity(name=name), id="create-activity"
        ),
    ],
)
def test_a_name_over_80_characters_breaks_the_model(sfn: Any, call: Any) -> None:
    """The model's length (1-80) is checked before Step Functions' own name rules. AWS:
    "ValidationException: 1 validation error detected: Value 'xxx' at 'name' failed to
    satisfy constraint: Member must have length less than or equal to 80"
    (https://github.com/wolfeidau/buildkite-serverless-agent/issues/37)."""
    machine = create_machine(sfn)
    name = "x" * 81
    with pytest.raises(sfn.exceptions.ClientError) as error:
        call(sfn, machine, name)
    assert_error(
        error,
        "ValidationException",
        f"1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: "
        "Member must have length less than or equal to 80",
    )
    assert execution_names(sfn, machine) == []


def test_input_over_the_models_length(sfn: Any) -> None:
    """``input`` is sensitive: AWS never echoes it, not even in a validation message."""
    machine = create_machine(sfn)
    with pytest.raises(sfn.exceptions.ClientError) as error:
        sfn.start_execution(stateMachineArn=machine, input=json.dumps({"big": "x" * 262144}))
    assert_error(
        error,
        "ValidationException",
        "1 validation error detected: Value at 'input' failed to satisfy constraint: "
        "Member must have length less than or equal to 262144",
    )
    assert execution_names(sfn, machine) == []


def test_start_on_an_unknown_machine(sfn: Any) -> None:
    arn = machine_arn(unique())
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist) as error:
        sfn.start_execution(stateMachineArn=arn)
    assert_error(error, "StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")


def test_start_with_an_invalid_arn(sfn: Any) -> None:
    with pytest.raises(sfn.exceptions.InvalidArn) as error:
        sfn.start_execution(stateMachineArn="arn:nope")
    assert_error(error, "InvalidArn", "Invalid Arn: 'arn:nope'")


# -- EXPRESS and StartSyncExecution ----------------------------------------------------
def test_start_sync_execution_returns_the_result(sfn: Any) -> None:
    machine = create_machine(sfn, type="EXPRESS")
    result = sfn.start_sync_execution(stateMachineArn=machine, name="sync", input='{"k": "v"}')
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {"k": "v", "r": {"done": True}}
    assert result["name"] == "sync"
    assert ":express:" in result["executionArn"]
    assert result["stateMachineArn"] == machine
    assert result["stopDate"] >= result["startDate"]
    assert result["billingDetails"]["billedDurationInMilliseconds"] >= 100


def test_start_sync_execution_reports_failure(sfn: Any) -> None:
    machine = create_machine(sfn, FAIL, type="EXPRESS")
    result = sfn.start_sync_execution(stateMachineArn=machine)
    assert (result["status"], result["error"], result["cause"]) == (
        "FAILED",
        "Custom.Broken",
        "it broke",
    )
    assert "output" not in result


def test_start_sync_execution_refuses_a_standard_machine(sfn: Any) -> None:
    machine = create_machine(sfn)
    with pytest.raises(sfn.exceptions.StateMachineTypeNotSupported) as error:
        sfn.start_sync_execution(stateMachineArn=machine, name="nope")
    assert_error(
        error,
        "StateMachineTypeNotSupported",
        "This operation is not supported by this type of state machine",
    )
    assert execution_names(sfn, machine) == []


def test_start_sync_execution_refuses_invalid_input(sfn: Any) -> None:
    machine = create_machine(sfn, type="EXPRESS")
    with pytest.raises(sfn.exceptions.InvalidExecutionInput):
        sfn.start_sync_execution(stateMachineArn=machine, input="[1,")


def test_express_start_execution_and_its_limits(sfn: Any) -> None:
    machine = create_machine(sfn, type="EXPRESS")
    arn = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
    assert ":express:" in arn
    with pytest.raises(sfn.exceptions.StateMachineTypeNotSupported):
        sfn.list_executions(stateMachineArn=machine)
    with pytest.raises(sfn.exceptions.ClientError) as error:
        sfn.get_execution_history(executionArn=arn)
    assert_error(
        error, "ValidationException", "Express executions do not have an execution history."
    )


# -- list ------------------------------------------------------------------------------
def test_list_filters_by_status_and_pages(sfn: Any) -> None:
    machine = create_machine(
        sfn,
        asl(
            {
                "C": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.fail", "BooleanEquals": True, "Next": "F"}],
                    "Default": "W",
                },
                "W": {"Type": "Wait", "SecondsPath": "$.wait", "End": True},
                "F": {"Type": "Fail", "Error": "E"},
            }
        ),
    )
    finished = []
    for i in range(5):
        arn = sfn.start_execution(
            stateMachineArn=machine, name=f"ok-{i}", input='{"fail": false, "wait": 0}'
        )["executionArn"]
        finished.append(arn)
    failed = sfn.start_execution(
        stateMachineArn=machine, name="bad", input='{"fail": true, "wait": 0}'
    )["executionArn"]
    running = sfn.start_execution(
        stateMachineArn=machine, name="slow", input='{"fail": false, "wait": 300}'
    )["executionArn"]
    for arn in [*finished, failed]:
        wait_finished(sfn, arn)

    assert sorted(execution_names(sfn, machine, statusFilter="SUCCEEDED")) == [
        f"ok-{i}" for i in range(5)
    ]
    assert execution_names(sfn, machine, statusFilter="FAILED") == ["bad"]
    assert execution_names(sfn, machine, statusFilter="RUNNING") == ["slow"]
    assert execution_names(sfn, machine, statusFilter="ABORTED") == []

    pages, token, seen = 0, None, []
    while True:
        page = sfn.list_executions(
            stateMachineArn=machine, maxResults=3, **({"nextToken": token} if token else {})
        )
        pages += 1
        assert len(page["executions"]) <= 3
        seen.extend(e["name"] for e in page["executions"])
        token = page.get("nextToken")
        if not token:
            break
    assert pages == 3
    assert sorted(seen) == sorted(["bad", "slow", *(f"ok-{i}" for i in range(5))])
    # newest first
    items = all_pages(sfn, "list_executions", "executions", stateMachineArn=machine)
    starts = [e["startDate"] for e in items]
    assert starts == sorted(starts, reverse=True)
    item = next(e for e in items if e["name"] == "bad")
    assert item["status"] == "FAILED" and item["executionArn"] == failed and "stopDate" in item
    sfn.stop_execution(executionArn=running)


def test_list_refuses_bad_parameters(sfn: Any, raw_sfn: Any) -> None:
    machine = create_machine(sfn)
    with pytest.raises(sfn.exceptions.ClientError) as error:
        raw_sfn.list_executions(stateMachineArn=machine, statusFilter="BOGUS")
    assert_error(
        error,
        "ValidationException",
        "1 validation error detected: Value 'BOGUS' at 'statusFilter' failed to satisfy "
        "constraint: Member must satisfy enum value set: "
        "[RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE]",
    )
    with pytest.raises(sfn.exceptions.ClientError) as error:
        raw_sfn.list_executions(stateMachineArn=machine, maxResults=1001)
    assert_error(error, "ValidationException", prefix=True, message="1 validation error detected")
    with pytest.raises(sfn.exceptions.ClientError) as error:
        sfn.list_executions(stateMachineArn=machine, nextToken="garbage")
    assert_error(error, "ValidationException", "Invalid Token: 'garbage'")
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.list_executions(stateMachineArn=machine_arn(unique()))


# -- stop ------------------------------------------------------------------------------
def test_stop_aborts_a_running_execution(sfn: Any) -> None:
    arn = sfn.start_execution(stateMachineArn=create_machine(sfn, LONG_WAIT))["executionArn"]
    stopped = sfn.stop_execution(executionArn=arn, error="Manual", cause="stopped by test")
    done = sfn.describe_execution(executionArn=arn)
    assert done["status"] == "ABORTED"
    assert (done["error"], done["cause"]) == ("Manual", "stopped by test")
    assert done["stopDate"] == stopped["stopDate"]
    events = event_types(sfn, arn)
    assert events == ["ExecutionStarted", "WaitStateEntered", "ExecutionAborted"]
    aborted = sfn.get_execution_history(executionArn=arn, reverseOrder=True)["events"][0]
    assert aborted["executionAbortedEventDetails"] == {
        "error": "Manual",
        "cause": "stopped by test",
    }


def test_stop_of_an_unknown_execution(sfn: Any) -> None:
    arn = execution_arn(unique(), "nobody")
    with pytest.raises(sfn.exceptions.ExecutionDoesNotExist) as error:
        sfn.stop_execution(executionArn=arn)
    assert_error(error, "ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'")


@pytest.mark.parametrize(
    ("arn", "code"),
    [
        ("garbage", "InvalidArn"),
        ("arn:aws:states:us-east-1:000000000000:stateMachine:x", "InvalidArn"),
        (execution_arn("no-machine", "no-execution"), "ExecutionDoesNotExist"),
    ],
    ids=["garbage", "machine-arn", "unknown"],
)
def test_describe_execution_bad_arns(sfn: Any, arn: str, code: str) -> None:
    with pytest.raises(sfn.exceptions.ClientError) as error:
        sfn.describe_execution(executionArn=arn)
    assert_error(error, code)


# -- definitions per execution ---------------------------------------------------------
def test_an_execution_keeps_the_definition_it_started_with(sfn: Any) -> None:
    old = wait_then_pass(1)
    machine = create_machine(sfn, old)
    arn = sfn.start_execution(stateMachineArn=machine, input='{"v": 1}')["executionArn"]
    sfn.update_state_machine(stateMachineArn=machine, definition=FAIL)
    assert wait_finished(sfn, arn)["status"] == "SUCCEEDED"
    for_execution = sfn.describe_state_machine_for_execution(executionArn=arn)
    assert for_execution["definition"] == old
    assert for_execution["stateMachineArn"] == machine
    assert for_execution["name"] == machine.rsplit(":", 1)[1]
    new = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    assert wait_finished(sfn, new)["status"] == "FAILED"
    assert sfn.describe_state_machine_for_execution(executionArn=new)["definition"] == FAIL


def test_describe_state_machine_for_an_unknown_execution(sfn: Any) -> None:
    arn = execution_arn(unique(), "x")
    with pytest.raises(sfn.exceptions.ExecutionDoesNotExist) as error:
        sfn.describe_state_machine_for_execution(executionArn=arn)
    assert_error(error, "ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'")


def test_executions_outlive_their_deleted_machine(sfn: Any) -> None:
    machine = create_machine(sfn, PASS)
    arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    wait_finished(sfn, arn)
    sfn.delete_state_machine(stateMachineArn=machine)
    assert sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED"
    assert sfn.describe_state_machine_for_execution(executionArn=arn)["definition"] == PASS
