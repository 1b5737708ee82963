"""Where an Event invocation's outcome goes: destinations and the dead-letter queue.

Lambda's rules ("Capturing records of Lambda asynchronous invocations" and "Adding a
dead-letter queue" in the Lambda developer guide):

- ``OnSuccess`` receives an *invocation record* after a successful attempt; ``OnFailure``
  one after the last failed attempt (``RetriesExhausted``) or when the event grew too old
  (``EventAgeExceeded``);
- a destination is an SQS queue, an SNS topic, a Lambda function (invoked with
  ``InvocationType=Event``) or an EventBridge event bus; ``OnFailure`` may also be an S3
  bucket (since November 2024: the record is written as an object);
- without an ``OnFailure`` destination, a failed event goes to the function's
  ``DeadLetterConfig`` target (SQS or SNS) as the original event, with the message
  attributes ``RequestID``, ``ErrorCode`` and ``ErrorMessage``.

Delivery goes through the platform's in-process AWS caller (the same wire path as any
SDK call), so this module knows no queue or topic service, only their APIs. A bus that
is not served yet is logged once and skipped.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

import orjson

from stratus.runtime.invoker import InvocationResult
from stratus.services.aws_calls import AwsCaller, QueueUrls
from stratus.services.functions.errors import InvalidParameter
from stratus.services.functions.names import qualified
from stratus.services.functions.repository import QueuedInvocation
from stratus.services.scope import Scope

log = logging.getLogger(__name__)

SUCCESS = "Success"
RETRIES_EXHAUSTED = "RetriesExhausted"
EVENT_AGE_EXCEEDED = "EventAgeExceeded"

_KINDS = ("sqs", "sns", "lambda", "events")
_ERROR_MESSAGE_BYTES = 1024


def check_destination(arn: str, which: str) -> None:
    """Refuse a destination Lambda does not take (PutFunctionEventInvokeConfig); ``which``
    is ``OnSuccess`` or ``OnFailure``."""
    if not arn:
        return
    parts = arn.split(":")
    if _is_bucket(parts):
        if which == "OnFailure":
            return
        raise InvalidParameter(f"The destination ARN {arn} is invalid.")
    valid = len(parts) >= 6 and parts[0] == "arn" and parts[2] in _KINDS
    if valid and parts[2] == "lambda":
        valid = parts[5] == "function" and len(parts) in (7, 8) and bool(parts[6])
    elif valid and parts[2] == "events":
        valid = parts[5].startswith("event-bus/") and len(parts[5]) > len("event-bus/")
    elif valid:
        valid = len(parts) == 6 and bool(parts[5])
    if not valid or Scope.of_arn(arn) is None:
        raise InvalidParameter(f"The destination ARN {arn} is invalid.")


def _is_bucket(parts: list[str]) -> bool:
    """``arn:aws:s3:::name``: an S3 bucket (a failure destination only)."""
    return (
        len(parts) == 6
        and parts[:5] == ["arn", "aws", "s3", "", ""]
        and bool(parts[5])
        and "/" not in parts[5]
    )


def invocation_record(
    invocation: QueuedInvocation,
    function_id: str,
    condition: str,
    attempts: int,
    result: InvocationResult | None,
) -> dict[str, Any]:
    """Lambda's invocation record, key for key."""
    record: dict[str, Any] = {
        "version": "1.0",
        "timestamp": datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")[:-6]
        + "Z",
        "requestContext": {
            "requestId": invocation.id,
            "functionArn": qualified(function_id, invocation.qualifier),
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "requestPayload": _json_or_text(invocation.payload),
    }
    if result is not None:
        response: dict[str, Any] = {"statusCode": 200, "executedVersion": result.executed_version}
        if result.function_error is not None:
            response["functionError"] = result.function_error
        record["responseContext"] = response
        record["responsePayload"] = _json_or_text(result.payload)
    return record


def _json_or_text(payload: bytes) -> Any:
    if not payload.strip():
        return None
    try:
        return orjson.loads(payload)
    except orjson.JSONDecodeError:
        return payload.decode(errors="replace")


class Destinations:
    """Sends invocation records and dead letters through the AWS caller."""

    def __init__(self, caller: AwsCaller) -> None:
        self._caller = caller
        self._queue_urls = QueueUrls(caller)
        self._missing_logged: set[str] = set()
        self.delivered = 0
        self.failed = 0

    async def send_record(self, target: str, function_id: str, record: dict[str, Any]) -> None:
        """Deliver one invocation record to a destination ARN (failures are logged: the
        event itself is settled either way)."""
        body = orjson.dumps(record).decode()
        kind = target.split(":")[2]
        try:
            if kind == "sqs":
                await self._send_message(target, body)
            elif kind == "sns":
                await self._call(target, "sns", "Publish", {"TopicArn": target, "Message": body})
            elif kind == "lambda":
                await self._call(
                    target,
                    "lambda",
                    "Invoke",
                    {"FunctionName": target, "InvocationType": "Event", "Payload": body.encode()},
                )
            elif kind == "s3":
                # The object's key is ours: the function's name, then the request id.
                bucket = target.split(":")[5]
                name = record["requestContext"]["functionArn"].split(":")[6]
                key = f"aws/lambda/async/{name}/{record['requestContext']['requestId']}"
                await self._call(
                    target, "s3", "PutObject", {"Bucket": bucket, "Key": key, "Body": body.encode()}
                )
            elif kind == "events":
                success = record["requestContext"]["condition"] == SUCCESS
                entry = {
                    "Source": "lambda",
                    "DetailType": "Lambda Function Invocation Result - "
                    + ("Success" if success else "Failure"),
                    "Detail": body,
                    "Resources": [target, record["requestContext"]["functionArn"]],
                    "EventBusName": target,
                }
                await self._call(target, "events", "PutEvents", {"Entries": [entry]})
            self.delivered += 1
        except Exception as exc:
            self._failed(target, function_id, exc)

    async def send_dead_letter(
        self,
        target: str,
        function_id: str,
        invocation: QueuedInvocation,
        result: InvocationResult | None,
    ) -> None:
        """The original event to the function's DeadLetterConfig target, with Lambda's
        attributes (ErrorCode is the invoke's status code, as Lambda sends it)."""
        message = _error_message(result)
        attributes = {
            "RequestID": {"DataType": "String", "StringValue": invocation.id},
            "ErrorCode": {"DataType": "Number", "StringValue": "200"},
            "ErrorMessage": {"DataType": "String", "StringValue": message},
        }
        body = invocation.payload.decode(errors="replace")
        try:
            if target.split(":")[2] == "sns":
                await self._call(
                    target,
                    "sns",
                    "Publish",
                    {"TopicArn": target, "Message": body, "MessageAttributes": attributes},
                )
            else:
                await self._send_message(target, body, attributes)
            self.delivered += 1
        except Exception as exc:
            self._failed(target, function_id, exc)

    async def _send_message(
        self, arn: str, body: str, attributes: dict[str, Any] | None = None
    ) -> None:
        url = await self._queue_urls.url(arn)
        params: dict[str, Any] = {"QueueUrl": url, "MessageBody": body}
        if attributes:
            params["MessageAttributes"] = attributes
        try:
            await self._call(arn, "sqs", "SendMessage", params)
        except Exception:
            self._queue_urls.forget(arn)
            raise

    async def _call(
        self, arn: str, service: str, operation: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        scope = Scope.of_arn(arn)
        return await self._caller.call(
            service,
            operation,
            params,
            account_id=scope.account if scope else None,
            region=scope.region if scope else None,
        )

    def _failed(self, target: str, function_id: str, exc: Exception) -> None:
        self.failed += 1
        code = getattr(exc, "code", "")
        if code in ("UnknownServiceException", "UnknownOperationException"):
            if target not in self._missing_logged:  # a service Stratus does not serve yet
                self._missing_logged.add(target)
                log.warning("destination %s of %s: %s", target, function_id, exc)
            return
        log.warning("destination %s of %s: delivery failed: %s", target, function_id, exc)


def _error_message(result: InvocationResult | None) -> str:
    if result is None:
        return "Event age exceeded"
    try:
        error = orjson.loads(result.payload)
        message = str(error.get("errorMessage", "")) if isinstance(error, dict) else ""
    except orjson.JSONDecodeError:
        message = result.payload.decode(errors="replace")
    return message.encode()[:_ERROR_MESSAGE_BYTES].decode(errors="ignore") or "Unhandled"
