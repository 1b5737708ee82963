"""Helpers for the CloudFormation suite: a real server, boto3 clients, stacks run to the end."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import botocore.exceptions
import pytest

from tests.conftest import ServerProcess


@pytest.fixture(scope="session")
def cfn(server: ServerProcess) -> Any:
    return server.client("cloudformation")


def stack_name(prefix: str = "st") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def wait_stack(cfn: Any, name: str, waiter: str = "stack_create_complete") -> dict[str, Any]:
    cfn.get_waiter(waiter).wait(StackName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 600})
    return dict(cfn.describe_stacks(StackName=name)["Stacks"][0])


def settle(cfn: Any, name: str) -> dict[str, Any]:
    """The stack once its operation ended, whatever its outcome."""
    import time

    for _ in range(1200):
        stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
        if not stack["StackStatus"].endswith("_IN_PROGRESS"):
            return dict(stack)
        time.sleep(0.1)
    raise AssertionError(f"stack {name} still in progress")


def aws_error(call: Callable[[], Any]) -> tuple[str, str]:
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call()
    error = raised.value.response["Error"]
    return error["Code"], error["Message"]


def outputs(stack: dict[str, Any]) -> dict[str, str]:
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
