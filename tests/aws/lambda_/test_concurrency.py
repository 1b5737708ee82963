"""Reserved concurrency: the API, the unreserved minimum, and real throttling of invokes."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.aws.lambda_.conftest import assert_error, read_payload, wait_for
from tests.conftest import create_function

MINIMUM_MESSAGE = (
    "Specified ReservedConcurrentExecutions for function decreases account's "
    "UnreservedConcurrentExecution below its minimum value of [100]."
)

SLOW = """
import pathlib, time

def handler(event, context):
    if event.get("started"):
        pathlib.Path(event["started"]).write_text("running")
    time.sleep(event.get("sleep", 0))
    return "done"
"""


def test_put_get_delete_function_concurrency(lambda_client: Any) -> None:
    name = create_function(lambda_client, SLOW)
    assert "ReservedConcurrentExecutions" not in lambda_client.get_function_concurrency(
        FunctionName=name
    )
    put = lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=7)
    assert put["ReservedConcurrentExecutions"] == 7
    got = lambda_client.get_function_concurrency(FunctionName=name)
    assert got["ReservedConcurrentExecutions"] == 7
    function = lambda_client.get_function(FunctionName=name)
    assert function["Concurrency"] == {"ReservedConcurrentExecutions": 7}
    lambda_client.delete_function_concurrency(FunctionName=name)
    assert "ReservedConcurrentExecutions" not in lambda_client.get_function_concurrency(
        FunctionName=name
    )
    assert "Concurrency" not in lambda_client.get_function(FunctionName=name)


def test_account_settings_reflect_reservations(lambda_client: Any) -> None:
    name = create_function(lambda_client, SLOW)
    before = lambda_client.get_account_settings()
    limit = before["AccountLimit"]["ConcurrentExecutions"]
    assert limit == 1000
    lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=10)
    try:
        after = lambda_client.get_account_settings()
        assert (
            after["AccountLimit"]["UnreservedConcurrentExecutions"]
            == before["AccountLimit"]["UnreservedConcurrentExecutions"] - 10
        )
    finally:
        lambda_client.delete_function_concurrency(FunctionName=name)


def test_unreserved_minimum_is_enforced(lambda_client: Any) -> None:
    name = create_function(lambda_client, SLOW)
    unreserved = lambda_client.get_account_settings()["AccountLimit"][
        "UnreservedConcurrentExecutions"
    ]
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error:
        lambda_client.put_function_concurrency(
            FunctionName=name, ReservedConcurrentExecutions=unreserved - 99
        )
    assert_error(error, "InvalidParameterValueException", MINIMUM_MESSAGE, 400)
    assert "ReservedConcurrentExecutions" not in lambda_client.get_function_concurrency(
        FunctionName=name
    )
    # exactly down to the minimum is allowed
    lambda_client.put_function_concurrency(
        FunctionName=name, ReservedConcurrentExecutions=unreserved - 100
    )
    try:
        settings = lambda_client.get_account_settings()["AccountLimit"]
        assert settings["UnreservedConcurrentExecutions"] == 100
    finally:
        lambda_client.delete_function_concurrency(FunctionName=name)


def test_negative_reserved_concurrency(raw_client: Any, lambda_client: Any) -> None:
    name = create_function(lambda_client, SLOW)
    with pytest.raises(raw_client.exceptions.ClientError) as error:
        raw_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=-1)
    assert_error(
        error,
        "ValidationException",
        "1 validation error detected: Value '-1' at 'reservedConcurrentExecutions' failed to "
        "satisfy constraint: Member must have value greater than or equal to 0",
        400,
    )
    assert "ReservedConcurrentExecutions" not in lambda_client.get_function_concurrency(
        FunctionName=name
    )


def _throttle_error(error: Any) -> None:
    response = assert_error(error, "TooManyRequestsException", "Rate Exceeded.", 429)
    assert response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"


def test_reserved_one_throttles_overlapping_invoke(
    lambda_client: Any, server: Any, tmp_path: Path
) -> None:
    name = create_function(lambda_client, SLOW, Timeout=30)
    lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    started = tmp_path / "started"
    results: list[Any] = []
    other_client = server.client("lambda")

    def long_call() -> None:
        payload = json.dumps({"started": str(started), "sleep": 2})
        results.append(read_payload(other_client.invoke(FunctionName=name, Payload=payload)))

    thread = threading.Thread(target=long_call)
    thread.start()
    try:
        wait_for(started.exists)
        with pytest.raises(lambda_client.exceptions.TooManyRequestsException) as error:
            lambda_client.invoke(FunctionName=name)
        _throttle_error(error)
    finally:
        thread.join(60)
    assert results == ["done"]
    # once the first one finished, the slot is free again
    assert read_payload(lambda_client.invoke(FunctionName=name)) == "done"


def test_reserved_zero_throttles_everything(lambda_client: Any, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    name = create_function(lambda_client, SLOW)
    lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    for _ in range(3):
        with pytest.raises(lambda_client.exceptions.TooManyRequestsException) as error:
            lambda_client.invoke(FunctionName=name, Payload=json.dumps({"started": str(marker)}))
        _throttle_error(error)
    assert not marker.exists()
    lambda_client.delete_function_concurrency(FunctionName=name)
    assert read_payload(lambda_client.invoke(FunctionName=name)) == "done"


def test_throttled_event_runs_once_concurrency_returns(lambda_client: Any, tmp_path: Path) -> None:
    """Lambda retries throttled Event invocations (not counted as attempts) until they run."""
    marker = tmp_path / "ran"
    name = create_function(lambda_client, SLOW)
    lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    response = lambda_client.invoke(
        FunctionName=name, InvocationType="Event", Payload=json.dumps({"started": str(marker)})
    )
    assert response["StatusCode"] == 202
    lambda_client.delete_function_concurrency(FunctionName=name)
    wait_for(marker.exists)


def test_deleted_function_gives_back_its_reservation(lambda_client: Any) -> None:
    """A function created again under a deleted one's name starts unreserved, as in Lambda."""
    name = create_function(lambda_client, SLOW)
    lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    lambda_client.delete_function(FunctionName=name)
    create_function(lambda_client, SLOW, name=name)
    assert "ReservedConcurrentExecutions" not in lambda_client.get_function_concurrency(
        FunctionName=name
    )
    assert read_payload(lambda_client.invoke(FunctionName=name)) == "done"
