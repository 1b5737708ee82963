"""GetExecutionHistory through boto3: AWS's event types, ids, links, paging and options."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.aws.stepfunctions.conftest import (
    asl,
    assert_error,
    create_machine,
    execution_arn,
    history,
    unique,
    wait_finished,
)

CHAIN = asl(
    {
        "Start": {"Type": "Pass", "Result": {"step": 1}, "ResultPath": "$.first", "Next": "Pick"},
        "Pick": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.go", "StringEquals": "left", "Next": "Left"}],
            "Default": "Right",
        },
        "Left": {"Type": "Wait", "Seconds": 0, "Next": "Done"},
        "Right": {"Type": "Fail", "Error": "WentRight", "Cause": "not left"},
        "Done": {"Type": "Succeed"},
    }
)
TYPES = [
    "ExecutionStarted",
    "PassStateEntered",
    "PassStateExited",
    "ChoiceStateEntered",
    "ChoiceStateExited",
    "WaitStateEntered",
    "WaitStateExited",
    "SucceedStateEntered",
    "SucceedStateExited",
    "ExecutionSucceeded",
]


@pytest.fixture(scope="module")
def finished(sfn: Any) -> str:
    """One execution of CHAIN that went left and succeeded."""
    machine = create_machine(sfn, CHAIN)
    arn = sfn.start_execution(stateMachineArn=machine, input='{"go": "left"}')["executionArn"]
    wait_finished(sfn, arn)
    return str(arn)


def test_event_types_ids_links_and_timestamps(sfn: Any, finished: str) -> None:
    events = sfn.get_execution_history(executionArn=finished)["events"]
    assert [e["type"] for e in events] == TYPES
    assert [e["id"] for e in events] == list(range(1, len(TYPES) + 1))
    assert events[0]["previousEventId"] == 0
    assert all(e["previousEventId"] == e["id"] - 1 for e in events)
    stamps = [e["timestamp"] for e in events]
    assert stamps == sorted(stamps)
    described = sfn.describe_execution(executionArn=finished)
    assert stamps[0] == described["startDate"]
    assert stamps[-1] == described["stopDate"]


def test_event_details(sfn: Any, finished: str) -> None:
    events = {e["type"]: e for e in sfn.get_execution_history(executionArn=finished)["events"]}
    started = events["ExecutionStarted"]["executionStartedEventDetails"]
    assert json.loads(started["input"]) == {"go": "left"}
    assert started["roleArn"].startswith("arn:aws:iam::")
    entered = events["PassStateEntered"]["stateEnteredEventDetails"]
    assert entered["name"] == "Start"
    assert json.loads(entered["input"]) == {"go": "left"}
    exited = events["PassStateExited"]["stateExitedEventDetails"]
    assert exited["name"] == "Start"
    assert json.loads(exited["output"]) == {"go": "left", "first": {"step": 1}}
    succeeded = events["ExecutionSucceeded"]["executionSucceededEventDetails"]
    assert json.loads(succeeded["output"]) == {"go": "left", "first": {"step": 1}}


def test_failed_execution_history(sfn: Any) -> None:
    machine = create_machine(sfn, CHAIN)
    arn = sfn.start_execution(stateMachineArn=machine, input='{"go": "right"}')["executionArn"]
    wait_finished(sfn, arn)
    events = history(sfn, arn)
    assert [e["type"] for e in events] == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "ChoiceStateEntered",
        "ChoiceStateExited",
        "FailStateEntered",
        "ExecutionFailed",
    ]
    assert events[-1]["executionFailedEventDetails"] == {"error": "WentRight", "cause": "not left"}


def test_paging_returns_every_event_once(sfn: Any, finished: str) -> None:
    ids: list[int] = []
    token = None
    pages = 0
    while True:
        kwargs: dict[str, Any] = {"maxResults": 3}
        if token:
            kwargs["nextToken"] = token
        page = sfn.get_execution_history(executionArn=finished, **kwargs)
        pages += 1
        assert len(page["events"]) <= 3
        ids.extend(e["id"] for e in page["events"])
        token = page.get("nextToken")
        if not token:
            break
    assert ids == list(range(1, len(TYPES) + 1))
    assert pages == 4


def test_reverse_order_with_paging(sfn: Any, finished: str) -> None:
    whole = sfn.get_execution_history(executionArn=finished, reverseOrder=True)["events"]
    assert [e["type"] for e in whole] == TYPES[::-1]
    first = sfn.get_execution_history(executionArn=finished, reverseOrder=True, maxResults=4)
    assert [e["id"] for e in first["events"]] == [10, 9, 8, 7]
    rest = sfn.get_execution_history(
        executionArn=finished, reverseOrder=True, maxResults=100, nextToken=first["nextToken"]
    )
    assert [e["id"] for e in rest["events"]] == [6, 5, 4, 3, 2, 1]
    assert "nextToken" not in rest


def test_without_execution_data(sfn: Any, finished: str) -> None:
    events = sfn.get_execution_history(executionArn=finished, includeExecutionData=False)["events"]
    assert [e["type"] for e in events] == TYPES
    for event in events:
        for key, details in event.items():
            if key.endswith("EventDetails"):
                assert "input" not in details and "output" not in details, event
    names = [
        e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e
    ]
    assert names == ["Start", "Pick", "Left", "Done"]  # what is not data stays


@pytest.mark.parametrize("value", [1001, -5])
def test_max_results_out_of_range(raw_sfn: Any, finished: str, value: int) -> None:
    with pytest.raises(raw_sfn.exceptions.ClientError) as error:
        raw_sfn.get_execution_history(executionArn=finished, maxResults=value)
    assert_error(
        error,
        "ValidationException",
        f"1 validation error detected: Value '{value}' at 'maxResults' failed to satisfy",
        prefix=True,
    )


def test_bad_next_token(sfn: Any, finished: str) -> None:
    with pytest.raises(sfn.exceptions.ClientError) as error:
        sfn.get_execution_history(executionArn=finished, nextToken="what")
    assert_error(error, "ValidationException", "Invalid Token: 'what'")


def test_history_of_an_unknown_execution(sfn: Any) -> None:
    arn = execution_arn(unique(), "ghost")
    with pytest.raises(sfn.exceptions.ExecutionDoesNotExist) as error:
        sfn.get_execution_history(executionArn=arn)
    assert_error(error, "ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'")
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.get_execution_history(executionArn="arn:aws:states:us-east-1:000000000000:activity:a")
