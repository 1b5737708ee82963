"""AWS::SQS::* and AWS::SNS::* through our own SQS and SNS APIs."""

from __future__ import annotations

import json
from typing import Any

from stratus.services.stacks.resources.base import (
    Handler,
    Provisioned,
    Provisioning,
    ignore_missing,
)

# Queue properties that are queue attributes (as strings, JSON for the policies).
_QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "RedrivePolicy",
    "RedriveAllowPolicy",
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled",
)


def _attribute(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def _queue_attributes(props: dict[str, Any]) -> dict[str, str]:
    return {k: _attribute(props[k]) for k in _QUEUE_ATTRIBUTES if k in props}


class QueueHandler(Handler):
    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        fifo = str(props.get("FifoQueue", "")).lower() == "true"
        name = props.get("QueueName") or (
            ctx.physical_name(logical_id, 75) + ".fifo"
            if fifo
            else ctx.physical_name(logical_id, 80)
        )
        params: dict[str, Any] = {"QueueName": name, "Attributes": _queue_attributes(props)}
        params["tags"] = ctx.tags(logical_id, props.get("Tags"))
        url = (await ctx.call("sqs", "CreateQueue", params))["QueueUrl"]
        arn = ctx.arn("sqs", name)
        return Provisioned(url, {"Arn": arn, "QueueName": name, "QueueUrl": url})

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        if self.replaces(old, new):
            return None
        attributes = _queue_attributes(new)
        if "RedrivePolicy" in old and "RedrivePolicy" not in new:
            attributes["RedrivePolicy"] = ""
        if attributes:
            await ctx.call(
                "sqs",
                "SetQueueAttributes",
                {"QueueUrl": current.physical_id, "Attributes": attributes},
            )
        return current

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(ctx.call("sqs", "DeleteQueue", {"QueueUrl": current.physical_id}))

    def replaces(self, old: dict[str, Any], new: dict[str, Any]) -> bool:
        return any(old.get(k) != new.get(k) for k in ("QueueName", "FifoQueue"))


class QueuePolicyHandler(Handler):
    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        document = _attribute(props["PolicyDocument"])
        for url in props.get("Queues", []):
            await ctx.call(
                "sqs", "SetQueueAttributes", {"QueueUrl": url, "Attributes": {"Policy": document}}
            )
        return Provisioned(f"{ctx.stack_name}-{logical_id}-{ctx.token(logical_id)}")

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        await self.create(ctx, logical_id, new)
        return current

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        for url in props.get("Queues", []):
            await ignore_missing(
                ctx.call(
                    "sqs", "SetQueueAttributes", {"QueueUrl": url, "Attributes": {"Policy": ""}}
                )
            )


_TOPIC_ATTRIBUTES = (
    "DisplayName",
    "FifoTopic",
    "ContentBasedDeduplication",
    "KmsMasterKeyId",
    "SignatureVersion",
    "TracingConfig",
    "DeliveryStatusLogging",
    "ArchivePolicy",
    "FifoThroughputScope",
)


class TopicHandler(Handler):
    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        fifo = str(props.get("FifoTopic", "")).lower() == "true"
        name = props.get("TopicName") or (
            ctx.physical_name(logical_id, 251) + ".fifo"
            if fifo
            else ctx.physical_name(logical_id, 256)
        )
        attributes = {
            k: _attribute(props[k])
            for k in _TOPIC_ATTRIBUTES
            if k in props and k != "DeliveryStatusLogging"
        }
        params: dict[str, Any] = {"Name": name, "Attributes": attributes}
        params["Tags"] = ctx.tag_list(logical_id, props.get("Tags"))
        arn = (await ctx.call("sns", "CreateTopic", params))["TopicArn"]
        for subscription in props.get("Subscription", []):
            await ctx.call(
                "sns",
                "Subscribe",
                {
                    "TopicArn": arn,
                    "Protocol": subscription["Protocol"],
                    "Endpoint": subscription["Endpoint"],
                    "ReturnSubscriptionArn": True,
                },
            )
        return Provisioned(arn, {"TopicArn": arn, "TopicName": name})

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        if self.replaces(old, new):
            return None
        for key in _TOPIC_ATTRIBUTES:
            if (
                key in new
                and old.get(key) != new[key]
                and key not in ("FifoTopic", "DeliveryStatusLogging")
            ):
                await ctx.call(
                    "sns",
                    "SetTopicAttributes",
                    {
                        "TopicArn": current.physical_id,
                        "AttributeName": key,
                        "AttributeValue": _attribute(new[key]),
                    },
                )
        return current

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(ctx.call("sns", "DeleteTopic", {"TopicArn": current.physical_id}))

    def replaces(self, old: dict[str, Any], new: dict[str, Any]) -> bool:
        return any(old.get(k) != new.get(k) for k in ("TopicName", "FifoTopic", "Subscription"))


_SUBSCRIPTION_ATTRIBUTES = (
    "FilterPolicy",
    "FilterPolicyScope",
    "RawMessageDelivery",
    "RedrivePolicy",
    "DeliveryPolicy",
    "SubscriptionRoleArn",
)


class SubscriptionHandler(Handler):
    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        attributes = {k: _attribute(props[k]) for k in _SUBSCRIPTION_ATTRIBUTES if k in props}
        answer = await ctx.call(
            "sns",
            "Subscribe",
            {
                "TopicArn": props["TopicArn"],
                "Protocol": props["Protocol"],
                "Endpoint": props.get("Endpoint", ""),
                "Attributes": attributes,
                "ReturnSubscriptionArn": True,
            },
        )
        return Provisioned(answer["SubscriptionArn"], {"Arn": answer["SubscriptionArn"]})

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        if any(old.get(k) != new.get(k) for k in ("TopicArn", "Protocol", "Endpoint")):
            return None
        for key in _SUBSCRIPTION_ATTRIBUTES:
            if old.get(key) != new.get(key):
                await ctx.call(
                    "sns",
                    "SetSubscriptionAttributes",
                    {
                        "SubscriptionArn": current.physical_id,
                        "AttributeName": key,
                        "AttributeValue": _attribute(new.get(key, "")),
                    },
                )
        return current

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(
            ctx.call("sns", "Unsubscribe", {"SubscriptionArn": current.physical_id})
        )


class TopicPolicyHandler(Handler):
    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        document = _attribute(props["PolicyDocument"])
        for arn in props.get("Topics", []):
            await ctx.call(
                "sns",
                "SetTopicAttributes",
                {"TopicArn": arn, "AttributeName": "Policy", "AttributeValue": document},
            )
        return Provisioned(f"{ctx.stack_name}-{logical_id}-{ctx.token(logical_id)}")

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        await self.create(ctx, logical_id, new)
        return current
