"""One delivery attempt: the subscription's envelope, carried by its protocol's transport."""

from __future__ import annotations

import json
import logging
from typing import Any

from stratus.services.aws_calls import AwsCaller, QueueUrls
from stratus.services.scope import Scope
from stratus.services.topics.attributes import content_type
from stratus.services.topics.envelopes import Envelopes, http_headers, sqs_attributes
from stratus.services.topics.mobile import MobilePush
from stratus.services.topics.model import Delivery, Subscription, Topic
from stratus.services.topics.sms import Sms
from stratus.services.topics.transports import (
    HTTP_TIMEOUT_S,
    Attempt,
    Outcome,
    arn_parts,
    classify,
    post,
)

log = logging.getLogger(__name__)

#: Protocols Stratus accepts but has nowhere to deliver to (no mail here). Texts and push
#: notifications are recorded as sent (``SentMessage``), as a direct Publish records them.
UNDELIVERABLE = ("email", "email-json", "firehose")


class Sender:
    def __init__(
        self,
        envelopes: Envelopes,
        calls: AwsCaller,
        mobile: MobilePush,
        sms: Sms,
        http_timeout_s: float = HTTP_TIMEOUT_S,
    ) -> None:
        self._envelopes = envelopes
        self._mobile = mobile
        self._sms = sms
        self._calls = calls
        self._http_timeout = http_timeout_s
        self._queue_urls = QueueUrls(calls)

    async def send(
        self, delivery: Delivery, subscription: Subscription, topic: Topic | None
    ) -> Attempt:
        protocol = subscription.protocol
        version = topic.attributes.get("SignatureVersion", "1") if topic is not None else "1"
        if delivery.kind == "SubscriptionConfirmation":
            return await self._http(delivery, subscription, raw=False, version=version)
        if protocol in ("http", "https"):
            return await self._http(delivery, subscription, raw=subscription.raw, version=version)
        if protocol == "sqs":
            return await self._sqs(subscription.endpoint, delivery, subscription, version=version)
        if protocol == "lambda":
            return await self._lambda(delivery, subscription)
        if protocol == "application":
            failure = await self._mobile.deliver(
                subscription.endpoint, delivery.message, subscription.arn
            )
            return Attempt(Outcome.CLIENT_ERROR, failure) if failure else Attempt(Outcome.DELIVERED)
        if protocol == "sms":
            owner = Scope.of_arn(subscription.arn) or Scope()
            await self._sms.deliver(
                owner, subscription.endpoint, delivery.message, subscription.arn
            )
            return Attempt(Outcome.DELIVERED)
        return Attempt(Outcome.DELIVERED, f"{protocol}: not delivered by Stratus")

    async def dead_letter(self, delivery: Delivery, subscription: Subscription) -> Attempt:
        """Send a delivery that failed for good to the subscription's dead-letter queue."""
        policy = json.loads(subscription.attributes.get("RedrivePolicy") or "{}")
        target = policy.get("deadLetterTargetArn")
        if not isinstance(target, str):
            return Attempt(Outcome.CLIENT_ERROR, "no dead-letter queue")
        return await self._sqs(target, delivery, subscription, dead_letter=True)

    # -- protocols -------------------------------------------------------------------
    async def _http(
        self, delivery: Delivery, subscription: Subscription, *, raw: bool, version: str
    ) -> Attempt:
        message = delivery.message
        if delivery.kind == "SubscriptionConfirmation":
            body = self._envelopes.confirmation(message, subscription)
        elif raw:
            body = message.body_for(subscription.protocol)
        else:
            body = self._envelopes.notification(message, subscription, version)
        headers = http_headers(
            delivery.kind, message, subscription, content_type(subscription), raw=raw
        )
        return await post(subscription.endpoint, headers, body.encode("utf-8"), self._http_timeout)

    async def _sqs(
        self,
        queue_arn: str,
        delivery: Delivery,
        subscription: Subscription,
        *,
        dead_letter: bool = False,
        version: str = "1",
    ) -> Attempt:
        parts = arn_parts(queue_arn)
        if parts is None:
            return Attempt(Outcome.CLIENT_ERROR, f"not a queue ARN: {queue_arn}")
        message = delivery.message
        params: dict[str, Any]
        if subscription.raw and not dead_letter:
            params = {"MessageBody": message.body_for("sqs")}
            if message.attributes:
                params["MessageAttributes"] = sqs_attributes(message)
        else:
            params = {"MessageBody": self._envelopes.notification(message, subscription, version)}
        if queue_arn.endswith(".fifo"):
            params["MessageGroupId"] = message.group_id or "default"
            params["MessageDeduplicationId"] = message.deduplication_id or message.message_id
        try:
            params["QueueUrl"] = await self._queue_urls.url(
                queue_arn, account=parts.account, region=parts.region
            )
            await self._calls.call(
                "sqs", "SendMessage", params, account_id=parts.account, region=parts.region
            )
        except Exception as error:  # the caller raises AWS errors with a code
            self._queue_urls.forget(queue_arn)
            return classify(error)
        return Attempt(Outcome.DELIVERED)

    async def _lambda(self, delivery: Delivery, subscription: Subscription) -> Attempt:
        parts = arn_parts(subscription.endpoint)
        if parts is None:
            return Attempt(Outcome.CLIENT_ERROR, "not a function ARN")
        event = self._envelopes.lambda_event(delivery.message, subscription)
        try:
            await self._calls.call(
                "lambda",
                "Invoke",
                {
                    "FunctionName": subscription.endpoint,
                    "InvocationType": "Event",
                    "Payload": json.dumps(event).encode(),
                },
                account_id=parts.account,
                region=parts.region,
            )
        except Exception as error:  # the caller raises AWS errors with a code
            return classify(error)
        return Attempt(Outcome.DELIVERED)
