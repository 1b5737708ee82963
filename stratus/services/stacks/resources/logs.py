"""AWS::Logs::LogGroup, LogStream, SubscriptionFilter, MetricFilter, QueryDefinition and
ResourcePolicy through our own CloudWatch Logs API (so a template gets its checks and
errors)."""

from __future__ import annotations

import json
from typing import Any

from stratus.services.stacks.resources.base import (
    Handler,
    Provisioned,
    Provisioning,
    ignore_missing,
    tag_map,
)


class LogGroupHandler(Handler):
    """A real log group: its retention, tags, KMS key and data protection policy kept in
    step with the template, in place (a new name or class replaces it)."""

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        name = props.get("LogGroupName") or ctx.physical_name(logical_id, 512)
        params: dict[str, Any] = {"logGroupName": name}
        tags = tag_map(props.get("Tags"))
        if tags:
            params["tags"] = tags
        if props.get("KmsKeyId"):
            params["kmsKeyId"] = props["KmsKeyId"]
        if props.get("LogGroupClass"):
            params["logGroupClass"] = props["LogGroupClass"]
        if props.get("DeletionProtectionEnabled") is not None:
            params["deletionProtectionEnabled"] = props["DeletionProtectionEnabled"]
        await ctx.call("logs", "CreateLogGroup", params)
        if props.get("RetentionInDays") is not None:
            await ctx.call(
                "logs",
                "PutRetentionPolicy",
                {"logGroupName": name, "retentionInDays": props["RetentionInDays"]},
            )
        if props.get("DataProtectionPolicy"):
            await _put_protection(ctx, name, props["DataProtectionPolicy"])
        return Provisioned(name, {"Arn": ctx.arn("logs", f"log-group:{name}:*")})

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
        name = current.physical_id
        if old.get("KmsKeyId") != new.get("KmsKeyId"):
            if new.get("KmsKeyId"):
                await ctx.call(
                    "logs", "AssociateKmsKey", {"logGroupName": name, "kmsKeyId": new["KmsKeyId"]}
                )
            else:
                await ctx.call("logs", "DisassociateKmsKey", {"logGroupName": name})
        if old.get("DataProtectionPolicy") != new.get("DataProtectionPolicy"):
            if new.get("DataProtectionPolicy"):
                await _put_protection(ctx, name, new["DataProtectionPolicy"])
            else:
                await ctx.call("logs", "DeleteDataProtectionPolicy", {"logGroupIdentifier": name})
        if old.get("RetentionInDays") != new.get("RetentionInDays"):
            if new.get("RetentionInDays") is None:
                await ctx.call("logs", "DeleteRetentionPolicy", {"logGroupName": name})
            else:
                await ctx.call(
                    "logs",
                    "PutRetentionPolicy",
                    {"logGroupName": name, "retentionInDays": new["RetentionInDays"]},
                )
        before, after = tag_map(old.get("Tags")), tag_map(new.get("Tags"))
        arn = ctx.arn("logs", f"log-group:{name}")
        gone = [k for k in before if k not in after]
        if gone:
            await ctx.call("logs", "UntagResource", {"resourceArn": arn, "tagKeys": gone})
        if after and after != before:
            await ctx.call("logs", "TagResource", {"resourceArn": arn, "tags": after})
        return current

    def replaces(self, old: dict[str, Any], new: dict[str, Any]) -> bool:
        return any(old.get(p) != new.get(p) for p in ("LogGroupName", "LogGroupClass"))

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(
            ctx.call("logs", "DeleteLogGroup", {"logGroupName": current.physical_id})
        )


async def _put_protection(ctx: Provisioning, group: str, document: Any) -> None:
    """A template's DataProtectionPolicy (a JSON object) on its group."""
    text = document if isinstance(document, str) else json.dumps(document)
    await ctx.call(
        "logs",
        "PutDataProtectionPolicy",
        {"logGroupIdentifier": group, "policyDocument": text},
    )


class LogStreamHandler(Handler):
    required = ("LogGroupName",)

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        name = props.get("LogStreamName") or ctx.physical_name(logical_id, 512)
        await ctx.call(
            "logs",
            "CreateLogStream",
            {"logGroupName": props["LogGroupName"], "logStreamName": name},
        )
        return Provisioned(name)

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(
            ctx.call(
                "logs",
                "DeleteLogStream",
                {"logGroupName": props["LogGroupName"], "logStreamName": current.physical_id},
            )
        )


class SubscriptionFilterHandler(Handler):
    required = ("LogGroupName", "FilterPattern", "DestinationArn")

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        name = props.get("FilterName") or ctx.physical_name(logical_id, 512)
        await self._put(ctx, name, props)
        return Provisioned(name)

    async def _put(self, ctx: Provisioning, name: str, props: dict[str, Any]) -> None:
        params: dict[str, Any] = {
            "logGroupName": props["LogGroupName"],
            "filterName": name,
            "filterPattern": props["FilterPattern"],
            "destinationArn": props["DestinationArn"],
        }
        for prop, member in (("RoleArn", "roleArn"), ("Distribution", "distribution")):
            if props.get(prop):
                params[member] = props[prop]
        await ctx.call("logs", "PutSubscriptionFilter", params)

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        if any(old.get(p) != new.get(p) for p in ("FilterName", "LogGroupName")):
            return None
        await self._put(ctx, current.physical_id, new)
        return current

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(
            ctx.call(
                "logs",
                "DeleteSubscriptionFilter",
                {"logGroupName": props["LogGroupName"], "filterName": current.physical_id},
            )
        )


def _transformation(prop: dict[str, Any]) -> dict[str, Any]:
    """A template's MetricTransformation as PutMetricFilter's ``metricTransformations``."""
    out: dict[str, Any] = {
        "metricName": prop.get("MetricName"),
        "metricNamespace": prop.get("MetricNamespace"),
        "metricValue": prop.get("MetricValue"),
    }
    if prop.get("DefaultValue") is not None:
        out["defaultValue"] = float(prop["DefaultValue"])
    if prop.get("Dimensions"):
        out["dimensions"] = {d["Key"]: d["Value"] for d in prop["Dimensions"]}
    if prop.get("Unit"):
        out["unit"] = prop["Unit"]
    return out


class MetricFilterHandler(Handler):
    """A metric filter (kept and listed: no metrics are published here)."""

    required = ("LogGroupName", "FilterPattern", "MetricTransformations")

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        name = props.get("FilterName") or ctx.physical_name(logical_id, 512)
        await self._put(ctx, name, props)
        return Provisioned(name)

    async def _put(self, ctx: Provisioning, name: str, props: dict[str, Any]) -> None:
        params: dict[str, Any] = {
            "logGroupName": props["LogGroupName"],
            "filterName": name,
            "filterPattern": props["FilterPattern"],
            "metricTransformations": [_transformation(t) for t in props["MetricTransformations"]],
        }
        if props.get("ApplyOnTransformedLogs") is not None:
            params["applyOnTransformedLogs"] = props["ApplyOnTransformedLogs"]
        await ctx.call("logs", "PutMetricFilter", params)

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        if any(old.get(p) != new.get(p) for p in ("FilterName", "LogGroupName")):
            return None
        await self._put(ctx, current.physical_id, new)
        return current

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(
            ctx.call(
                "logs",
                "DeleteMetricFilter",
                {"logGroupName": props["LogGroupName"], "filterName": current.physical_id},
            )
        )


class QueryDefinitionHandler(Handler):
    """A saved Logs Insights query; its id is the physical id (Ref and QueryDefinitionId)."""

    required = ("Name", "QueryString")

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        found = await ctx.call("logs", "PutQueryDefinition", self._params(props))
        definition_id = str(found["queryDefinitionId"])
        return Provisioned(definition_id, {"QueryDefinitionId": definition_id})

    @staticmethod
    def _params(props: dict[str, Any]) -> dict[str, Any]:
        params: dict[str, Any] = {"name": props["Name"], "queryString": props["QueryString"]}
        if props.get("LogGroupNames"):
            params["logGroupNames"] = props["LogGroupNames"]
        return params

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        params = self._params(new)
        params["queryDefinitionId"] = current.physical_id
        await ctx.call("logs", "PutQueryDefinition", params)
        return current

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(
            ctx.call("logs", "DeleteQueryDefinition", {"queryDefinitionId": current.physical_id})
        )


class ResourcePolicyHandler(Handler):
    """An account-level resource policy; its name is the physical id (Ref). The document
    is a string in the schema; a template's object is written as JSON, as CloudFormation
    accepts it too."""

    required = ("PolicyName", "PolicyDocument")

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        name = str(props["PolicyName"])
        await self._put(ctx, name, props)
        return Provisioned(name)

    @staticmethod
    async def _put(ctx: Provisioning, name: str, props: dict[str, Any]) -> None:
        document = props["PolicyDocument"]
        if not isinstance(document, str):
            document = json.dumps(document)
        await ctx.call(
            "logs", "PutResourcePolicy", {"policyName": name, "policyDocument": document}
        )

    def replaces(self, old: dict[str, Any], new: dict[str, Any]) -> bool:
        return bool(old.get("PolicyName") != new.get("PolicyName"))

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
        await self._put(ctx, current.physical_id, new)
        return current

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(
            ctx.call("logs", "DeleteResourcePolicy", {"policyName": current.physical_id})
        )
