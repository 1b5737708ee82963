"""Topics and subscriptions: their lifecycle, attributes, tags and listing.

State lives in memory (topics by ARN, subscriptions by ARN and by topic, each
subscription's compiled filter policy) and is written through to the store before any
change is acknowledged. Confirmation messages for HTTP/S subscriptions are handed to the
dispatcher as deliveries, so they are retried and survive a restart like notifications.
"""

from __future__ import annotations

import asyncio
import base64
import re
import secrets
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from stratus.services.patterns import FilterPolicy
from stratus.services.scope import Scope
from stratus.services.system_tags import counted, reserved
from stratus.services.topics import permissions
from stratus.services.topics.attributes import (
    check_subscription_attribute,
    check_topic_attribute,
    default_policy,
    subscription_view,
    topic_view,
)
from stratus.services.topics.errors import (
    SUBSCRIPTION_NOT_FOUND,
    TOPIC_NOT_FOUND,
    AuthorizationError,
    InvalidParameter,
    NotFound,
    TagLimitExceeded,
)
from stratus.services.topics.model import Delivery, Message, Subscription, Topic
from stratus.services.topics.names import (
    check_topic_name,
    new_subscription_arn,
    parse_arn,
    topic_arn,
)
from stratus.services.topics.repository import TopicsRepository

PAGE_SIZE = 100
MAX_TAGS = 50
PROTOCOLS = (
    "http",
    "https",
    "email",
    "email-json",
    "sms",
    "sqs",
    "application",
    "lambda",
    "firehose",
)
SUBSCRIBE_REASON = "Invalid parameter: Attributes Reason: "


def timestamp(now: float | None = None) -> str:
    """SNS's timestamps: ISO 8601 UTC with milliseconds."""
    now = time.time() if now is None else now
    seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now))
    return f"{seconds}.{int(now * 1000) % 1000:03d}Z"


@dataclass(frozen=True, slots=True)
class Page:
    items: list[str]
    next_token: str | None


def page_of(arns: Sequence[str], token: str | None, size: int = PAGE_SIZE) -> Page:
    """One page and the token of the next (an offset: SNS's tokens are opaque)."""
    start = 0
    if token:
        try:
            start = int(base64.urlsafe_b64decode(token.encode()).decode())
        except (ValueError, UnicodeDecodeError):
            raise InvalidParameter("Invalid parameter: NextToken") from None
        if not 0 <= start <= len(arns):
            raise InvalidParameter("Invalid parameter: NextToken")
    end = start + size
    following = base64.urlsafe_b64encode(str(end).encode()).decode() if end < len(arns) else None
    return Page(list(arns[start:end]), following)


class Registry:
    def __init__(
        self,
        repository: TopicsRepository,
        deliver: Callable[[list[Delivery]], None],
        device_exists: Callable[[str], bool] = lambda arn: False,
    ) -> None:
        self._repository = repository
        self._deliver = deliver
        self._device_exists = device_exists  # a platform endpoint ARN (mobile push)
        self.topics: dict[str, Topic] = {}
        self.subscriptions: dict[str, Subscription] = {}
        self.by_topic: dict[str, list[str]] = {}
        self.filters: dict[str, FilterPolicy | None] = {}
        # AddPermission and RemovePermission read the policy, then await its write:
        # serialized, so permissions added at once all land.
        self._policy_lock = asyncio.Lock()

    def restore(self, topics: Sequence[Topic], subscriptions: Sequence[Subscription]) -> None:
        for topic in topics:
            self.topics[topic.arn] = topic
            self.by_topic.setdefault(topic.arn, [])
        for subscription in subscriptions:
            self._index(subscription)

    def _index(self, subscription: Subscription) -> None:
        self.subscriptions[subscription.arn] = subscription
        arns = self.by_topic.setdefault(subscription.topic_arn, [])
        if subscription.arn not in arns:
            arns.append(subscription.arn)
        self.filters[subscription.arn] = _compiled_filter(subscription)

    # -- topics ----------------------------------------------------------------------
    def topic(self, arn: str, scope: Scope | None = None, member: str = "TopicArn") -> Topic:
        """The topic ``arn`` names; NotFound, or AuthorizationError for another account's."""
        parsed = parse_arn(arn, member)
        if parsed.subscription_id is not None:
            raise InvalidParameter(f"Invalid parameter: {member}")
        topic = self.topics.get(arn)
        if topic is None:
            raise NotFound(TOPIC_NOT_FOUND)
        if scope is not None and scope.account != topic.account:
            raise AuthorizationError(
                f"User: arn:aws:iam::{scope.account}:root is not authorized to access this "
                f"topic: {arn}"
            )
        return topic

    async def create_topic(
        self, scope: Scope, name: str, attributes: Mapping[str, str], tags: Mapping[str, str]
    ) -> Topic:
        fifo = attributes.get("FifoTopic", "false").lower() == "true"
        if name.endswith(".fifo") and not fifo:
            raise InvalidParameter(
                "Invalid parameter: Topic Name"
                if "FifoTopic" not in attributes
                else "Invalid parameter: Fifo Topic names must end with .fifo and must be made "
                "up of only uppercase and lowercase ASCII letters, numbers, underscores, and "
                "hyphens, and must be between 1 and 256 characters long."
            )
        check_topic_name(name, fifo)
        checked = {
            key: check_topic_attribute(key, value, creating=True, fifo=fifo)
            for key, value in attributes.items()
        }
        _check_tags(tags)
        arn = topic_arn(scope.region, scope.account, name)
        existing = self.topics.get(arn)
        if existing is not None:
            if any(existing.attributes.get(k, _DEFAULTS.get(k)) != v for k, v in checked.items()):
                raise InvalidParameter(
                    "Invalid parameter: Attributes Reason: Topic already exists with different "
                    "attributes"
                )
            if any(existing.tags.get(k) != v for k, v in tags.items()):
                raise InvalidParameter(
                    "Invalid parameter: Tags Reason: Topic already exists with different tags"
                )
            return existing
        topic = Topic(arn, name, scope.account, scope.region, checked, dict(tags), time.time())
        await self._repository.put_topic(topic)
        self.topics[arn] = topic
        self.by_topic.setdefault(arn, [])
        return topic

    async def delete_topic(self, scope: Scope, arn: str) -> None:
        try:
            self.topic(arn, scope)
        except NotFound:
            return  # DeleteTopic of a missing topic succeeds, as on AWS
        await self._repository.delete_topic(arn)
        del self.topics[arn]
        for subscription_arn in self.by_topic.pop(arn, []):
            self.subscriptions.pop(subscription_arn, None)
            self.filters.pop(subscription_arn, None)

    def list_topics(self, scope: Scope, token: str | None) -> Page:
        prefix = scope.arn_prefix("sns")
        return page_of(sorted(a for a in self.topics if a.startswith(prefix)), token)

    def topic_attributes(self, scope: Scope, arn: str) -> dict[str, str]:
        topic = self.topic(arn, scope)
        subscriptions = [self.subscriptions[s] for s in self.by_topic.get(arn, [])]
        confirmed = sum(1 for s in subscriptions if s.confirmed)
        # Unsubscribing removes a subscription at once here, so none is ever "deleted
        # but not yet gone" as AWS counts in SubscriptionsDeleted.
        return topic_view(topic, confirmed, len(subscriptions) - confirmed, 0)

    async def set_topic_attribute(self, scope: Scope, arn: str, name: str, value: str) -> None:
        topic = self.topic(arn, scope)
        checked = check_topic_attribute(name, value, creating=False, fifo=topic.fifo)
        attributes = dict(topic.attributes)
        if checked == "" and name in (
            "DeliveryPolicy",
            "Policy",
            "KmsMasterKeyId",
            "DataProtectionPolicy",
        ):
            attributes.pop(name, None)
        else:
            attributes[name] = checked
        await self._save_topic(topic, attributes=attributes)

    # -- access policy (stored, not enforced) ------------------------------------------
    async def add_permission(
        self,
        scope: Scope,
        arn: str,
        label: str,
        accounts: Sequence[str],
        actions: Sequence[str],
    ) -> None:
        async with self._policy_lock:
            topic = self.topic(arn, scope)
            if not label:
                raise InvalidParameter("Invalid parameter: Label")
            current = topic.attributes.get("Policy") or default_policy(topic)
            policy = permissions.with_permission(current, arn, label, accounts, actions)
            await self._save_topic(topic, attributes={**topic.attributes, "Policy": policy})

    async def remove_permission(self, scope: Scope, arn: str, label: str) -> None:
        async with self._policy_lock:
            topic = self.topic(arn, scope)
            current = topic.attributes.get("Policy") or default_policy(topic)
            policy = permissions.without_permission(current, label)
            if policy is not None:  # a label that is not there: nothing to do, as on AWS
                await self._save_topic(topic, attributes={**topic.attributes, "Policy": policy})

    async def put_data_protection_policy(self, scope: Scope, arn: str, document: str) -> None:
        """PutDataProtectionPolicy: the ``DataProtectionPolicy`` attribute (JSON, or
        empty to remove it); stored and answered, not applied to messages."""
        await self.set_topic_attribute(scope, arn, "DataProtectionPolicy", document)

    def data_protection_policy(self, scope: Scope, arn: str) -> str:
        return self.topic(arn, scope, member="ResourceArn").attributes.get(
            "DataProtectionPolicy", ""
        )

    async def _save_topic(self, topic: Topic, **changes: object) -> None:
        updated = Topic(**{**topic.to_document(), **changes})
        await self._repository.put_topic(updated)
        self.topics[topic.arn] = updated

    # -- tags ------------------------------------------------------------------------
    async def tag(self, scope: Scope, arn: str, tags: Mapping[str, str]) -> None:
        topic = self._tagged(scope, arn)
        merged = {**topic.tags, **tags}
        _check_tags(merged)
        await self._save_topic(topic, tags=merged)

    async def untag(self, scope: Scope, arn: str, keys: Sequence[str]) -> None:
        topic = self._tagged(scope, arn)
        await self._save_topic(topic, tags={k: v for k, v in topic.tags.items() if k not in keys})

    def tags(self, scope: Scope, arn: str) -> dict[str, str]:
        return dict(self._tagged(scope, arn).tags)

    def _tagged(self, scope: Scope, arn: str) -> Topic:
        try:
            return self.topic(arn, scope, member="ResourceArn")
        except NotFound:
            raise NotFound("Resource does not exist") from None

    # -- subscriptions ---------------------------------------------------------------
    def subscription(self, arn: str, scope: Scope | None = None) -> Subscription:
        parsed = parse_arn(arn, "SubscriptionArn")
        subscription = self.subscriptions.get(arn)
        if parsed.subscription_id is None or subscription is None:
            raise NotFound(SUBSCRIPTION_NOT_FOUND)
        if scope is not None and scope.account != parsed.account:
            raise AuthorizationError(
                f"User: arn:aws:iam::{scope.account}:root is not authorized to access this "
                f"subscription: {arn}"
            )
        return subscription

    async def subscribe(
        self,
        scope: Scope,
        arn: str,
        protocol: str,
        endpoint: str | None,
        attributes: Mapping[str, str],
    ) -> Subscription:
        topic = self.topic(arn, scope)
        if protocol not in PROTOCOLS:
            raise InvalidParameter(
                f"Invalid parameter: Amazon SNS does not support this protocol string: {protocol}"
            )
        endpoint = _check_endpoint(protocol, endpoint or "", topic)
        if protocol == "application" and not self._device_exists(endpoint):
            raise InvalidParameter(
                f"Invalid parameter: Endpoint Reason: Endpoint does not exist for endpoint "
                f"{endpoint}"
            )
        scope_value = attributes.get("FilterPolicyScope")
        checked = {
            key: check_subscription_attribute(
                key, value, protocol, topic, prefix=SUBSCRIBE_REASON, scope=scope_value
            )
            for key, value in attributes.items()
        }
        for existing_arn in self.by_topic.get(arn, []):
            existing = self.subscriptions[existing_arn]
            if existing.protocol == protocol and existing.endpoint == endpoint:
                if any(existing.attributes.get(k, "") != v for k, v in checked.items()):
                    raise InvalidParameter(
                        f"{SUBSCRIBE_REASON}Subscription already exists with different attributes"
                    )
                return existing
        confirmed = protocol in ("sqs", "lambda", "sms", "application", "firehose")
        subscription = Subscription(
            arn=new_subscription_arn(arn),
            topic_arn=arn,
            protocol=protocol,
            endpoint=endpoint,
            owner=scope.account,
            attributes=checked,
            confirmed=confirmed,
            token=secrets.token_hex(64),
            created=time.time(),
        )
        await self._repository.put_subscription(subscription)
        self._index(subscription)
        if protocol in ("http", "https"):
            await self._send_confirmation(topic, subscription)
        return subscription

    async def _send_confirmation(self, topic: Topic, subscription: Subscription) -> None:
        now = time.time()
        message = Message(
            message_id=str(uuid.uuid4()),
            topic_arn=topic.arn,
            body=(
                f"You have chosen to subscribe to the topic {topic.arn}.\n"
                "To confirm the subscription, visit the SubscribeURL included in this message."
            ),
            per_protocol=None,
            subject=None,
            attributes={},
            timestamp=timestamp(now),
        )
        delivery = Delivery(
            delivery_id=str(uuid.uuid4()),
            subscription_arn=subscription.arn,
            kind="SubscriptionConfirmation",
            message=message,
            due=now,
            first_attempt=now,
        )
        await self._repository.add_deliveries([delivery], None)
        self._deliver([delivery])

    async def confirm(self, arn: str, token: str) -> Subscription:
        self.topic(arn)
        for subscription_arn in self.by_topic.get(arn, []):
            subscription = self.subscriptions[subscription_arn]
            if secrets.compare_digest(subscription.token, token):
                if not subscription.confirmed:
                    subscription.confirmed = True
                    await self._repository.put_subscription(subscription)
                return subscription
        raise InvalidParameter("Invalid parameter: Token")

    async def unsubscribe(self, scope: Scope | None, arn: str) -> None:
        subscription = self.subscription(arn, scope)
        await self._repository.delete_subscription(arn)
        self.subscriptions.pop(arn, None)
        self.filters.pop(arn, None)
        siblings = self.by_topic.get(subscription.topic_arn, [])
        if arn in siblings:
            siblings.remove(arn)

    def list_subscriptions(
        self, scope: Scope, token: str | None, topic: str | None = None
    ) -> tuple[list[Subscription], str | None]:
        if topic is not None:
            self.topic(topic, scope)
            arns = list(self.by_topic.get(topic, []))
        else:
            prefix = scope.arn_prefix("sns")
            arns = sorted(a for a in self.subscriptions if a.startswith(prefix))
        page = page_of(arns, token)
        return [self.subscriptions[a] for a in page.items], page.next_token

    def subscription_attributes(self, scope: Scope, arn: str) -> dict[str, str]:
        subscription = self.subscription(arn, scope)
        return subscription_view(subscription, self.topics.get(subscription.topic_arn))

    async def set_subscription_attribute(
        self, scope: Scope, arn: str, name: str, value: str
    ) -> None:
        subscription = self.subscription(arn, scope)
        topic = self.topic(subscription.topic_arn)
        scope_value = (
            value
            if name == "FilterPolicyScope"
            else subscription.attributes.get("FilterPolicyScope")
        )
        checked = check_subscription_attribute(
            name,
            value,
            subscription.protocol,
            topic,
            prefix="Invalid parameter: ",
            scope=scope_value,
        )
        if name == "FilterPolicyScope" and subscription.attributes.get("FilterPolicy"):
            # The policy must hold in the new scope too.
            check_subscription_attribute(
                "FilterPolicy",
                subscription.attributes["FilterPolicy"],
                subscription.protocol,
                topic,
                prefix="Invalid parameter: ",
                scope=checked,
            )
        attributes = dict(subscription.attributes)
        attributes[name] = checked
        updated = Subscription(**{**subscription.to_document(), "attributes": attributes})
        await self._repository.put_subscription(updated)
        self._index(updated)

    def confirmed_subscriptions(self, topic_arn: str) -> list[Subscription]:
        return [
            self.subscriptions[arn]
            for arn in self.by_topic.get(topic_arn, ())
            if self.subscriptions[arn].confirmed
        ]

    def statistics(self, scope: Scope) -> list[tuple[Topic, int, int]]:
        """Each topic of ``scope`` with its confirmed and pending subscription counts."""
        rows = []
        for arn in self.list_all(scope):
            subscriptions = [self.subscriptions[s] for s in self.by_topic.get(arn, [])]
            confirmed = sum(1 for s in subscriptions if s.confirmed)
            rows.append((self.topics[arn], confirmed, len(subscriptions) - confirmed))
        return rows

    def list_all(self, scope: Scope | None) -> list[str]:
        if scope is None:
            return sorted(self.topics)
        prefix = scope.arn_prefix("sns")
        return sorted(a for a in self.topics if a.startswith(prefix))


_DEFAULTS = {"FifoTopic": "false", "ContentBasedDeduplication": "false"}
# An sms subscription's number: digits, a leading "+", the separators people write.
_SMS_SEPARATORS = re.compile(r"[\s().-]")
_SMS_NUMBER = re.compile(r"\+?[0-9]{2,15}")


def _compiled_filter(subscription: Subscription) -> FilterPolicy | None:
    policy = subscription.attributes.get("FilterPolicy", "")
    if not policy.strip():
        return None
    scope = subscription.attributes.get("FilterPolicyScope") or "MessageAttributes"
    return FilterPolicy.compile(policy, scope)


def _check_tags(tags: Mapping[str, str]) -> None:
    if counted(tags) > MAX_TAGS:
        raise TagLimitExceeded("Could not complete request: tag quota of per resource exceeded")
    for key in tags:
        if reserved(key):
            raise InvalidParameter(
                "Invalid parameter: Tags Reason: Tag keys must not start with aws:"
            )


def _check_endpoint(protocol: str, endpoint: str, topic: Topic) -> str:
    if protocol in ("http", "https"):
        if not endpoint.lower().startswith(f"{protocol}://"):
            raise InvalidParameter("Invalid parameter: Endpoint must match the specified protocol")
        return endpoint
    if protocol == "sqs":
        parts = endpoint.split(":")
        if len(parts) != 6 or parts[:3] != ["arn", "aws", "sqs"] or not parts[5]:
            raise InvalidParameter("Invalid parameter: SQS endpoint ARN")
        if endpoint.endswith(".fifo") and not topic.fifo:
            raise InvalidParameter(
                "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not "
                "be subscribed to standard SNS topics"
            )
        return endpoint
    if protocol == "lambda":
        parts = endpoint.split(":")
        if len(parts) < 7 or parts[:3] != ["arn", "aws", "lambda"] or parts[5] != "function":
            raise InvalidParameter("Invalid parameter: Lambda endpoint ARN")
        if topic.fifo:
            raise InvalidParameter(
                "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO topics can only "
                "deliver to FIFO SQS queues"
            )
        return endpoint
    if protocol == "sms" and not _SMS_NUMBER.fullmatch(_SMS_SEPARATORS.sub("", endpoint)):
        raise InvalidParameter(f"Invalid SMS endpoint: {endpoint}")
    if not endpoint:
        raise InvalidParameter("Invalid parameter: Endpoint")
    return endpoint
