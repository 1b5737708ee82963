"""Helpers for the Step Functions API suite: clients, definitions, errors, polling.

Everything talks to a real Stratus server over HTTP with boto3; nothing is mocked.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import botocore.exceptions
import pytest

from tests.conftest import ROLE, ServerProcess

REGION = "us-east-1"
ACCOUNT = "000000000000"
FINISHED = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


def sfn_client(server: ServerProcess, **config: Any) -> Any:
    """A Step Functions client for ``server``.

    StartSyncExecution's model has the host prefix ``sync-`` (AWS serves it on
    ``sync-states.<region>.amazonaws.com``); against one endpoint URL the prefix must be
    off, as with any local endpoint.
    """
    return server.client("stepfunctions", inject_host_prefix=False, **config)


@pytest.fixture(scope="session")
def sfn(server: ServerProcess) -> Any:
    return sfn_client(server)


@pytest.fixture(scope="session")
def raw_sfn(server: ServerProcess) -> Any:
    """A client that skips botocore's own parameter checks, so the server sees bad input."""
    return sfn_client(server, parameter_validation=False)


def unique(prefix: str = "sm") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def machine_arn(name: str) -> str:
    return f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{name}"


def execution_arn(machine: str, name: str) -> str:
    return f"arn:aws:states:{REGION}:{ACCOUNT}:execution:{machine}:{name}"


def activity_arn(name: str) -> str:
    return f"arn:aws:states:{REGION}:{ACCOUNT}:activity:{name}"


def asl(states: dict[str, Any], start: str | None = None, **top: Any) -> str:
    """A definition's JSON text; StartAt defaults to the first state."""
    return json.dumps({"StartAt": start or next(iter(states)), "States": states, **top})


PASS = asl({"P": {"Type": "Pass", "Result": {"done": True}, "ResultPath": "$.r", "End": True}})


def wait_then_pass(seconds: float) -> str:
    return asl(
        {
            "W": {"Type": "Wait", "Seconds": seconds, "Next": "P"},
            "P": {"Type": "Pass", "End": True},
        }
    )


def create_machine(
    sfn: Any, definition: str = PASS, *, name: str | None = None, **kwargs: Any
) -> str:
    """Create a state machine; its ARN."""
    response = sfn.create_state_machine(
        name=name or unique(), definition=definition, roleArn=ROLE, **kwargs
    )
    return str(response["stateMachineArn"])


def assert_error(
    error: pytest.ExceptionInfo[botocore.exceptions.ClientError],
    code: str,
    message: str | None = None,
    *,
    prefix: bool = False,
) -> dict[str, Any]:
    """Check an AWS error's code, message (exact, or its start) and HTTP status 400."""
    response = error.value.response
    assert response["Error"]["Code"] == code, response
    if message is not None:
        actual = response["Error"]["Message"]
        assert actual.startswith(message) if prefix else actual == message, actual
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400, response
    return dict(response)


def wait_for(condition: Callable[[], Any], *, timeout: float = 30.0) -> Any:
    """Poll until ``condition()`` is truthy (returning it); fail the test on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout} s")
        time.sleep(0.05)


def wait_finished(sfn: Any, arn: str, *, timeout: float = 30.0) -> dict[str, Any]:
    """DescribeExecution once the execution has ended."""
    return dict(
        wait_for(
            lambda: (d := sfn.describe_execution(executionArn=arn))["status"] in FINISHED and d,
            timeout=timeout,
        )
    )


def history(sfn: Any, arn: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Every history event, following nextToken."""
    events: list[dict[str, Any]] = []
    for page in sfn.get_paginator("get_execution_history").paginate(executionArn=arn, **kwargs):
        events.extend(page["events"])
    return events


def event_types(sfn: Any, arn: str) -> list[str]:
    return [event["type"] for event in history(sfn, arn)]


def all_pages(sfn: Any, operation: str, key: str, **kwargs: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in sfn.get_paginator(operation).paginate(**kwargs):
        items.extend(page[key])
    return items


# -- conformance tally -------------------------------------------------------------------
_TALLY: dict[str, list[bool]] = {}


@pytest.fixture
def api_conformance_tally() -> dict[str, list[bool]]:
    """Per suite, one bool per AWS-recorded case run through the API (True: matched)."""
    return _TALLY


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the pass rate of the AWS-recorded cases run through the API."""
    for suite, results in sorted(_TALLY.items()):
        if results:
            passed = sum(results)
            terminalreporter.write_line(
                f"ASL conformance through the API ({suite}): {passed}/{len(results)} cases "
                f"match AWS ({100 * passed / len(results):.1f}%)"
            )
