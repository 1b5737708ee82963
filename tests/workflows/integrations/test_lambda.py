"""Lambda task integrations on real functions: outputs, errors and callbacks as AWS has them."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import pytest

from stratus.aws.lambda_.component import FunctionsComponent
from stratus.services.functions.names import function_arn
from stratus.workflows.integrations.base import IntegrationRegistry

from .harness import REGION, Callbacks, PlatformThread, run_machine

INVOKE = "arn:aws:states:::lambda:invoke"
ARN = "arn:aws:lambda:us-east-1:000000000000:function:{}"


def _task(resource: str, parameters: dict[str, Any] | None = None, **extra: Any) -> dict:
    state: dict[str, Any] = {"Type": "Task", "Resource": resource, "End": True, **extra}
    if parameters is not None:
        state["Parameters"] = parameters
    return {"StartAt": "T", "States": {"T": state}}


def _run(platform: PlatformThread, registry: IntegrationRegistry, definition: dict, data: Any):
    return platform.run(run_machine(definition, data, registry))


@pytest.fixture(scope="module")
def functions(platform_thread: PlatformThread) -> PlatformThread:
    for name, behavior in [
        ("lt-identity", "identity"),
        ("lt-raise", "raise"),
        ("lt-custom", "custom"),
        ("lt-bytes", "bytes"),
        ("lt-print", "print"),
    ]:
        platform_thread.run(platform_thread.ensure_function(name, behavior))
    platform_thread.run(platform_thread.ensure_function("lt-sleep", "sleep", timeout=1))
    return platform_thread


def test_invoke_output_has_the_recorded_shape(functions, registry) -> None:
    result = _run(
        functions,
        registry,
        _task(INVOKE, {"FunctionName": "lt-identity", "Payload.$": "$"}),
        {"a": [1, 2]},
    )
    assert result.status == "SUCCEEDED", result.cause
    out = result.output
    assert list(out) == [
        "ExecutedVersion",
        "Payload",
        "SdkHttpMetadata",
        "SdkResponseMetadata",
        "StatusCode",
    ]
    assert out["ExecutedVersion"] == "$LATEST"
    assert out["Payload"] == {"a": [1, 2]}
    assert out["StatusCode"] == 200
    meta = out["SdkHttpMetadata"]
    assert meta["HttpStatusCode"] == 200
    assert meta["HttpHeaders"]["Content-Length"] == str(len(json.dumps({"a": [1, 2]})))
    assert meta["AllHttpHeaders"]["X-Amz-Executed-Version"] == ["$LATEST"]
    assert meta["HttpHeaders"]["x-amzn-RequestId"] == out["SdkResponseMetadata"]["RequestId"]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [('"HelloWorld"', "HelloWorld"), ("0", 0), ("[]", []), (None, {}), ({"k": "v"}, {"k": "v"})],
    ids=["json-text-string", "json-text-number", "json-text-array", "none", "object"],
)
def test_invoke_payload_forms(functions, registry, payload: Any, expected: Any) -> None:
    params = {"FunctionName": "lt-identity"}
    if payload is not None:
        params["Payload"] = payload
    result = _run(functions, registry, _task(INVOKE, params), {})
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["Payload"] == expected


def test_invoke_payload_number_is_refused(functions, registry) -> None:
    result = _run(
        functions, registry, _task(INVOKE, {"FunctionName": "lt-identity", "Payload": 1}), {}
    )
    assert result.status == "FAILED"
    assert result.error == "States.Runtime"
    assert "The value for the field 'Payload' must be a STRING" in result.cause
    assert "'T'" in result.cause


def test_invoke_payload_not_json_is_lambdas_error(functions, registry) -> None:
    result = _run(
        functions,
        registry,
        _task(INVOKE, {"FunctionName": "lt-identity", "Payload": "not json"}),
        {},
    )
    assert result.error == "Lambda.InvalidRequestContentException"
    assert "(Service: AWSLambda; Status Code: 400; Error Code: InvalidRequestContentException;" in (
        result.cause
    )


def test_invoke_missing_function_name(functions, registry) -> None:
    result = _run(functions, registry, _task(INVOKE, {"Payload": {}}), {})
    assert result.error == "States.Runtime"
    assert "FunctionName" in result.cause


def test_invoke_log_type_tail(functions, registry) -> None:
    result = _run(
        functions, registry, _task(INVOKE, {"FunctionName": "lt-print", "LogType": "Tail"}), {}
    )
    assert result.status == "SUCCEEDED", result.cause
    log = base64.b64decode(result.output["LogResult"]).decode()
    assert "hello from the function" in log
    assert (
        result.output["SdkHttpMetadata"]["HttpHeaders"]["X-Amz-Log-Result"]
        == (result.output["LogResult"])
    )


@pytest.mark.parametrize(("kind", "status"), [("Event", 202), ("DryRun", 204)])
def test_invoke_not_waiting(functions, registry, kind: str, status: int) -> None:
    result = _run(
        functions,
        registry,
        _task(INVOKE, {"FunctionName": "lt-identity", "InvocationType": kind}),
        {},
    )
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["StatusCode"] == status
    assert result.output["Payload"] == ""


def test_invoke_bad_invocation_type(functions, registry) -> None:
    result = _run(
        functions,
        registry,
        _task(INVOKE, {"FunctionName": "lt-identity", "InvocationType": "Later"}),
        {},
    )
    assert result.error == "Lambda.AWSLambdaException"
    assert "Member must satisfy enum value set: [RequestResponse, Event, DryRun]" in result.cause


@pytest.mark.parametrize("resource", [INVOKE, ARN.format("lt-nope")], ids=["invoke", "arn"])
def test_no_such_function(functions, registry, resource: str) -> None:
    params = {"FunctionName": "lt-nope"} if resource == INVOKE else None
    result = _run(functions, registry, _task(resource, params), {})
    assert result.status == "FAILED"
    assert result.error == "Lambda.ResourceNotFoundException"
    prefix = (
        "Function not found: arn:aws:lambda:us-east-1:000000000000:function:lt-nope:$LATEST "
        "(Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; "
        "Request ID: "
    )
    assert result.cause.startswith(prefix), result.cause
    assert result.cause.endswith("; Proxy: null)")


def test_no_such_qualifier(functions, registry) -> None:
    result = _run(
        functions, registry, _task(INVOKE, {"FunctionName": "lt-identity", "Qualifier": "9"}), {}
    )
    assert result.error == "Lambda.ResourceNotFoundException"
    assert result.cause.startswith(
        "Function not found: arn:aws:lambda:us-east-1:000000000000:function:lt-identity:9 "
    )


@pytest.mark.parametrize("resource", [INVOKE, ARN.format("lt-raise")], ids=["invoke", "arn"])
def test_function_error_is_its_error_type(functions, registry, resource: str) -> None:
    params = {"FunctionName": "lt-raise"} if resource == INVOKE else None
    result = _run(functions, registry, _task(resource, params), {})
    assert result.error == "Exception"
    cause = json.loads(result.cause)
    assert cause["errorMessage"] == "Some exception was raised."
    assert cause["errorType"] == "Exception"
    assert cause["stackTrace"]
    assert ": " not in result.cause.split('"stackTrace"')[0]  # compact JSON, as recorded


def test_function_error_is_caught_by_type(functions, registry) -> None:
    definition = _task(
        ARN.format("lt-custom"),
        Catch=[{"ErrorEquals": ["CustomException"], "Next": "Caught"}],
    )
    definition["States"]["Caught"] = {"Type": "Pass", "End": True}
    result = _run(functions, registry, definition, {})
    assert result.status == "SUCCEEDED"
    assert result.output["Error"] == "CustomException"


def test_function_timeout_is_sandbox_timedout(functions, registry) -> None:
    result = _run(functions, registry, _task(ARN.format("lt-sleep")), {})
    assert result.error == "Sandbox.Timedout"
    assert "Task timed out after" in json.loads(result.cause)["errorMessage"]


def test_function_arn_output_is_the_response(functions, registry) -> None:
    result = _run(functions, registry, _task(ARN.format("lt-bytes")), {})
    assert result.output == "HelloWorld!"
    result = _run(functions, registry, _task(ARN.format("lt-identity") + ":$LATEST"), [1, "x"])
    assert result.output == [1, "x"]


def test_throttled_function(functions, registry) -> None:
    functions.run(functions.ensure_function("lt-throttled", "identity"))
    throttled = function_arn(REGION, "lt-throttled")
    functions.platform.component(FunctionsComponent).invocations.set_reserved(throttled, 0)
    try:
        result = _run(functions, registry, _task(ARN.format("lt-throttled")), {})
    finally:
        functions.platform.component(FunctionsComponent).invocations.set_reserved(throttled, None)
    assert result.error == "Lambda.TooManyRequestsException"
    assert "Error Code: TooManyRequestsException" in result.cause
    assert "Status Code: 429" in result.cause


def test_wait_for_task_token_human_approval(functions, registry) -> None:
    """Invoke with the token, park, and finish only when someone answers the token."""
    definition = _task(
        INVOKE + ".waitForTaskToken",
        {"FunctionName": "lt-identity", "Payload": {"token.$": "$$.Task.Token", "order.$": "$.id"}},
    )
    callbacks = Callbacks()

    async def scenario() -> Any:
        run = asyncio.ensure_future(
            run_machine(definition, {"id": 7}, registry, callbacks=callbacks)
        )
        while not callbacks.tokens():
            await asyncio.sleep(0.01)
        assert not run.done()
        token = callbacks.tokens()[0]
        callbacks.send_success(token, {"approved": True})
        return await run

    result = functions.run(scenario())
    assert result.status == "SUCCEEDED"
    assert result.output == {"approved": True}


def test_wait_for_task_token_failure_and_function_error(functions, registry) -> None:
    callbacks = Callbacks()
    definition = _task(INVOKE + ".waitForTaskToken", {"FunctionName": "lt-identity"})

    async def scenario() -> Any:
        run = asyncio.ensure_future(run_machine(definition, {}, registry, callbacks=callbacks))
        while not callbacks.tokens():
            await asyncio.sleep(0.01)
        callbacks.send_failure(callbacks.tokens()[0], "Rejected", "no budget")
        return await run

    result = functions.run(scenario())
    assert (result.error, result.cause) == ("Rejected", "no budget")
    # A function that fails never parks the task: the failure is the task's.
    failed = _run(
        functions, registry, _task(INVOKE + ".waitForTaskToken", {"FunctionName": "lt-raise"}), {}
    )
    assert failed.error == "Exception"
