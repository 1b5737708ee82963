"""AWS's error for each bad input to the durable operations, and nothing stored by any.

Calls go through a client that skips botocore's own checks, so the server sees the bad
input and must answer it as Lambda does."""

from __future__ import annotations

from typing import Any

import botocore.exceptions
import pytest

from tests.aws.durable.conftest import Deploy
from tests.conftest import ServerProcess

ARN = (
    "arn:aws:lambda:us-east-1:000000000000:function:nothing:$LATEST"
    "/durable-execution/nope/00000000-0000-0000-0000-000000000000"
)
CALLBACK = "bm90LWEtY2FsbGJhY2s="

CASES: list[tuple[str, str, dict[str, Any], str]] = [
    (
        "get_durable_execution",
        "malformed-arn",
        {"DurableExecutionArn": "arn:x"},
        "ValidationException",
    ),
    ("get_durable_execution", "unknown", {"DurableExecutionArn": ARN}, "ResourceNotFoundException"),
    (
        "get_durable_execution_history",
        "unknown",
        {"DurableExecutionArn": ARN},
        "ResourceNotFoundException",
    ),
    (
        "get_durable_execution_history",
        "max-items",
        {"DurableExecutionArn": ARN, "MaxItems": 1001},
        "ValidationException",
    ),
    (
        "stop_durable_execution",
        "unknown",
        {"DurableExecutionArn": ARN},
        "ResourceNotFoundException",
    ),
    (
        "pause_durable_execution",
        "unknown",
        {"DurableExecutionArn": ARN},
        "ResourceNotFoundException",
    ),
    (
        "resume_durable_execution",
        "unknown",
        {"DurableExecutionArn": ARN},
        "ResourceNotFoundException",
    ),
    (
        "delete_durable_execution",
        "unknown",
        {"DurableExecutionArn": ARN},
        "ResourceNotFoundException",
    ),
    (
        "pause_durable_execution",
        "reason-too-long",
        {"DurableExecutionArn": ARN, "Reason": "x" * 1025},
        "ValidationException",
    ),
    (
        "checkpoint_durable_execution",
        "no-token",
        {"DurableExecutionArn": ARN, "Updates": []},
        "ValidationException",
    ),
    (
        "checkpoint_durable_execution",
        "bad-token-pattern",
        {"DurableExecutionArn": ARN, "CheckpointToken": "not base64!", "Updates": []},
        "ValidationException",
    ),
    (
        "checkpoint_durable_execution",
        "not-running",
        {"DurableExecutionArn": ARN, "CheckpointToken": "dG9rZW4=", "Updates": []},
        "InvalidParameterValueException",
    ),
    (
        "checkpoint_durable_execution",
        "bad-operation-type",
        {
            "DurableExecutionArn": ARN,
            "CheckpointToken": "dG9rZW4=",
            "Updates": [{"Id": "a", "Type": "TIMER", "Action": "START"}],
        },
        "ValidationException",
    ),
    (
        "get_durable_execution_state",
        "not-running",
        {"DurableExecutionArn": ARN, "CheckpointToken": "dG9rZW4="},
        "InvalidParameterValueException",
    ),
    (
        "send_durable_execution_callback_success",
        "unknown",
        {"CallbackId": CALLBACK, "Result": b"1"},
        "ResourceNotFoundException",
    ),
    (
        "send_durable_execution_callback_failure",
        "unknown",
        {"CallbackId": CALLBACK, "Error": {"ErrorMessage": "x"}},
        "ResourceNotFoundException",
    ),
    (
        "send_durable_execution_callback_heartbeat",
        "unknown",
        {"CallbackId": CALLBACK},
        "ResourceNotFoundException",
    ),
    (
        "send_durable_execution_callback_heartbeat",
        "bad-id-pattern",
        {"CallbackId": "no spaces?"},
        "ValidationException",
    ),
    (
        "list_durable_executions_by_function",
        "bad-status",
        {"FunctionName": "nothing", "Statuses": ["SLEEPING"]},
        "ValidationException",
    ),
    (
        "list_durable_executions_by_function",
        "unknown-function",
        {"FunctionName": "nothing"},
        "ResourceNotFoundException",
    ),
]


@pytest.fixture(scope="module")
def raw(durable_server: ServerProcess) -> Any:
    return durable_server.client("lambda", parameter_validation=False)


@pytest.mark.parametrize(
    ("operation", "params", "code"),
    [pytest.param(op, params, code, id=f"{op}-{label}") for op, label, params, code in CASES],
)
def test_bad_input(raw: Any, operation: str, params: dict[str, Any], code: str) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        getattr(raw, operation)(**params)
    assert info.value.response["Error"]["Code"] == code, info.value.response["Error"]


def test_nothing_stored_by_refused_requests(lam: Any, deploy: Deploy, raw: Any) -> None:
    name = deploy("def handler(event, context):\n    return 1\n")
    with pytest.raises(botocore.exceptions.ClientError):
        lam.invoke(FunctionName=name, InvocationType="Event", DurableExecutionName="a b")
    assert raw.list_durable_executions_by_function(FunctionName=name)["DurableExecutions"] == []
