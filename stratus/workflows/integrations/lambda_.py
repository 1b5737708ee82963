"""Lambda task integrations: a function by its ARN, and ``arn:aws:states:::lambda:invoke``.

Both call the functions service directly (no HTTP): the workflow engine and the functions
live in the same server. What they return and how they fail is what Step Functions does
("Invoke Lambda with Step Functions" in the developer guide, and the AWS-recorded cases):

- by function ARN, the task result is the function's response parsed as JSON;
- ``lambda:invoke`` wraps it as the Invoke API answer (``ExecutedVersion``, ``Payload``
  parsed from JSON, ``StatusCode``, ``SdkHttpMetadata``, ``SdkResponseMetadata``, and
  ``LogResult`` with ``LogType: Tail``); ``.waitForTaskToken`` invokes, then waits for
  SendTaskSuccess/SendTaskFailure;
- a function error fails the task with the function's ``errorType`` as the error and the
  error object, as JSON text, as the cause (``Lambda.Unknown`` when it names no type);
- a Lambda service error fails it as ``Lambda.<ErrorCode>`` with the Java SDK's cause
  text, ``Lambda.AWSLambdaException`` for codes that SDK does not model and
  ``Lambda.ServiceException`` for a failure of our own.
"""

from __future__ import annotations

import base64
import logging
import uuid
from typing import Any

import orjson

from stratus.runtime.logs import tail
from stratus.services.functions import errors as fe
from stratus.services.functions.invocations import Invocations, InvokeResponse
from stratus.services.functions.model import LATEST
from stratus.services.functions.names import FunctionRef, parse_function_name
from stratus.services.scope import Scope
from stratus.workflows.errors import StatesError
from stratus.workflows.integrations.arns import WAIT_FOR_TASK_TOKEN, parse_service_resource
from stratus.workflows.integrations.base import AWAIT_CALLBACK, TaskRequest
from stratus.workflows.integrations.metadata import http_date, sdk_metadata, trace_header

__all__ = ["LambdaIntegration", "is_lambda_invoke"]

log = logging.getLogger(__name__)

#: Codes the AWS SDK for Java models as their own exception class; Step Functions names
#: any other Lambda error after the SDK's base class, AWSLambdaException.
_MODELED = {code for code, _ in fe.AWS_CODES.values()} - {"ValidationException"}
_INVOCATION_TYPES = ("RequestResponse", "Event", "DryRun")
_LOG_TYPES = ("None", "Tail")
#: Invoke's LogResult carries the last 4 KB of the log.
_LOG_TAIL_BYTES = 4096


def is_lambda_invoke(resource: str) -> bool:
    """``arn:aws:states:::lambda:invoke`` and ``...lambda:invoke.waitForTaskToken``."""
    parsed = parse_service_resource(resource)
    return (
        parsed is not None
        and parsed.service == "lambda"
        and parsed.action == "invoke"
        and parsed.pattern in ("", WAIT_FOR_TASK_TOKEN)
    )


class LambdaIntegration:
    """Runs Lambda tasks on the functions service's :class:`Invocations`."""

    def __init__(self, invocations: Invocations) -> None:
        self._invocations = invocations

    async def invoke_function_arn(self, request: TaskRequest) -> Any:
        """Resource = a function ARN: the effective input is the event, the result is the
        function's response."""
        ref = _function_ref(request.resource, None)
        payload = orjson.dumps(request.input)
        response = await self._call(_function_id(ref, request), ref, payload, None, False)
        _raise_function_error(response)
        return _parse_payload(response.payload)

    async def invoke(self, request: TaskRequest) -> Any:
        """Resource = ``arn:aws:states:::lambda:invoke[.waitForTaskToken]``."""
        params = request.input if isinstance(request.input, dict) else {}
        name = params.get("FunctionName")
        if not isinstance(name, str):
            raise _parameter_error(request, "The field 'FunctionName' is required")
        qualifier = params.get("Qualifier")
        if qualifier is not None and not isinstance(qualifier, str):
            raise _parameter_error(request, "The value for the field 'Qualifier' must be a STRING")
        kind = params.get("InvocationType") or "RequestResponse"
        log_type = params.get("LogType") or "None"
        client_context = params.get("ClientContext")
        if client_context is not None and not isinstance(client_context, str):
            raise _parameter_error(
                request, "The value for the field 'ClientContext' must be a STRING"
            )
        payload = _payload_bytes(request, params.get("Payload"))
        ref = _function_ref(name, qualifier)
        if kind not in _INVOCATION_TYPES or log_type not in _LOG_TYPES:
            member, value, allowed = (
                ("invocationType", kind, _INVOCATION_TYPES)
                if kind not in _INVOCATION_TYPES
                else ("logType", log_type, _LOG_TYPES)
            )
            raise _service_error(
                "ValidationException",
                400,
                f"1 validation error detected: Value '{value}' at '{member}' failed to "
                f"satisfy constraint: Member must satisfy enum value set: [{', '.join(allowed)}]",
                str(uuid.uuid4()),
            )
        if kind == "RequestResponse":
            response = await self._call(
                _function_id(ref, request), ref, payload, client_context, log_type == "Tail"
            )
            _raise_function_error(response)
            result = _invoke_output(response)
        else:
            result = await self._call_async(
                _function_id(ref, request), ref, payload, client_context, kind
            )
        if request.resource.endswith(f".{WAIT_FOR_TASK_TOKEN}"):
            return AWAIT_CALLBACK
        return result

    async def _call(
        self,
        function_id: str,
        ref: FunctionRef,
        payload: bytes,
        client_context: str | None,
        tail: bool,
    ) -> InvokeResponse:
        request_id = str(uuid.uuid4())
        try:
            return await self._invocations.invoke(
                function_id,
                ref.qualifier,
                payload,
                request_id=request_id,
                client_context=client_context,
                tail=tail,
            )
        except fe.FunctionError as error:
            raise _translate(error, ref, request_id) from error
        except Exception as error:  # our own failure: Lambda's 500, never a crash of the run
            log.exception("invoking %s from a workflow failed", ref.name)
            raise _service_error("ServiceException", 500, "Internal error.", request_id) from error

    async def _call_async(
        self,
        function_id: str,
        ref: FunctionRef,
        payload: bytes,
        client_context: str | None,
        kind: str,
    ) -> dict[str, Any]:
        request_id = str(uuid.uuid4())
        try:
            if kind == "DryRun":
                self._invocations.dry_run(function_id, ref.qualifier)
                status = 204
            else:
                await self._invocations.enqueue(
                    function_id,
                    ref.qualifier,
                    payload,
                    request_id=request_id,
                    client_context=client_context,
                )
                status = 202
        except fe.FunctionError as error:
            raise _translate(error, ref, request_id) from error
        headers = [
            ("x-amzn-Remapped-Content-Length", "0"),
            ("Connection", "keep-alive"),
            ("x-amzn-RequestId", request_id),
            ("Content-Length", "0"),
            ("Date", http_date()),
            ("X-Amzn-Trace-Id", trace_header()),
            ("Content-Type", "application/json"),
        ]
        return {
            "Payload": "",
            **sdk_metadata(status, headers, request_id),
            "StatusCode": status,
        }


def _function_id(ref: FunctionRef, request: TaskRequest) -> str:
    """A function a task names by plain name is one of the execution's own account and
    region (read from its ARN); a function ARN names its own."""
    return ref.function_id(Scope.of_arn(request.execution_arn) or Scope())


def _function_ref(name: str, qualifier: str | None) -> FunctionRef:
    try:
        return parse_function_name(name, qualifier)
    except fe.FunctionError as error:
        raise _translate(error, FunctionRef(name, qualifier), str(uuid.uuid4())) from error


def _payload_bytes(request: TaskRequest, payload: Any) -> bytes:
    """Lambda's Payload: a string is sent as it is (it must be JSON text), an object or
    array as its JSON, nothing as no payload (the function then receives ``{}``)."""
    if payload is None:
        return b""
    if isinstance(payload, str):
        return payload.encode()
    if isinstance(payload, dict | list):
        return orjson.dumps(payload)
    raise _parameter_error(request, "The value for the field 'Payload' must be a STRING")


def _parameter_error(request: TaskRequest, problem: str) -> StatesError:
    parameters = orjson.dumps(request.input).decode()
    return StatesError(
        "States.Runtime",
        f"An error occurred while executing the state '{request.state_name}'. "
        f"The Parameters '{parameters}' could not be used to start the Task: [{problem}]",
    )


def _translate(error: fe.FunctionError, ref: FunctionRef, request_id: str) -> StatesError:
    code, status = fe.aws_code(error)
    message = error.message
    if (
        isinstance(error, fe.NotFound)
        and ref.qualifier is None
        and message.endswith(f":function:{ref.name}")
    ):
        # Step Functions invokes the unqualified name as $LATEST and says so.
        message = f"{message}:{LATEST}"
    return _service_error(code, status, message, request_id)


def _service_error(code: str, status: int, message: str, request_id: str) -> StatesError:
    name = (
        f"Lambda.{code}"
        if code in _MODELED or code == "ServiceException"
        else ("Lambda.AWSLambdaException")
    )
    return StatesError(
        name,
        f"{message} (Service: AWSLambda; Status Code: {status}; Error Code: {code}; "
        f"Request ID: {request_id}; Proxy: null)",
    )


def _raise_function_error(response: InvokeResponse) -> None:
    if not response.function_error:
        return
    try:
        body = orjson.loads(response.payload)
    except orjson.JSONDecodeError:
        raise StatesError("Lambda.Unknown", response.payload.decode("utf-8", "replace")) from None
    error_type = body.get("errorType") if isinstance(body, dict) else None
    cause = orjson.dumps(body).decode()
    raise StatesError(
        error_type if isinstance(error_type, str) and error_type else ("Lambda.Unknown"), cause
    )


def _parse_payload(payload: bytes) -> Any:
    """The function's response as JSON; a response that is no JSON stays text."""
    if not payload:
        return None
    try:
        return orjson.loads(payload)
    except orjson.JSONDecodeError:
        return payload.decode("utf-8", "replace")


def _invoke_output(response: InvokeResponse) -> dict[str, Any]:
    headers: list[tuple[str, str]] = []
    if response.log_text is not None:
        log_result = base64.b64encode(tail(response.log_text, _LOG_TAIL_BYTES).encode()).decode()
        headers.append(("X-Amz-Log-Result", log_result))
    headers += [
        ("X-Amz-Executed-Version", response.executed_version),
        ("x-amzn-Remapped-Content-Length", "0"),
        ("Connection", "keep-alive"),
        ("x-amzn-RequestId", response.request_id),
        ("Content-Length", str(len(response.payload))),
        ("Date", http_date()),
        ("X-Amzn-Trace-Id", trace_header()),
        ("Content-Type", "application/json"),
    ]
    output: dict[str, Any] = {"ExecutedVersion": response.executed_version}
    if response.log_text is not None:
        output["LogResult"] = log_result
    output["Payload"] = _parse_payload(response.payload)
    output.update(sdk_metadata(response.status, headers, response.request_id))
    output["StatusCode"] = response.status
    return output
