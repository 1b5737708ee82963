"""What a subscriber receives: SNS's envelopes, byte for byte where AWS fixes them.

- SQS and HTTP/S (unless RawMessageDelivery): the notification JSON in AWS's own layout
  (two-space indent, ``" : "`` separators, this key order), FIFO topics without the
  signature fields but with ``SequenceNumber``.
- Lambda: the ``aws:sns`` event (``Records[0].Sns``, note ``SigningCertUrl`` and
  ``UnsubscribeUrl`` spelled as Lambda spells them).
- HTTP/S: the ``x-amz-sns-*`` headers.

Signatures: AWS signs with its private key (SHA1withRSA, SignatureVersion 1; SHA256 for 2)
and points ``SigningCertURL`` at its certificate. Stratus has neither; ``Signature`` is a
digest of AWS's string to sign (same fields, same order) encoded as AWS encodes its
signature, so it is stable and well-formed but not verifiable against AWS's certificate.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any
from urllib.parse import quote

from stratus.services.topics.model import Message, Subscription

USER_AGENT = "Amazon Simple Notification Service Agent"


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _layout(fields: list[tuple[str, Any]]) -> str:
    """AWS's JSON layout of a notification."""
    lines = []
    for key, value in fields:
        if isinstance(value, dict):
            inner = ",\n".join(
                f"    {_text(name)} : {json.dumps(attr, ensure_ascii=False, separators=(',', ':'))}"
                for name, attr in value.items()
            )
            lines.append(f"  {_text(key)} : {{\n{inner}\n  }}")
        else:
            lines.append(f"  {_text(key)} : {_text(value)}")
    return "{\n" + ",\n".join(lines) + "\n}"


def signature(fields: list[tuple[str, Any]], version: str) -> str:
    """A digest of AWS's string to sign for these fields (see the module docstring)."""
    signed = (
        "Message",
        "MessageId",
        "Subject",
        "SubscribeURL",
        "Timestamp",
        "Token",
        "TopicArn",
        "Type",
    )
    canonical = "".join(
        f"{key}\n{value}\n" for key, value in sorted(fields) if key in signed and value is not None
    )
    algorithm = hashlib.sha256 if version == "2" else hashlib.sha1
    digest = algorithm(canonical.encode("utf-8")).digest()
    # As long as an RSA-2048 signature: 256 bytes, 344 characters of base64.
    return base64.b64encode((digest * (256 // len(digest) + 1))[:256]).decode()


class Envelopes:
    """Builds envelopes for one region's endpoint URLs."""

    def __init__(self, endpoint_url: str) -> None:
        self._endpoint = endpoint_url.rstrip("/")

    def cert_url(self) -> str:
        return f"{self._endpoint}/SimpleNotificationService-stratus.pem"

    def unsubscribe_url(self, subscription_arn: str) -> str:
        return f"{self._endpoint}/?Action=Unsubscribe&SubscriptionArn={subscription_arn}"

    def subscribe_url(self, topic_arn: str, token: str) -> str:
        return (
            f"{self._endpoint}/?Action=ConfirmSubscription&TopicArn={quote(topic_arn, safe=':')}"
            f"&Token={token}"
        )

    def notification(
        self, message: Message, subscription: Subscription, signature_version: str = "1"
    ) -> str:
        """The notification JSON an SQS or HTTP/S subscriber receives."""
        fifo = message.sequence_number is not None
        fields: list[tuple[str, Any]] = [
            ("Type", "Notification"),
            ("MessageId", message.message_id),
        ]
        if fifo:
            fields.append(("SequenceNumber", message.sequence_number))
        fields.append(("TopicArn", message.topic_arn))
        if message.subject is not None:
            fields.append(("Subject", message.subject))
        fields += [
            ("Message", message.body_for(subscription.protocol)),
            ("Timestamp", message.timestamp),
        ]
        if not fifo:
            fields += [
                ("SignatureVersion", signature_version),
                ("Signature", signature(fields, signature_version)),
                ("SigningCertURL", self.cert_url()),
            ]
        fields.append(("UnsubscribeURL", self.unsubscribe_url(subscription.arn)))
        if message.attributes:
            fields.append(("MessageAttributes", message.attributes))
        return _layout(fields)

    def confirmation(self, message: Message, subscription: Subscription) -> str:
        """The SubscriptionConfirmation an HTTP/S endpoint receives."""
        fields: list[tuple[str, Any]] = [
            ("Type", "SubscriptionConfirmation"),
            ("MessageId", message.message_id),
            ("Token", subscription.token),
            ("TopicArn", subscription.topic_arn),
            ("Message", message.body),
            ("SubscribeURL", self.subscribe_url(subscription.topic_arn, subscription.token)),
            ("Timestamp", message.timestamp),
        ]
        fields += [
            ("SignatureVersion", "1"),
            ("Signature", signature(fields, "1")),
            ("SigningCertURL", self.cert_url()),
        ]
        return _layout(fields)

    def lambda_event(self, message: Message, subscription: Subscription) -> dict[str, Any]:
        """The ``aws:sns`` event a Lambda subscriber is invoked with."""
        fields: list[tuple[str, Any]] = [
            ("Type", "Notification"),
            ("MessageId", message.message_id),
            ("TopicArn", message.topic_arn),
            ("Subject", message.subject),
            ("Message", message.body_for("lambda")),
            ("Timestamp", message.timestamp),
        ]
        sns: dict[str, Any] = dict(fields)
        sns["SignatureVersion"] = "1"
        sns["Signature"] = signature(fields, "1")
        sns["SigningCertUrl"] = self.cert_url()
        sns["UnsubscribeUrl"] = self.unsubscribe_url(subscription.arn)
        sns["MessageAttributes"] = message.attributes
        return {
            "Records": [
                {
                    "EventSource": "aws:sns",
                    "EventVersion": "1.0",
                    "EventSubscriptionArn": subscription.arn,
                    "Sns": sns,
                }
            ]
        }


def http_headers(
    kind: str, message: Message, subscription: Subscription, content_type: str, *, raw: bool
) -> dict[str, str]:
    """The headers of SNS's POST to an HTTP/S endpoint."""
    headers = {
        "x-amz-sns-message-type": kind,
        "x-amz-sns-message-id": message.message_id,
        "x-amz-sns-topic-arn": subscription.topic_arn,
        "Content-Type": content_type,
        "User-Agent": USER_AGENT,
    }
    if kind == "Notification":
        headers["x-amz-sns-subscription-arn"] = subscription.arn
    if raw:
        headers["x-amz-sns-rawdelivery"] = "true"
    return headers


def sqs_attributes(message: Message) -> dict[str, dict[str, Any]]:
    """Raw delivery to SQS: the message attributes as SQS MessageAttributes."""
    converted: dict[str, dict[str, Any]] = {}
    for name, attribute in message.attributes.items():
        kind = attribute["Type"]
        if kind.startswith("Binary"):
            converted[name] = {
                "DataType": kind,
                "BinaryValue": base64.b64decode(attribute["Value"]),
            }
        else:
            converted[name] = {"DataType": kind, "StringValue": attribute["Value"]}
    return converted
