"""Step Functions' own limits through boto3 against a real server.

Sources (also in `stratus/workflows/limits.py`):
- definition size: the API model's `Definition` shape, "Maximum length of 1048576"
  (CreateStateMachine, UpdateStateMachine, ValidateStateMachineDefinition, TestState),
  refused with the model's ValidationException;
- history: "Maximum execution history size: 25,000 events ... the execution will fail"
  (Quotas for Standard Workflows; "Unlimited" for Express), with States.Runtime and "The
  execution reached the maximum number of history events (25000)." as its last event,
  number 25,000 (https://github.com/floci-io/floci/issues/2734,
  https://github.com/loads/ardere/issues/86);
- nesting: AWS documents no limit; Stratus refuses JSON nested deeper than 200 levels
  with the errors of the calls that carry it (InvalidDefinition, InvalidExecutionInput),
  and fails run-time data built deeper with States.DataLimitExceeded.

Every refused call checks the code, the message, that nothing was stored, and that the
server still answers.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.aws.stepfunctions.conftest import (
    PASS,
    ROLE,
    all_pages,
    asl,
    assert_error,
    create_machine,
    sfn_client,
    unique,
    wait_finished,
)
from tests.conftest import ServerProcess

MAX_DEFINITION = 1_048_576
HISTORY_CAUSE = "The execution reached the maximum number of history events (25000)."
TOO_DEEP_DEFINITION = (
    "Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: The definition is nested "
    "deeper than the maximum depth (200)'"
)
SPIN = asl(
    {
        "Loop": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.spin", "BooleanEquals": True, "Next": "Loop"}],
            "Default": "Done",
        },
        "Done": {"Type": "Succeed"},
    }
)


def padded(length: int) -> str:
    """A valid definition of exactly `length` characters (its Comment pads it)."""
    empty = json.loads(PASS)
    empty["Comment"] = ""
    padding = length - len(json.dumps(empty))
    empty["Comment"] = "x" * padding
    text = json.dumps(empty)
    assert len(text) == length
    return text


def machine_names(sfn: Any) -> set[str]:
    return {m["name"] for m in all_pages(sfn, "list_state_machines", "stateMachines")}


def assert_still_answering(server: ServerProcess) -> None:
    """Other calls on the same server answer after the hostile one."""
    assert server.client("lambda").get_account_settings()["AccountLimit"]
    sfn_client(server).list_state_machines(maxResults=1)


# -- definition size ---------------------------------------------------------------------
SIZE_MESSAGE = (
    "1 validation error detected: Value at 'definition' failed to satisfy constraint: "
    f"Member must have length less than or equal to {MAX_DEFINITION}"
)


@pytest.mark.parametrize("operation", ["create", "update", "validate", "test_state"], ids=str)
def test_a_definition_over_the_size_limit_is_refused(
    raw_sfn: Any, sfn: Any, server: ServerProcess, operation: str
) -> None:
    """`definition` is sensitive: the message names it without its value."""
    too_big = padded(MAX_DEFINITION + 1)
    name = unique()
    arn = create_machine(sfn) if operation == "update" else None
    calls: dict[str, Callable[[], Any]] = {
        "create": lambda: raw_sfn.create_state_machine(name=name, definition=too_big, roleArn=ROLE),
        "update": lambda: raw_sfn.update_state_machine(stateMachineArn=arn, definition=too_big),
        "validate": lambda: raw_sfn.validate_state_machine_definition(definition=too_big),
        "test_state": lambda: raw_sfn.test_state(definition=too_big, roleArn=ROLE),
    }
    with pytest.raises(raw_sfn.exceptions.ClientError) as error:
        calls[operation]()
    assert_error(error, "ValidationException", SIZE_MESSAGE)
    assert name not in machine_names(sfn)
    if arn is not None:
        assert sfn.describe_state_machine(stateMachineArn=arn)["definition"] == PASS
    assert_still_answering(server)


def test_a_definition_of_exactly_the_size_limit_is_accepted(sfn: Any) -> None:
    definition = padded(MAX_DEFINITION)
    arn = create_machine(sfn, definition)
    assert sfn.describe_state_machine(stateMachineArn=arn)["definition"] == definition
    assert sfn.validate_state_machine_definition(definition=definition)["result"] == "OK"
    sfn.delete_state_machine(stateMachineArn=arn)


# -- nesting -------------------------------------------------------------------------------
def parallels(depth: int) -> str:
    """Parallel states nested `depth` deep, written as text (too deep for `json.dumps`)."""
    opening = '{"Type": "Parallel", "End": true, "Branches": [{"StartAt": "P", "States": {"P": '
    state = opening * depth + '{"Type": "Pass", "End": true}' + "}}]}" * depth
    return '{"StartAt": "P", "States": {"P": ' + state + "}}"


DEEP_DEFINITIONS = {
    "arrays-10000": '{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true, '
    '"Result": ' + "[" * 10_000 + "]" * 10_000 + "}}}",
    "unclosed-10000": '{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": ' + "[" * 10_000,
    "parallel-60": parallels(60),
    "parallel-10000": parallels(10_000),
}


@pytest.mark.parametrize("definition", DEEP_DEFINITIONS.values(), ids=DEEP_DEFINITIONS.keys())
def test_a_definition_nested_too_deep_is_refused(
    raw_sfn: Any, sfn: Any, server: ServerProcess, definition: str
) -> None:
    name = unique()
    with pytest.raises(sfn.exceptions.InvalidDefinition) as error:
        raw_sfn.create_state_machine(name=name, definition=definition, roleArn=ROLE)
    assert_error(error, "InvalidDefinition", TOO_DEEP_DEFINITION)
    assert name not in machine_names(sfn)

    arn = create_machine(sfn)
    with pytest.raises(sfn.exceptions.InvalidDefinition) as error:
        raw_sfn.update_state_machine(stateMachineArn=arn, definition=definition)
    assert_error(error, "InvalidDefinition", TOO_DEEP_DEFINITION)
    assert sfn.describe_state_machine(stateMachineArn=arn)["definition"] == PASS

    validated = raw_sfn.validate_state_machine_definition(definition=definition)
    assert validated["result"] == "FAIL"
    assert validated["diagnostics"] == [
        {
            "severity": "ERROR",
            "code": "INVALID_JSON_DESCRIPTION",
            "message": "The definition is nested deeper than the maximum depth (200)",
        }
    ]

    with pytest.raises(sfn.exceptions.InvalidDefinition) as error:
        raw_sfn.test_state(definition=definition, roleArn=ROLE)
    assert_error(error, "InvalidDefinition", TOO_DEEP_DEFINITION)
    assert_still_answering(server)


def test_a_definition_nested_within_the_limit_runs(sfn: Any) -> None:
    arn = create_machine(sfn, parallels(45))
    started = sfn.start_execution(stateMachineArn=arn, input='{"x": 1}')
    done = wait_finished(sfn, started["executionArn"])
    assert done["status"] == "SUCCEEDED", done


@pytest.mark.parametrize("machine_type", ["STANDARD", "EXPRESS"])
def test_an_input_nested_too_deep_is_refused(
    sfn: Any, server: ServerProcess, machine_type: str
) -> None:
    arn = create_machine(sfn, type=machine_type)
    deep = "[" * 10_000 + "]" * 10_000
    start = sfn.start_sync_execution if machine_type == "EXPRESS" else sfn.start_execution
    with pytest.raises(sfn.exceptions.InvalidExecutionInput) as error:
        start(stateMachineArn=arn, name="deep", input=deep)
    assert_error(
        error,
        "InvalidExecutionInput",
        "Invalid State Machine Execution Input: 'The input is nested deeper than the maximum "
        "depth (200)'",
    )
    if machine_type == "STANDARD":
        assert all_pages(sfn, "list_executions", "executions", stateMachineArn=arn) == []
    assert_still_answering(server)


def test_data_built_too_deep_fails_the_execution(sfn: Any, server: ServerProcess) -> None:
    grow = asl(
        {
            "Wrap": {"Type": "Pass", "Parameters": {"a.$": "$"}, "Next": "Again"},
            "Again": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.a", "IsPresent": True, "Next": "Wrap"}],
                "Default": "Done",
            },
            "Done": {"Type": "Succeed"},
        }
    )
    arn = create_machine(sfn, grow)
    started = sfn.start_execution(stateMachineArn=arn)
    done = wait_finished(sfn, started["executionArn"])
    assert done["status"] == "FAILED"
    assert done["error"] == "States.DataLimitExceeded"
    assert done["cause"] == "The data is nested deeper than the maximum depth (200)."
    assert_still_answering(server)


# -- history -------------------------------------------------------------------------------
def test_a_standard_loop_fails_at_the_history_limit(sfn: Any, server: ServerProcess) -> None:
    arn = create_machine(sfn, SPIN)
    started = sfn.start_execution(stateMachineArn=arn, input='{"spin": true}')
    done = wait_finished(sfn, started["executionArn"], timeout=300)
    assert done["status"] == "FAILED"
    assert done["error"] == "States.Runtime"
    assert done["cause"] == HISTORY_CAUSE
    last = sfn.get_execution_history(
        executionArn=started["executionArn"], reverseOrder=True, maxResults=2
    )["events"]
    assert [(e["id"], e["previousEventId"], e["type"]) for e in last] == [
        (25_000, 24_999, "ExecutionFailed"),
        (24_999, 24_998, "ChoiceStateExited"),
    ]
    assert last[0]["executionFailedEventDetails"] == {
        "error": "States.Runtime",
        "cause": HISTORY_CAUSE,
    }
    first = sfn.get_execution_history(executionArn=started["executionArn"], maxResults=1)
    assert first["events"][0]["type"] == "ExecutionStarted"
    assert_still_answering(server)


# -- large maps beside other calls --------------------------------------------------------
def map_definition(mode: str) -> str:
    processor: dict[str, Any] = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    if mode == "DISTRIBUTED":
        processor["ProcessorConfig"] = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
    return asl({"M": {"Type": "Map", "ItemProcessor": processor, "End": True}})


def calls_beside(server: ServerProcess, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run `work` in a thread while this one makes other calls on the same server, until
    it ends; every call must answer, and some while `work` is still running (the server's
    event loop is not held by it). The slowest answer is printed, never asserted."""
    outcome: dict[str, Any] = {}

    def background() -> None:
        try:
            outcome.update(work())
        except Exception as error:  # re-raised in the test's thread below
            outcome["raised"] = error

    thread = threading.Thread(target=background)
    lambda_client = server.client("lambda")
    sfn = sfn_client(server)
    latencies: list[float] = []
    answered_while_running = 0
    thread.start()
    while thread.is_alive():
        began = time.monotonic()
        sfn.list_state_machines(maxResults=1)
        lambda_client.get_account_settings()
        latencies.append(time.monotonic() - began)
        answered_while_running += thread.is_alive()
    thread.join()
    if "raised" in outcome:
        raise outcome["raised"]
    print(
        f"{len(latencies)} pairs of calls beside the Map; slowest pair "
        f"{max(latencies) * 1000:.0f} ms"
    )
    assert answered_while_running > 0
    return outcome


def run_map(
    server: ServerProcess, arn: str, express: bool, count: int = 100_000
) -> Callable[[], dict[str, Any]]:
    # 100,000 items: 200,001 bytes, under the 256 KiB input quota
    items = json.dumps([0] * count, separators=(",", ":"))

    def work() -> dict[str, Any]:
        sfn = sfn_client(server)
        if express:
            return dict(sfn.start_sync_execution(stateMachineArn=arn, input=items))
        started = sfn.start_execution(stateMachineArn=arn, input=items)
        return wait_finished(sfn, started["executionArn"], timeout=600)

    return work


def test_a_standard_inline_map_of_100000_items_stops_at_the_history_limit(
    sfn: Any, server: ServerProcess
) -> None:
    """Four events per iteration: AWS would fail it too, after 24,999 events."""
    arn = create_machine(sfn, map_definition("INLINE"))
    done = calls_beside(server, run_map(server, arn, express=False))
    assert done["status"] == "FAILED"
    assert (done["error"], done["cause"]) == ("States.Runtime", HISTORY_CAUSE)
    assert_still_answering(server)


def test_an_express_inline_map_of_100000_items_runs_beside_other_calls(
    sfn: Any, server: ServerProcess
) -> None:
    """Express executions have no history quota: all 100,000 iterations run."""
    arn = create_machine(sfn, map_definition("INLINE"), type="EXPRESS")
    done = calls_beside(server, run_map(server, arn, express=True))
    assert done["status"] == "SUCCEEDED", done
    assert json.loads(done["output"]) == [0] * 100_000


@pytest.mark.parametrize(
    "count",
    [
        10_000,
        # ~45 s of the 2-core machine: the engine's own test runs 100,000 in make test
        # (tests/workflows/test_limits.py), this one through the API in make test-slow.
        pytest.param(100_000, marks=pytest.mark.slow),
    ],
)
def test_a_distributed_map_runs_beside_other_calls(
    sfn: Any, server: ServerProcess, count: int
) -> None:
    """A distributed Map's iterations are child executions with their own history, so
    the parent stays far under its quota and succeeds."""
    arn = create_machine(sfn, map_definition("DISTRIBUTED"))
    done = calls_beside(server, run_map(server, arn, express=False, count=count))
    assert done["status"] == "SUCCEEDED", done
    assert json.loads(done["output"]) == [0] * count


# -- names ---------------------------------------------------------------------------------
def test_a_state_name_over_80_characters_is_refused(sfn: Any) -> None:
    """AWS's message, quoted in https://github.com/ChristopheBougere/asl-validator/issues/69."""
    long_name = "s" * 81
    name = unique()
    with pytest.raises(sfn.exceptions.InvalidDefinition) as error:
        sfn.create_state_machine(
            name=name, definition=asl({long_name: {"Type": "Succeed"}}), roleArn=ROLE
        )
    assert_error(
        error,
        "InvalidDefinition",
        f"Invalid State Machine Definition: 'INVALID_STATE_NAME: Invalid State name: State "
        f"'{long_name}' exceeds the 80-character limit allowed by the service at "
        f"/States/{long_name}'",
    )
    assert name not in machine_names(sfn)
