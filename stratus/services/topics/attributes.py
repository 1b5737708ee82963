"""Topic and subscription attributes: which exist, what values they take, what Get shows.

Attribute values are strings on the wire (JSON documents for policies); they are checked
here once, when set, so delivery never meets an invalid policy.
"""

from __future__ import annotations

import json
from typing import Any

from stratus.services.patterns import FilterPolicy, InvalidPattern
from stratus.services.topics.errors import InvalidParameter
from stratus.services.topics.model import Subscription, Topic
from stratus.services.topics.retry import (
    DEFAULT_HTTP_POLICY,
    MANAGED_POLICY,
    RetryPolicy,
    parse_retry_policy,
)

_FEEDBACK = tuple(
    f"{protocol}{kind}"
    for protocol in ("HTTP", "Firehose", "Lambda", "SQS", "Application")
    for kind in ("SuccessFeedbackRoleArn", "SuccessFeedbackSampleRate", "FailureFeedbackRoleArn")
)
TOPIC_ATTRIBUTES = frozenset(
    {
        "Policy",
        "DisplayName",
        "DeliveryPolicy",
        "KmsMasterKeyId",
        "TracingConfig",
        "SignatureVersion",
        "ContentBasedDeduplication",
        "FifoTopic",
        "ArchivePolicy",
        "DataProtectionPolicy",
        "FifoThroughputScope",
        *_FEEDBACK,
    }
)
SUBSCRIPTION_ATTRIBUTES = frozenset(
    {
        "DeliveryPolicy",
        "FilterPolicy",
        "FilterPolicyScope",
        "RawMessageDelivery",
        "RedrivePolicy",
        "SubscriptionRoleArn",
        "ReplayPolicy",
    }
)
_RAW_PROTOCOLS = ("sqs", "http", "https", "firehose")
HTTP_CONTENT_TYPE = "text/plain; charset=UTF-8"


def _json_object(value: str, name: str) -> dict[str, Any]:
    try:
        parsed = json.loads(value)
    except ValueError:
        raise InvalidParameter(f"Invalid parameter: {name}: failed to parse JSON") from None
    if not isinstance(parsed, dict):
        raise InvalidParameter(f"Invalid parameter: {name}: must be a JSON object")
    return parsed


def _boolean(name: str, value: str) -> str:
    if value.lower() not in ("true", "false"):
        raise InvalidParameter(
            f"Invalid parameter: {name}: Invalid value [{value}]. Must be true or false."
        )
    return value.lower()


# -- topics --------------------------------------------------------------------------
#: DataProtectionPolicy's documented maximum length (PutDataProtectionPolicy).
MAX_DATA_PROTECTION_POLICY = 30720


def check_topic_attribute(name: str, value: str, *, creating: bool, fifo: bool) -> str:
    """The value to store for ``name``; InvalidParameter if SNS refuses it."""
    if name not in TOPIC_ATTRIBUTES:
        raise InvalidParameter("Invalid parameter: AttributeName")
    if name == "FifoTopic":
        if not creating:
            raise InvalidParameter("Invalid parameter: AttributeName")
        return _boolean(name, value)
    if name == "ContentBasedDeduplication":
        value = _boolean(name, value)
        if value == "true" and not fifo:
            raise InvalidParameter(
                "Invalid parameter: Attributes Reason: Content-based deduplication can only "
                "be set for FIFO topics"
            )
        return value
    if name == "DisplayName" and len(value) > 100:
        raise InvalidParameter("Invalid parameter: DisplayName")
    if name == "SignatureVersion" and value not in ("1", "2"):
        raise InvalidParameter(
            f"Invalid parameter: SignatureVersion: Invalid value [{value}]. Must be 1 or 2."
        )
    if name == "TracingConfig" and value not in ("PassThrough", "Active"):
        raise InvalidParameter(
            f"Invalid parameter: TracingConfig: Invalid value [{value}]. "
            "Must be PassThrough or Active."
        )
    if name == "Policy":
        _json_object(value, "Policy")
    if name == "DataProtectionPolicy" and value:
        if len(value) > MAX_DATA_PROTECTION_POLICY:
            raise InvalidParameter(
                "Invalid parameter: DataProtectionPolicy: must be at most "
                f"{MAX_DATA_PROTECTION_POLICY} characters long"
            )
        _json_object(value, "DataProtectionPolicy")
    if name == "DeliveryPolicy" and value:
        topic_http_policy(_json_object(value, "DeliveryPolicy"))
    return value


def default_policy(topic: Topic) -> str:
    """The access policy AWS gives a new topic (its owner may do everything)."""
    actions = [
        "SNS:GetTopicAttributes",
        "SNS:SetTopicAttributes",
        "SNS:AddPermission",
        "SNS:RemovePermission",
        "SNS:DeleteTopic",
        "SNS:Subscribe",
        "SNS:ListSubscriptionsByTopic",
        "SNS:Publish",
    ]
    return json.dumps(
        {
            "Version": "2008-10-17",
            "Id": "__default_policy_ID",
            "Statement": [
                {
                    "Sid": "__default_statement_ID",
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": actions,
                    "Resource": topic.arn,
                    "Condition": {"StringEquals": {"AWS:SourceOwner": topic.account}},
                }
            ],
        },
        separators=(",", ":"),
    )


def topic_http_policy(document: dict[str, Any]) -> RetryPolicy:
    http = document.get("http", {})
    if not isinstance(http, dict):
        raise InvalidParameter("Invalid parameter: DeliveryPolicy: http must be an object")
    if "defaultHealthyRetryPolicy" not in http:
        return DEFAULT_HTTP_POLICY
    return parse_retry_policy(
        http["defaultHealthyRetryPolicy"], "DeliveryPolicy: http.defaultHealthyRetryPolicy"
    )


def effective_delivery_policy(topic: Topic) -> str:
    policy = topic.attributes.get("DeliveryPolicy")
    retry = topic_http_policy(json.loads(policy)) if policy else DEFAULT_HTTP_POLICY
    return json.dumps(
        {
            "http": {
                "defaultHealthyRetryPolicy": retry.as_document(),
                "disableSubscriptionOverrides": False,
                "defaultRequestPolicy": {"headerContentType": HTTP_CONTENT_TYPE},
            }
        },
        separators=(",", ":"),
    )


def topic_view(topic: Topic, confirmed: int, pending: int, deleted: int) -> dict[str, str]:
    """GetTopicAttributes: the computed attributes and the ones set."""
    view = {
        "Policy": default_policy(topic),
        "Owner": topic.account,
        "SubscriptionsPending": str(pending),
        "TopicArn": topic.arn,
        "EffectiveDeliveryPolicy": effective_delivery_policy(topic),
        "SubscriptionsConfirmed": str(confirmed),
        "DisplayName": "",
        "SubscriptionsDeleted": str(deleted),
    }
    if topic.fifo:
        view["FifoTopic"] = "true"
        view["ContentBasedDeduplication"] = "false"
    view.update({k: v for k, v in topic.attributes.items() if k != "FifoTopic" or topic.fifo})
    return view


# -- subscriptions -------------------------------------------------------------------
def check_subscription_attribute(
    name: str, value: str, protocol: str, topic: Topic, *, prefix: str, scope: str | None
) -> str:
    """The value to store for ``name``; errors start with ``prefix`` ("Invalid parameter: "
    for SetSubscriptionAttributes, "Invalid parameter: Attributes Reason: " for Subscribe).
    ``scope`` is the FilterPolicyScope that will hold alongside a FilterPolicy."""
    if name not in SUBSCRIPTION_ATTRIBUTES:
        raise InvalidParameter("Invalid parameter: AttributeName")
    if name == "RawMessageDelivery":
        value = _boolean(name, value)
        if value == "true" and protocol not in _RAW_PROTOCOLS:
            raise InvalidParameter(
                f"{prefix}Delivery protocol [{protocol}] does not support raw message delivery."
            )
        return value
    if name == "FilterPolicyScope":
        if value not in ("MessageAttributes", "MessageBody"):
            raise InvalidParameter(
                f"{prefix}FilterPolicyScope: Invalid value [{value}]. Please use either "
                "MessageBody or MessageAttributes"
            )
        return value
    if name == "FilterPolicy":
        if value.strip():
            try:
                FilterPolicy.compile(value, scope or "MessageAttributes")
            except InvalidPattern as refusal:
                if refusal.reason.startswith("Filter policy scope"):
                    raise InvalidParameter(f"{prefix}{refusal.reason}") from None
                raise InvalidParameter(f"{prefix}FilterPolicy: {refusal.reason}") from None
        return value
    if name == "RedrivePolicy":
        if value:
            target = _json_object(value, "RedrivePolicy").get("deadLetterTargetArn")
            if not isinstance(target, str) or not target.startswith("arn:aws:sqs:"):
                raise InvalidParameter(f"{prefix}RedrivePolicy: deadLetterTargetArn is invalid")
            if topic.fifo != target.endswith(".fifo"):
                kind = "FIFO" if topic.fifo else "standard"
                raise InvalidParameter(
                    f"{prefix}RedrivePolicy: must use a {kind} SQS queue as dead-letter queue"
                )
        return value
    if name == "DeliveryPolicy":
        if protocol not in ("http", "https"):
            raise InvalidParameter(f"{prefix}DeliveryPolicy: only for HTTP/S subscriptions")
        if value:
            subscription_http_policy(_json_object(value, "DeliveryPolicy"))
        return value
    return value


def subscription_http_policy(document: dict[str, Any]) -> RetryPolicy:
    if "healthyRetryPolicy" not in document:
        return DEFAULT_HTTP_POLICY
    return parse_retry_policy(document["healthyRetryPolicy"], "DeliveryPolicy: healthyRetryPolicy")


def retry_policy(subscription: Subscription, topic: Topic | None) -> RetryPolicy:
    """The policy that schedules this subscription's retries."""
    if subscription.protocol not in ("http", "https"):
        return MANAGED_POLICY
    own = subscription.attributes.get("DeliveryPolicy")
    if own:
        return subscription_http_policy(json.loads(own))
    topic_policy = topic.attributes.get("DeliveryPolicy") if topic is not None else None
    if topic_policy:
        return topic_http_policy(json.loads(topic_policy))
    return DEFAULT_HTTP_POLICY


def content_type(subscription: Subscription) -> str:
    own = subscription.attributes.get("DeliveryPolicy")
    if own:
        request = json.loads(own).get("requestPolicy", {})
        if isinstance(request, dict) and isinstance(request.get("headerContentType"), str):
            return str(request["headerContentType"])
    return HTTP_CONTENT_TYPE


def subscription_view(subscription: Subscription, topic: Topic | None) -> dict[str, str]:
    """GetSubscriptionAttributes."""
    view = {
        "Owner": subscription.owner,
        "RawMessageDelivery": "false",
        "TopicArn": subscription.topic_arn,
        "Endpoint": subscription.endpoint,
        "Protocol": subscription.protocol,
        "PendingConfirmation": "false" if subscription.confirmed else "true",
        "ConfirmationWasAuthenticated": "true" if subscription.confirmed else "false",
        "SubscriptionArn": subscription.arn,
        "SubscriptionPrincipal": f"arn:aws:iam::{subscription.owner}:root",
    }
    if subscription.protocol in ("http", "https"):
        policy = retry_policy(subscription, topic)
        view["EffectiveDeliveryPolicy"] = json.dumps(
            {
                "healthyRetryPolicy": policy.as_document(),
                "requestPolicy": {"headerContentType": content_type(subscription)},
            },
            separators=(",", ":"),
        )
    for key, value in subscription.attributes.items():
        if key == "FilterPolicyScope" and not subscription.attributes.get("FilterPolicy"):
            continue
        if value == "" and key in ("FilterPolicy", "RedrivePolicy", "DeliveryPolicy"):
            continue
        view[key] = value
    if subscription.attributes.get("FilterPolicy") and "FilterPolicyScope" not in view:
        view["FilterPolicyScope"] = "MessageAttributes"
    return view
