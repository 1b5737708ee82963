"""``aws-sdk:*`` tasks against Stratus's own Lambda API, and the naming/shaping rules."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from stratus.aws.sdk_caller import SdkCaller
from stratus.workflows.integrations.base import AwsCallFailed, TaskRequest
from stratus.workflows.integrations.sdk import botocore_service, error_name
from stratus.workflows.integrations.sdk_shapes import (
    find_operation,
    iso_instant,
    service_model,
    to_input,
    to_output,
)

from .harness import PlatformThread, run_machine

SDK = "arn:aws:states:::aws-sdk:"


def _task(action: str, parameters: dict[str, Any]) -> dict[str, Any]:
    return {
        "StartAt": "T",
        "States": {
            "T": {"Type": "Task", "Resource": SDK + action, "Parameters": parameters, "End": True}
        },
    }


@pytest.fixture(scope="module")
def function(platform_thread: PlatformThread) -> PlatformThread:
    platform_thread.run(platform_thread.ensure_function("sdk-identity", "identity"))
    platform_thread.run(platform_thread.ensure_function("sdk-raise", "raise"))
    return platform_thread


def _run(platform: PlatformThread, registry, definition, data=None):
    return platform.run(run_machine(definition, data or {}, registry))


def test_get_function(function, registry) -> None:
    result = _run(function, registry, _task("lambda:getFunction", {"FunctionName": "sdk-identity"}))
    assert result.status == "SUCCEEDED", result.cause
    config = result.output["Configuration"]
    assert config["FunctionName"] == "sdk-identity"
    assert config["Runtime"] == "python3.11"
    assert "ResponseMetadata" not in result.output
    assert set(result.output) >= {"Configuration", "Code"}


def test_invoke_payload_stays_text(function, registry) -> None:
    """The SDK integration returns Payload as JSON text and does not fail on FunctionError
    (unlike the optimized lambda:invoke)."""
    result = _run(
        function,
        registry,
        _task("lambda:invoke", {"FunctionName": "sdk-identity", "Payload": {"a": 1}}),
    )
    assert result.status == "SUCCEEDED", result.cause
    assert json.loads(result.output["Payload"]) == {"a": 1}
    assert result.output["StatusCode"] == 200
    assert "SdkHttpMetadata" not in result.output
    failed = _run(function, registry, _task("lambda:invoke", {"FunctionName": "sdk-raise"}))
    assert failed.status == "SUCCEEDED"
    assert failed.output["FunctionError"] == "Unhandled"
    assert json.loads(failed.output["Payload"])["errorType"] == "Exception"


def test_not_found_is_named_by_service_and_code(function, registry) -> None:
    result = _run(function, registry, _task("lambda:getFunction", {"FunctionName": "sdk-nope"}))
    assert result.status == "FAILED"
    assert result.error == "Lambda.ResourceNotFoundException"
    prefix = (
        "Function not found: arn:aws:lambda:us-east-1:000000000000:function:sdk-nope "
        "(Service: Lambda, Status Code: 404, Request ID: "
    )
    assert result.cause.startswith(prefix), result.cause


def test_missing_required_parameter(function, registry) -> None:
    result = _run(function, registry, _task("lambda:getFunction", {}))
    assert result.error == "Lambda.ValidationException"
    assert "FunctionName" in result.cause


def test_unknown_action_and_service(function, registry) -> None:
    for action in ("lambda:fly", "nosuchservice:doIt"):
        result = _run(function, registry, _task(action, {}))
        assert result.error == "States.Runtime"
        assert f"The resource provided {SDK}{action} is not recognized" in result.cause


def test_service_not_served_yet(function, registry) -> None:
    result = _run(function, registry, _task("kinesis:listStreams", {}))
    assert result.error == "Kinesis.UnknownOperationException"
    assert result.cause.startswith("Operation ListStreams is not supported. (Service: Kinesis, ")


def test_wait_for_task_token_pattern(function, registry) -> None:
    request = TaskRequest(
        SDK + "lambda:getFunction.waitForTaskToken",
        {"FunctionName": "sdk-identity"},
        "e",
        "T",
        "tok",
    )
    assert repr(function.run(registry.run(request))) == "AWAIT_CALLBACK"


def test_caller_raises_aws_call_failed(function) -> None:
    caller = SdkCaller(function.platform.app)
    with pytest.raises(AwsCallFailed) as failure:
        function.run(caller.call("lambda", "GetFunction", {"FunctionName": "sdk-nope"}))
    assert (failure.value.code, failure.value.status) == ("ResourceNotFoundException", 404)
    assert failure.value.request_id  # type: ignore[attr-defined]
    with pytest.raises(AwsCallFailed) as failure:
        function.run(caller.call("lambda", "NoSuchOperation", {}))
    assert failure.value.code == "UnknownOperationException"


@pytest.mark.parametrize(
    ("service", "code", "expected"),
    [
        ("s3", "NoSuchKey", "S3.NoSuchKeyException"),
        ("dynamodb", "ResourceNotFoundException", "DynamoDb.ResourceNotFoundException"),
        ("sfn", "InvalidToken", "Sfn.InvalidTokenException"),
        ("acmpca", "ResourceNotFoundException", "AcmPca.ResourceNotFoundException"),
        ("lambda", "com.amazon#TooManyRequestsException", "Lambda.TooManyRequestsException"),
        ("sqs", "QueueDoesNotExist", "Sqs.QueueDoesNotExistException"),
    ],
)
def test_error_names(service: str, code: str, expected: str) -> None:
    assert error_name(service, code) == expected


@pytest.mark.parametrize(
    ("arn_name", "botocore_name"),
    [
        ("sfn", "stepfunctions"),
        ("eventbridge", "events"),
        ("s3", "s3"),
        ("lambda", "lambda"),
        ("dynamodb", "dynamodb"),
        ("sqs", "sqs"),
        ("sns", "sns"),
    ],
)
def test_service_names_exist_in_botocore(arn_name: str, botocore_name: str) -> None:
    assert botocore_service(arn_name) == botocore_name
    assert service_model(botocore_name) is not None


def test_input_coercion_follows_the_model() -> None:
    model = service_model("stepfunctions")
    assert model is not None
    operation = find_operation(model, "startExecution")
    assert operation is not None and operation.name == "StartExecution"
    coerced = to_input({"StateMachineArn": "arn", "Input": "{}", "Extra": 1}, operation.input_shape)
    assert coerced == {"stateMachineArn": "arn", "input": "{}", "Extra": 1}
    s3 = service_model("s3")
    assert s3 is not None
    put = find_operation(s3, "putObject")
    assert put is not None
    assert to_input({"Body": ["List", "Data"]}, put.input_shape) == {"Body": b'["List","Data"]'}
    assert to_input({"Body": "text"}, put.input_shape) == {"Body": b"text"}
    assert to_input({"Body": False}, put.input_shape) == {"Body": b"false"}


def test_output_shaping() -> None:
    model = service_model("stepfunctions")
    assert model is not None
    operation = find_operation(model, "describeExecution")
    assert operation is not None
    moment = datetime(2024, 5, 1, 10, 0, 0, 500000, tzinfo=UTC)
    shaped = to_output(
        {
            "executionArn": "a",
            "startDate": moment,
            "inputDetails": {"included": True},
            "ResponseMetadata": {},
        },
        operation.output_shape,
    )
    assert shaped == {
        "ExecutionArn": "a",
        "StartDate": "2024-05-01T10:00:00.500Z",
        "InputDetails": {"Included": True},
    }
    assert to_output(b"\xff\x00", None) == "/wA="
    assert to_output(b"text", None) == "text"
    assert iso_instant(datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2024-01-02T03:04:05Z"


def test_parameters_must_be_an_object(function, registry) -> None:
    request = TaskRequest(SDK + "lambda:getFunction", [1], "e", "T", "tok")
    with pytest.raises(Exception) as failure:
        asyncio.run_coroutine_threadsafe(registry.run(request), function.loop).result(30)
    assert getattr(failure.value, "error", None) == "States.Runtime"
