"""Helpers for the Lambda API suite: raw clients, error assertions, logs, polling.

Everything here talks to the real session server (``server`` in ``tests/conftest.py``):
boto3 over HTTP, or the native API with urllib. Nothing is mocked.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable
from typing import Any

import botocore.exceptions
import pytest

from tests.conftest import ServerProcess

ACCOUNT = "000000000000"
REGION = "us-east-1"


def function_arn(name: str, qualifier: str | None = None) -> str:
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


@pytest.fixture(scope="session")
def raw_client(server: ServerProcess) -> Any:
    """A Lambda client that skips botocore's own parameter checks, so the server sees the
    bad input (missing members, wrong ranges) and must answer it the way Lambda does."""
    return server.client("lambda", parameter_validation=False)


def assert_error(
    error: pytest.ExceptionInfo[botocore.exceptions.ClientError],
    code: str,
    message: str | None = None,
    status: int | None = None,
    *,
    prefix: bool = False,
) -> dict[str, Any]:
    """Check an AWS error's code, message (exact, or its start) and HTTP status."""
    response = error.value.response
    assert response["Error"]["Code"] == code, response
    if message is not None:
        actual = response["Error"]["Message"]
        if prefix:
            assert actual.startswith(message), actual
        else:
            assert actual == message, actual
    if status is not None:
        assert response["ResponseMetadata"]["HTTPStatusCode"] == status, response
    return dict(response)


def function_names(client: Any) -> set[str]:
    names: set[str] = set()
    for page in client.get_paginator("list_functions").paginate():
        names.update(f["FunctionName"] for f in page["Functions"])
    return names


def assert_no_function(client: Any, name: str) -> None:
    """Nothing was stored under ``name``: Get says not found and List does not show it."""
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_function(FunctionName=name)
    assert name not in function_names(client)


def native_logs(server: ServerProcess, name: str) -> list[str]:
    """The function's stored log lines, through Stratus's native API."""
    url = f"{server.endpoint}/_stratus/functions/{name}/logs?limit=10000"
    with urllib.request.urlopen(url, timeout=10) as response:
        body = json.loads(response.read())
    return [event["message"] for event in body["events"]]


def wait_for(condition: Callable[[], Any], *, timeout: float = 30.0, interval: float = 0.05) -> Any:
    """Poll until ``condition()`` is truthy (returning it); fail the test on timeout.

    Only for behaviour that happens in the background (Event invocations, retries).
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout} s")
        time.sleep(interval)


# Members that change on their own while a new function's code is made ready (Pending ->
# Active): comparing before/after a refused request must not see that as a change.
LIFECYCLE_MEMBERS = frozenset(
    [
        "ResponseMetadata",
        "State",
        "StateReason",
        "StateReasonCode",
        "LastUpdateStatus",
        "LastUpdateStatusReason",
        "LastUpdateStatusReasonCode",
    ]
)


def configuration(response: dict[str, Any]) -> dict[str, Any]:
    """A GetFunctionConfiguration answer without its per-request metadata and lifecycle
    members, to compare."""
    return {k: v for k, v in response.items() if k not in LIFECYCLE_MEMBERS}


def read_payload(response: dict[str, Any]) -> Any:
    return json.loads(response["Payload"].read())
