"""SNS's operations: parsed query parameters in, the model's output shapes out.

Thin by design: each method reads its parameters, calls the topics service in the
caller's scope and shapes the answer. Errors are the service's exceptions, mapped by
``errors`` at the edge; mobile push and SMS operations are mixins (``mobile.py``,
``sms.py``). Access and data protection policies are stored and answered, not enforced.
"""

from __future__ import annotations

from typing import Any

from stratus.aws.context import RequestContext
from stratus.aws.sns.errors import SNS_ERRORS
from stratus.aws.sns.mobile import MobileOperations
from stratus.aws.sns.sms import SmsOperations
from stratus.services.topics.errors import InvalidParameter
from stratus.services.topics.model import Subscription
from stratus.services.topics.publisher import PublishRequest
from stratus.services.topics.service import TopicsService

__all__ = ["SnsProvider"]

Params = dict[str, Any]
Result = dict[str, Any]


def _tags(params: Params) -> dict[str, str]:
    tags = params.get("Tags") or []
    keys = [tag["Key"] for tag in tags]
    if len(set(keys)) != len(keys):
        raise InvalidParameter("Invalid parameter: Duplicated keys are not allowed.")
    return {tag["Key"]: tag.get("Value", "") for tag in tags}


def _listed(subscription: Subscription) -> dict[str, str]:
    return {
        "SubscriptionArn": (subscription.arn if subscription.confirmed else "PendingConfirmation"),
        "Owner": subscription.owner,
        "Protocol": subscription.protocol,
        "Endpoint": subscription.endpoint,
        "TopicArn": subscription.topic_arn,
    }


class SnsProvider(MobileOperations, SmsOperations):
    errors = SNS_ERRORS

    def __init__(self, topics: TopicsService) -> None:
        self._topics = topics
        self._registry = topics.registry
        self._mobile = topics.mobile
        self._sms = topics.sms

    # -- topics ----------------------------------------------------------------------
    async def create_topic(self, ctx: RequestContext, params: Params) -> Result:
        topic = await self._registry.create_topic(
            ctx.scope, params["Name"], params.get("Attributes") or {}, _tags(params)
        )
        return {"TopicArn": topic.arn}

    async def delete_topic(self, ctx: RequestContext, params: Params) -> Result:
        await self._registry.delete_topic(ctx.scope, params["TopicArn"])
        return {}

    async def list_topics(self, ctx: RequestContext, params: Params) -> Result:
        page = self._registry.list_topics(ctx.scope, params.get("NextToken"))
        result: Result = {"Topics": [{"TopicArn": arn} for arn in page.items]}
        if page.next_token:
            result["NextToken"] = page.next_token
        return result

    async def get_topic_attributes(self, ctx: RequestContext, params: Params) -> Result:
        return {"Attributes": self._registry.topic_attributes(ctx.scope, params["TopicArn"])}

    async def set_topic_attributes(self, ctx: RequestContext, params: Params) -> Result:
        await self._registry.set_topic_attribute(
            ctx.scope,
            params["TopicArn"],
            params["AttributeName"],
            params.get("AttributeValue") or "",
        )
        return {}

    # -- access and data protection policies (stored, not enforced) -----------------
    async def add_permission(self, ctx: RequestContext, params: Params) -> Result:
        await self._registry.add_permission(
            ctx.scope,
            params["TopicArn"],
            params["Label"],
            params["AWSAccountId"],
            params["ActionName"],
        )
        return {}

    async def remove_permission(self, ctx: RequestContext, params: Params) -> Result:
        await self._registry.remove_permission(ctx.scope, params["TopicArn"], params["Label"])
        return {}

    async def put_data_protection_policy(self, ctx: RequestContext, params: Params) -> Result:
        await self._registry.put_data_protection_policy(
            ctx.scope, params["ResourceArn"], params["DataProtectionPolicy"]
        )
        return {}

    async def get_data_protection_policy(self, ctx: RequestContext, params: Params) -> Result:
        document = self._registry.data_protection_policy(ctx.scope, params["ResourceArn"])
        return {"DataProtectionPolicy": document} if document else {}

    # -- tags ------------------------------------------------------------------------
    async def tag_resource(self, ctx: RequestContext, params: Params) -> Result:
        await self._registry.tag(ctx.scope, params["ResourceArn"], _tags(params))
        return {}

    async def untag_resource(self, ctx: RequestContext, params: Params) -> Result:
        await self._registry.untag(ctx.scope, params["ResourceArn"], params.get("TagKeys") or [])
        return {}

    async def list_tags_for_resource(self, ctx: RequestContext, params: Params) -> Result:
        tags = self._registry.tags(ctx.scope, params["ResourceArn"])
        return {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}

    # -- subscriptions ---------------------------------------------------------------
    async def subscribe(self, ctx: RequestContext, params: Params) -> Result:
        subscription = await self._registry.subscribe(
            ctx.scope,
            params["TopicArn"],
            params["Protocol"],
            params.get("Endpoint"),
            params.get("Attributes") or {},
        )
        if subscription.confirmed or params.get("ReturnSubscriptionArn"):
            return {"SubscriptionArn": subscription.arn}
        return {"SubscriptionArn": "pending confirmation"}

    async def confirm_subscription(self, ctx: RequestContext, params: Params) -> Result:
        # The token authenticates: the SubscribeURL is opened unsigned by the endpoint.
        subscription = await self._registry.confirm(params["TopicArn"], params["Token"])
        return {"SubscriptionArn": subscription.arn}

    async def unsubscribe(self, ctx: RequestContext, params: Params) -> Result:
        # The UnsubscribeURL of every notification is opened unsigned, as on AWS.
        signed = ctx.access_key is not None
        await self._registry.unsubscribe(ctx.scope if signed else None, params["SubscriptionArn"])
        return {}

    async def list_subscriptions(self, ctx: RequestContext, params: Params) -> Result:
        subscriptions, token = self._registry.list_subscriptions(ctx.scope, params.get("NextToken"))
        result: Result = {"Subscriptions": [_listed(s) for s in subscriptions]}
        if token:
            result["NextToken"] = token
        return result

    async def list_subscriptions_by_topic(self, ctx: RequestContext, params: Params) -> Result:
        subscriptions, token = self._registry.list_subscriptions(
            ctx.scope, params.get("NextToken"), topic=params["TopicArn"]
        )
        result: Result = {"Subscriptions": [_listed(s) for s in subscriptions]}
        if token:
            result["NextToken"] = token
        return result

    async def get_subscription_attributes(self, ctx: RequestContext, params: Params) -> Result:
        return {
            "Attributes": self._registry.subscription_attributes(
                ctx.scope, params["SubscriptionArn"]
            )
        }

    async def set_subscription_attributes(self, ctx: RequestContext, params: Params) -> Result:
        await self._registry.set_subscription_attribute(
            ctx.scope,
            params["SubscriptionArn"],
            params["AttributeName"],
            params.get("AttributeValue") or "",
        )
        return {}

    # -- publishing ------------------------------------------------------------------
    async def publish(self, ctx: RequestContext, params: Params) -> Result:
        published = await self._topics.publisher.publish(
            ctx.scope,
            PublishRequest(
                message=params["Message"],
                topic_arn=params.get("TopicArn"),
                target_arn=params.get("TargetArn"),
                phone_number=params.get("PhoneNumber"),
                subject=params.get("Subject"),
                structure=params.get("MessageStructure"),
                attributes=params.get("MessageAttributes"),
                group_id=params.get("MessageGroupId"),
                deduplication_id=params.get("MessageDeduplicationId"),
            ),
        )
        result: Result = {"MessageId": published.message_id}
        if published.sequence_number is not None:
            result["SequenceNumber"] = published.sequence_number
        return result

    async def publish_batch(self, ctx: RequestContext, params: Params) -> Result:
        successful, failed = await self._topics.publisher.publish_batch(
            ctx.scope, params["TopicArn"], params.get("PublishBatchRequestEntries") or []
        )
        return {
            "Successful": [
                {"Id": entry_id, "MessageId": p.message_id}
                | ({"SequenceNumber": p.sequence_number} if p.sequence_number else {})
                for entry_id, p in successful
            ],
            "Failed": [
                {
                    "Id": f.entry_id,
                    "Code": f.code,
                    "Message": f.message,
                    "SenderFault": f.sender_fault,
                }
                for f in failed
            ],
        }
