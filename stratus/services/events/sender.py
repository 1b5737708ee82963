"""Carrying one delivery to its target, through our own AWS APIs in-process.

A target is named by its ARN's service: a function gets an asynchronous Invoke (as
EventBridge invokes Lambda), a queue SendMessage, a topic Publish, a state machine
StartExecution, an event bus the event itself (on this service, no wire), an API
destination a real HTTP request (``http_targets.py``), and Scheduler's universal
targets (``arn:aws:scheduler:::aws-sdk:<service>:<action>``) the API call the input
describes. Each attempt ends in an :class:`Attempt`: delivered,
failed and retryable, or failed for a reason retrying cannot cure (the target does not
exist, access is denied): AWS sends those to the dead-letter queue at once
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from stratus.services.aws_calls import AwsCaller, QueueUrls
from stratus.services.events.outbox import Delivery

__all__ = ["Attempt", "Outcome", "Sender"]


class Outcome(enum.Enum):
    DELIVERED = "delivered"
    RETRY = "retry"
    PERMANENT = "permanent"
    LATER = "later"  # not attempted (a rate limit): try again after ``retry_after``


@dataclass(frozen=True, slots=True)
class Attempt:
    outcome: Outcome
    code: str = ""
    message: str = ""
    #: seconds the target asked to wait (Retry-After) or, for LATER, until its turn
    retry_after: float | None = None


_PERMANENT_CODES = frozenset(
    {
        "ResourceNotFoundException",
        "QueueDoesNotExist",
        "AWS.SimpleQueueService.NonExistentQueue",
        "NotFound",
        "StateMachineDoesNotExist",
        "AccessDenied",
        "AccessDeniedException",
        "AuthorizationError",
        "InvalidParameterValueException",
        "InvalidParameter",
        "ValidationException",
        "InvalidArn",
        "InvalidExecutionInput",
        "InvalidMessageContents",
        "MissingParameter",
        "RequestEntityTooLargeException",
        "UnknownOperationException",
        "InvalidName",
        "InvalidRequestContentException",
        "RequestTooLargeException",
        "StateMachineDeleting",
    }
)

#: Universal targets name services as the SDKs do; ours by botocore's names.
_SDK_SERVICES = {"sfn": "stepfunctions", "eventbridge": "events", "cloudwatchlogs": "logs"}

LocalBus = Callable[[str, dict[str, Any], int], Awaitable[None]]  # bus ARN, event, hops
HttpSend = Callable[[Delivery], Awaitable[Attempt]]  # an API destination's request
#: (service, operation, params) -> params spelled as the operation's model members.
ParamMapper = Callable[[str, str, dict[str, Any]], dict[str, Any]]


def _as_given(service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    return params


def _failure(error: BaseException) -> Attempt:
    code = str(getattr(error, "code", "") or type(error).__name__)
    message = str(getattr(error, "message", "") or error)
    outcome = Outcome.PERMANENT if code in _PERMANENT_CODES else Outcome.RETRY
    return Attempt(outcome, code, message)


def arn_fields(arn: str) -> list[str]:
    return arn.split(":", 5) if arn.startswith("arn:") else []


class Sender:
    def __init__(
        self,
        calls: AwsCaller,
        local_bus: LocalBus,
        universal_params: ParamMapper | None = None,
        http: HttpSend | None = None,
    ) -> None:
        self._calls = calls
        self._local_bus = local_bus
        self._universal_params = universal_params or _as_given
        self._http = http
        self._queue_urls = QueueUrls(calls)

    async def send(self, delivery: Delivery) -> Attempt:
        if self._http is not None and ":api-destination/" in delivery.target_arn:
            return await self._http(delivery)
        try:
            await self._send(delivery)
        except Exception as error:  # the caller raises AWS errors with a code
            self._queue_urls.forget(delivery.target_arn)
            return _failure(error)
        return Attempt(Outcome.DELIVERED)

    async def _send(self, delivery: Delivery) -> None:
        fields = arn_fields(delivery.target_arn)
        if len(fields) != 6:
            raise _Permanent("InvalidArn", f"not a target ARN: {delivery.target_arn}")
        service, region, account, resource = fields[2], fields[3], fields[4], fields[5]
        params = delivery.params
        if service == "scheduler" and resource.startswith("aws-sdk:"):
            await self._universal(delivery, resource)
        elif service == "lambda":
            await self._calls.call(
                "lambda",
                "Invoke",
                {
                    "FunctionName": delivery.target_arn,
                    "InvocationType": "Event",
                    "Payload": delivery.payload.encode(),
                },
                account_id=account,
                region=region,
            )
        elif service == "sqs":
            await self.send_message(
                delivery.target_arn,
                delivery.payload,
                group_id=params.get("group_id"),
                deduplication_id=params.get("deduplication_id"),
            )
        elif service == "sns":
            request: dict[str, Any] = {"TopicArn": delivery.target_arn, "Message": delivery.payload}
            if delivery.target_arn.endswith(".fifo"):
                request["MessageGroupId"] = params.get("group_id") or "default"
                request["MessageDeduplicationId"] = params.get("deduplication_id") or (
                    delivery.delivery_id
                )
            await self._calls.call("sns", "Publish", request, account_id=account, region=region)
        elif service == "states":
            await self._calls.call(
                "stepfunctions",
                "StartExecution",
                {"stateMachineArn": delivery.target_arn, "input": delivery.payload},
                account_id=account,
                region=region,
            )
        elif service == "events" and resource.startswith("event-bus/"):
            if "event" in params:  # a rule forwarding an event: the same event
                await self._local_bus(
                    delivery.target_arn, params["event"], int(params.get("hops", 1))
                )
            else:  # Scheduler's templated EventBridge target: a new event
                entry = {
                    "Source": params.get("source"),
                    "DetailType": params.get("detail_type"),
                    "Detail": delivery.payload,
                    "EventBusName": delivery.target_arn,
                }
                answer = await self._calls.call(
                    "events", "PutEvents", {"Entries": [entry]}, account_id=account, region=region
                )
                failed = [e for e in answer.get("Entries", []) if e.get("ErrorCode")]
                if failed:
                    raise _Permanent(
                        str(failed[0]["ErrorCode"]), str(failed[0].get("ErrorMessage", ""))
                    )
        else:
            raise _Permanent(
                "ValidationException", f"target {delivery.target_arn} is not supported by Stratus"
            )

    async def _universal(self, delivery: Delivery, resource: str) -> None:
        _, service, action = [*resource.split(":"), "", ""][:3]
        if not service or not action:
            raise _Permanent("ValidationException", f"invalid universal target {resource}")
        try:
            params = json.loads(delivery.payload) if delivery.payload else {}
        except ValueError:
            raise _Permanent("ValidationException", "the input is not JSON") from None
        if not isinstance(params, dict):
            raise _Permanent("ValidationException", "the input is not a JSON object")
        service = _SDK_SERVICES.get(service, service)
        operation = action[:1].upper() + action[1:]
        await self._calls.call(
            service,
            operation,
            self._universal_params(service, operation, params),
            account_id=delivery.account,
            region=delivery.region,
        )

    async def send_message(
        self,
        queue_arn: str,
        body: str,
        *,
        group_id: str | None = None,
        deduplication_id: str | None = None,
        attributes: dict[str, Any] | None = None,
    ) -> None:
        fields = arn_fields(queue_arn)
        if len(fields) != 6:
            raise _Permanent("InvalidArn", f"not a queue ARN: {queue_arn}")
        region, account, name = fields[3], fields[4], fields[5]
        url = await self._queue_urls.url(queue_arn)
        request: dict[str, Any] = {"QueueUrl": url, "MessageBody": body}
        if name.endswith(".fifo"):
            request["MessageGroupId"] = group_id or "default"
            if deduplication_id:
                request["MessageDeduplicationId"] = deduplication_id
        if attributes:
            request["MessageAttributes"] = attributes
        await self._calls.call("sqs", "SendMessage", request, account_id=account, region=region)

    async def dead_letter(self, delivery: Delivery, attributes: dict[str, Any]) -> Attempt:
        assert delivery.dead_letter_arn is not None
        try:
            await self.send_message(
                delivery.dead_letter_arn,
                delivery.dead_letter_body or delivery.payload,
                group_id="dead-letter",
                deduplication_id=delivery.delivery_id,
                attributes=attributes,
            )
        except Exception as error:
            self._queue_urls.forget(delivery.dead_letter_arn)
            return _failure(error)
        return Attempt(Outcome.DELIVERED)


class _Permanent(Exception):
    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(message)
