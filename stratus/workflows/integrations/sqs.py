"""``arn:aws:states:::sqs:sendMessage`` and ``...sqs:sendMessage.waitForTaskToken``.

The call goes through the platform's in-process AWS caller, so the message takes exactly
the path a boto3 SendMessage takes (checks, digests, durability). What the task returns
and how it fails is what Step Functions does, as recorded on AWS in the conformance
material (``TestTaskServiceSqs``): the SendMessage answer as the AWS SDK for Java v1 saw
it (``MD5OfMessageBody``, ``MessageId``, ``SdkHttpMetadata``, ``SdkResponseMetadata``); a
``MessageBody`` that is JSON but no string is sent as its JSON text; an SQS error fails
the task as ``SQS.<Code>Exception`` for the codes that SDK models, else
``SQS.AmazonSQSException``, with the SDK's cause text; a ``QueueUrl`` that is no URL fails
as the SDK fails to resolve its host (``SQS.SdkClientException``).
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson

from stratus.services.scope import Scope
from stratus.workflows.errors import StatesError
from stratus.workflows.integrations.arns import WAIT_FOR_TASK_TOKEN, parse_service_resource
from stratus.workflows.integrations.base import (
    AwsCaller,
    AwsCallFailed,
    Submitted,
    TaskRequest,
)
from stratus.workflows.integrations.metadata import http_date, sdk_metadata

__all__ = ["SqsIntegration", "is_sqs_send_message"]

#: SendMessage's parameters Step Functions passes on; others are dropped, as on AWS
#: (``test_send_message_unsupported_parameters``).
_PARAMETERS = (
    "QueueUrl",
    "MessageBody",
    "DelaySeconds",
    "MessageAttributes",
    "MessageSystemAttributes",
    "MessageDeduplicationId",
    "MessageGroupId",
)
#: Error shapes of SQS the Java SDK v1 has an exception class for, and the query code it
#: reports as the error code.
_MODELED = {
    "QueueDoesNotExist": "AWS.SimpleQueueService.NonExistentQueue",
    "InvalidMessageContents": "InvalidMessageContents",
    "UnsupportedOperation": "AWS.SimpleQueueService.UnsupportedOperation",
}


def is_sqs_send_message(resource: str) -> bool:
    parsed = parse_service_resource(resource)
    return (
        parsed is not None
        and parsed.service == "sqs"
        and parsed.action == "sendMessage"
        and parsed.pattern in ("", WAIT_FOR_TASK_TOKEN)
    )


class SqsIntegration:
    def __init__(self, caller: AwsCaller) -> None:
        self._caller = caller

    async def send(self, request: TaskRequest) -> Any:
        raw = request.input if isinstance(request.input, dict) else {}
        params = {name: raw[name] for name in _PARAMETERS if raw.get(name) is not None}
        url = params.get("QueueUrl")
        if not isinstance(url, str) or "://" not in url:
            raise StatesError(
                "SQS.SdkClientException",
                f"Unable to execute HTTP request: {url}: Name or service not known",
            )
        body = params.get("MessageBody", "")
        if not isinstance(body, str):
            body = orjson.dumps(body).decode()
        params["MessageBody"] = body
        scope = Scope.of_arn(request.execution_arn) or Scope()
        try:
            result = await self._caller.call(
                "sqs", "SendMessage", params, account_id=scope.account, region=scope.region
            )
        except AwsCallFailed as failure:
            raise _failed(failure) from None
        if request.resource.endswith(f".{WAIT_FOR_TASK_TOKEN}"):
            return Submitted(_output(result))  # TaskSubmitted, then the token's answer
        return _output(result)


def _output(result: dict[str, Any]) -> dict[str, Any]:
    """The answer with the Java SDK's HTTP metadata around it."""
    members = {k: result[k] for k in sorted(result) if k != "ResponseMetadata"}
    body = orjson.dumps(members)
    request_id = str(uuid.uuid4())
    headers = [
        ("x-amzn-RequestId", request_id),
        ("connection", "keep-alive"),
        ("Content-Length", str(len(body))),
        ("Date", http_date()),
        ("Content-Type", "application/x-amz-json-1.0"),
    ]
    return {**members, **sdk_metadata(200, headers, request_id)}


def _failed(failure: AwsCallFailed) -> StatesError:
    code = failure.code
    name = f"SQS.{code}Exception" if code in _MODELED else "SQS.AmazonSQSException"
    request_id = getattr(failure, "request_id", None) or str(uuid.uuid4())
    return StatesError(
        name,
        f"{failure.message} (Service: AmazonSQS; Status Code: {failure.status}; Error Code: "
        f"{_MODELED.get(code, code)}; Request ID: {request_id}; Proxy: null)",
    )
