"""In-process stand-ins for the Lambda functions of the AWS-recorded Lambda cases.

This is an emulation, marked as such: each case describes its functions' behaviour in
words ("identity", "raises Exception(...)", "sleeps 60 s"), and this executor reproduces
it without the runtime, to find where the interpreter differs from AWS. The real
Lambda-through-runtime run comes later, with the platform's invoker.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from stratus.workflows.driver import Clock, TaskContext, TaskExecutor
from stratus.workflows.errors import StatesError

_REGION = "us-east-1"
_ACCOUNT = "111111111111"


def _function_name(reference: str) -> str:
    """A function name from a name, a partial ARN or a full ARN (qualifier dropped)."""
    if reference.startswith("arn:"):
        parts = reference.split(":")
        return parts[6] if len(parts) > 6 else reference
    return reference.split(":")[0]


def _runtime_error(error_type: str, message: str, line: str) -> StatesError:
    """A Python-runtime error as Lambda reports it through Step Functions."""
    cause = {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": str(uuid.uuid4()),
        "stackTrace": [f'  File "/var/task/handler.py", line 2, in handler\n    {line}\n'],
    }
    return StatesError(error_type, json.dumps(cause))


async def _behave(behavior: str, event: Any, clock: Clock) -> Any:
    """Run one described behaviour; returns the function's JSON result."""
    if behavior.startswith("identity"):
        return event
    if behavior.startswith("raises Exception"):
        raise _runtime_error(
            "Exception",
            "Some exception was raised.",
            'raise Exception("Some exception was raised.")',
        )
    if "CustomException" in behavior:
        raise _runtime_error("CustomException", "", "raise CustomException()")
    if behavior.startswith("sleeps 60"):
        await clock.sleep_until(clock.now() + 60)
        return event
    if "257 KiB" in behavior:
        return "a" * 263168
    if behavior.startswith("constant"):
        return {"Return": "HelloWorld"}
    if "HelloWorld!" in behavior:
        return "HelloWorld!"
    if "input-event-" in behavior:
        return f"input-event-{event}"
    raise AssertionError(f"unknown behaviour: {behavior}")


def _event_of(payload: Any) -> Any:
    """What the function receives: a string Payload is sent as the request body itself
    (JSON text), no Payload as an empty object."""
    if payload is None:
        return {}
    if isinstance(payload, str):
        try:
            return json.loads(payload)
        except ValueError:
            return payload
    return payload


def _invoke_response(payload: Any, log_tail: bool) -> dict[str, Any]:
    """The `arn:aws:states:::lambda:invoke` result: Lambda's Invoke response."""
    body = json.dumps(payload)
    request_id = str(uuid.uuid4())
    response = {
        "ExecutedVersion": "$LATEST",
        "Payload": payload,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {
                "X-Amz-Executed-Version": ["$LATEST"],
                "x-amzn-Remapped-Content-Length": ["0"],
                "Connection": ["keep-alive"],
                "x-amzn-RequestId": [request_id],
                "Content-Length": [str(len(body))],
                "Date": ["date"],
                "X-Amzn-Trace-Id": ["trace"],
                "Content-Type": ["application/json"],
            },
            "HttpHeaders": {
                "Connection": "keep-alive",
                "Content-Length": str(len(body)),
                "Content-Type": "application/json",
                "Date": "date",
                "X-Amz-Executed-Version": "$LATEST",
                "x-amzn-Remapped-Content-Length": "0",
                "x-amzn-RequestId": request_id,
                "X-Amzn-Trace-Id": "trace",
            },
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StatusCode": 200,
    }
    if log_tail:
        response["LogResult"] = "log"
        metadata = response["SdkHttpMetadata"]
        metadata["AllHttpHeaders"]["X-Amz-Log-Result"] = ["log"]
        metadata["HttpHeaders"]["X-Amz-Log-Result"] = "log"
    return response


def lambda_executor(lambdas: list[dict[str, Any]], clock: Clock) -> TaskExecutor:
    """An executor for one case's functions (`case["lambdas"]`)."""
    behaviors = {spec["name"]: spec["behavior"] for spec in lambdas}

    async def execute(resource: str, task_input: Any, context: TaskContext) -> Any:
        if resource.startswith("arn:aws:lambda:"):
            name = _function_name(resource)
            if name not in behaviors:
                raise _not_found(resource)
            return await _behave(behaviors[name], task_input, clock)
        if resource.startswith("arn:aws:states:::lambda:invoke"):
            reference = str((task_input or {}).get("FunctionName", ""))
            name = _function_name(reference)
            if name not in behaviors:
                raise _not_found(f"arn:aws:lambda:{_REGION}:{_ACCOUNT}:function:{name}")
            event = _event_of((task_input or {}).get("Payload"))
            result = await _behave(behaviors[name], event, clock)
            return _invoke_response(result, (task_input or {}).get("LogType") == "Tail")
        raise StatesError("States.TaskFailed", f"Unsupported resource {resource}")

    return execute


def _not_found(arn: str) -> StatesError:
    return StatesError(
        "Lambda.ResourceNotFoundException",
        f"Function not found: {arn}:$LATEST (Service: AWSLambda; Status Code: 404; Error "
        "Code: ResourceNotFoundException; Request ID: <request_id>; Proxy: null)",
    )
