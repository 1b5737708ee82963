"""AWS::DynamoDB::Table and AWS::DynamoDB::GlobalTable through our own DynamoDB API."""

from __future__ import annotations

import json
from typing import Any

from stratus.services.stacks.errors import ResourceFailed
from stratus.services.stacks.resources.base import (
    Handler,
    Provisioned,
    Provisioning,
    ignore_missing,
    pick,
    tag_list,
)

_TABLE = (
    "AttributeDefinitions",
    "KeySchema",
    "BillingMode",
    "ProvisionedThroughput",
    "GlobalSecondaryIndexes",
    "LocalSecondaryIndexes",
    "StreamSpecification",
    "TableClass",
    "DeletionProtectionEnabled",
    "SSESpecification",
)


def _truthy(value: Any) -> bool:
    """Template booleans arrive as booleans or as the strings "true" / "false"."""
    return value is True or str(value).lower() == "true"


def _gsi_specs(indexes: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """GlobalSecondaryIndexes for CreateTable: without CloudFormation's per-index
    ContributorInsightsSpecification (its own API call, see _apply_settings)."""
    return [
        {k: v for k, v in index.items() if k != "ContributorInsightsSpecification"}
        for index in indexes or []
    ]


def _insights(props: dict[str, Any]) -> dict[str, bool]:
    """Contributor insights wanted, by index name ("" is the table)."""
    wanted: dict[str, bool] = {}
    if "ContributorInsightsSpecification" in props:
        wanted[""] = _truthy(props["ContributorInsightsSpecification"].get("Enabled"))
    for index in props.get("GlobalSecondaryIndexes") or []:
        if "ContributorInsightsSpecification" in index:
            spec = index["ContributorInsightsSpecification"]
            wanted[index["IndexName"]] = _truthy(spec.get("Enabled"))
    return wanted


async def _apply_settings(
    ctx: Provisioning, name: str, arn: str, old: dict[str, Any], new: dict[str, Any]
) -> None:
    """PointInTimeRecoverySpecification, ContributorInsightsSpecification (table and
    indexes), ResourcePolicy and KinesisStreamSpecification, each through the API that
    sets it, only where the template changed it (``old`` is {} on create)."""
    pitr = new.get("PointInTimeRecoverySpecification")
    if pitr != old.get("PointInTimeRecoverySpecification"):
        spec: dict[str, Any] = {
            "PointInTimeRecoveryEnabled": _truthy((pitr or {}).get("PointInTimeRecoveryEnabled"))
        }
        if spec["PointInTimeRecoveryEnabled"] and (pitr or {}).get("RecoveryPeriodInDays"):
            spec["RecoveryPeriodInDays"] = int(pitr["RecoveryPeriodInDays"])  # type: ignore[index]
        if pitr is not None or old.get("PointInTimeRecoverySpecification") is not None:
            await ctx.call(
                "dynamodb",
                "UpdateContinuousBackups",
                {"TableName": name, "PointInTimeRecoverySpecification": spec},
            )
    before, after = _insights(old), _insights(new)
    for index in sorted(set(before) | set(after)):
        enabled = after.get(index, False)
        if before.get(index, False) == enabled:
            continue
        params = {
            "TableName": name,
            "ContributorInsightsAction": "ENABLE" if enabled else "DISABLE",
        }
        if index:
            params["IndexName"] = index
        await ctx.call("dynamodb", "UpdateContributorInsights", params)
    policy = (new.get("ResourcePolicy") or {}).get("PolicyDocument")
    if policy != (old.get("ResourcePolicy") or {}).get("PolicyDocument"):
        if policy is None:
            await ignore_missing(ctx.call("dynamodb", "DeleteResourcePolicy", {"ResourceArn": arn}))
        else:
            text = policy if isinstance(policy, str) else json.dumps(policy)
            await ctx.call("dynamodb", "PutResourcePolicy", {"ResourceArn": arn, "Policy": text})
    kinesis = new.get("KinesisStreamSpecification")
    previous = old.get("KinesisStreamSpecification")
    if kinesis != previous:
        if previous:
            await ctx.call(
                "dynamodb",
                "DisableKinesisStreamingDestination",
                {"TableName": name, "StreamArn": previous["StreamArn"]},
            )
        if kinesis:
            enable: dict[str, Any] = {"TableName": name, "StreamArn": kinesis["StreamArn"]}
            if kinesis.get("ApproximateCreationDateTimePrecision"):
                enable["EnableKinesisStreamingConfiguration"] = {
                    "ApproximateCreationDateTimePrecision": kinesis[
                        "ApproximateCreationDateTimePrecision"
                    ]
                }
            await ctx.call("dynamodb", "EnableKinesisStreamingDestination", enable)


class TableHandler(Handler):
    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        name = props.get("TableName") or ctx.physical_name(logical_id, 255)
        params = {"TableName": name, **pick(props, *_TABLE)}
        if "GlobalSecondaryIndexes" in params:
            params["GlobalSecondaryIndexes"] = _gsi_specs(params["GlobalSecondaryIndexes"])
        if "StreamSpecification" in params:
            params["StreamSpecification"] = {"StreamEnabled": True, **params["StreamSpecification"]}
        if "SSESpecification" in params:
            params["SSESpecification"] = pick(
                params["SSESpecification"], "Enabled", "SSEType", "KMSMasterKeyId"
            )
        if props.get("Tags"):
            params["Tags"] = tag_list(props["Tags"])
        if "ProvisionedThroughput" not in params and params.get("BillingMode") != "PAY_PER_REQUEST":
            params["BillingMode"] = "PAY_PER_REQUEST"
        description = (await ctx.call("dynamodb", "CreateTable", params))["TableDescription"]
        ttl = props.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled") in (True, "true"):
            await ctx.call(
                "dynamodb",
                "UpdateTimeToLive",
                {
                    "TableName": name,
                    "TimeToLiveSpecification": {
                        "Enabled": True,
                        "AttributeName": ttl["AttributeName"],
                    },
                },
            )
        await _apply_settings(ctx, name, description["TableArn"], {}, props)
        attributes = {"Arn": description["TableArn"]}
        if description.get("LatestStreamArn"):
            attributes["StreamArn"] = description["LatestStreamArn"]
        return Provisioned(name, attributes)

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        """In place where UpdateTable can (capacity, billing, stream, indexes added or
        removed, TTL); a new key schema or name replaces the table, as on AWS."""
        if any(
            old.get(k) != new.get(k) for k in ("TableName", "KeySchema", "LocalSecondaryIndexes")
        ):
            return None
        name = current.physical_id
        params: dict[str, Any] = {"TableName": name}
        for key in (
            "BillingMode",
            "ProvisionedThroughput",
            "TableClass",
            "DeletionProtectionEnabled",
        ):
            if new.get(key) != old.get(key) and key in new:
                params[key] = new[key]
        if new.get("StreamSpecification") != old.get("StreamSpecification"):
            spec = new.get("StreamSpecification")
            params["StreamSpecification"] = (
                {"StreamEnabled": True, **spec} if spec else {"StreamEnabled": False}
            )
        old_indexes = {i["IndexName"]: i for i in old.get("GlobalSecondaryIndexes", [])}
        new_indexes = {i["IndexName"]: i for i in new.get("GlobalSecondaryIndexes", [])}
        updates: list[dict[str, Any]] = [
            {"Delete": {"IndexName": n}} for n in old_indexes if n not in new_indexes
        ]
        updates += [
            {"Create": _gsi_specs([i])[0]} for n, i in new_indexes.items() if n not in old_indexes
        ]
        if updates:
            params["GlobalSecondaryIndexUpdates"] = updates
            params["AttributeDefinitions"] = new["AttributeDefinitions"]
        if len(params) > 1:
            await ctx.call("dynamodb", "UpdateTable", params)
        if new.get("TimeToLiveSpecification") != old.get("TimeToLiveSpecification"):
            ttl = new.get("TimeToLiveSpecification") or old.get("TimeToLiveSpecification") or {}
            enabled = new.get("TimeToLiveSpecification", {}).get("Enabled") in (True, "true")
            await ctx.call(
                "dynamodb",
                "UpdateTimeToLive",
                {
                    "TableName": name,
                    "TimeToLiveSpecification": {
                        "Enabled": enabled,
                        "AttributeName": ttl.get("AttributeName", ""),
                    },
                },
            )
        description = (await ctx.call("dynamodb", "DescribeTable", {"TableName": name}))["Table"]
        await _apply_settings(ctx, name, description["TableArn"], old, new)
        attributes = {"Arn": description["TableArn"]}
        if description.get("LatestStreamArn") and description.get("StreamSpecification", {}).get(
            "StreamEnabled"
        ):
            attributes["StreamArn"] = description["LatestStreamArn"]
        return Provisioned(name, attributes)

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(
            ctx.call("dynamodb", "DeleteTable", {"TableName": current.physical_id})
        )


class GlobalTableHandler(TableHandler):
    """AWS::DynamoDB::GlobalTable as the table of the stack's own region plus its replicas.

    The replica in the stack's region is the table: the template's table-wide properties
    with that replica's own settings (PITR, contributor insights, deletion protection,
    table class, tags, resource policy, Kinesis). The replicas of other regions are made
    and removed through UpdateTable's ReplicaUpdates (global tables 2019.11.21), with
    their table class, KMS key and read capacity as overrides; their other per-replica
    settings are not applied (docs/tables.md). A template without a replica in the
    stack's region fails, as on AWS."""

    async def _sync_replicas(
        self, ctx: Provisioning, name: str, old: dict[str, Any] | None, new: dict[str, Any]
    ) -> None:
        """Replicas of other regions: the ones gone deleted, the new ones created (one
        region per UpdateTable, as AWS takes them)."""
        have = {r["Region"] for r in (old or {}).get("Replicas") or []} - {ctx.region}
        want = {r["Region"]: r for r in new.get("Replicas") or [] if r["Region"] != ctx.region}
        for region in sorted(have - set(want)):
            update: dict[str, Any] = {"Delete": {"RegionName": region}}
            await ctx.call(
                "dynamodb", "UpdateTable", {"TableName": name, "ReplicaUpdates": [update]}
            )
        for region in sorted(set(want) - have):
            action = {"RegionName": region, **_replica_overrides(want[region], new)}
            update = {"Create": action}
            await ctx.call(
                "dynamodb", "UpdateTable", {"TableName": name, "ReplicaUpdates": [update]}
            )

    def _as_table(self, ctx: Provisioning, props: dict[str, Any]) -> dict[str, Any]:
        replicas = props.get("Replicas") or []
        local = next((r for r in replicas if r.get("Region") == ctx.region), None)
        if local is None:
            raise ResourceFailed(
                f"Replicas must include a replica in the stack's region ({ctx.region})"
            )
        table: dict[str, Any] = {
            k: props[k]
            for k in (
                "TableName",
                "AttributeDefinitions",
                "KeySchema",
                "LocalSecondaryIndexes",
                "StreamSpecification",
                "TimeToLiveSpecification",
            )
            if k in props
        }
        table["BillingMode"] = props.get("BillingMode", "PROVISIONED")
        if table["BillingMode"] == "PROVISIONED":
            write = (props.get("WriteProvisionedThroughputSettings") or {}).get(
                "WriteCapacityAutoScalingSettings"
            ) or {}
            read = (local.get("ReadProvisionedThroughputSettings") or {}).get(
                "ReadCapacityUnits", 5
            )
            table["ProvisionedThroughput"] = {
                "ReadCapacityUnits": int(read),
                "WriteCapacityUnits": int(write.get("MinCapacity", 5)),
            }
        sse = props.get("SSESpecification")
        if sse:
            table["SSESpecification"] = {
                "Enabled": sse.get("SSEEnabled") in (True, "true"),
                **({"SSEType": sse["SSEType"]} if "SSEType" in sse else {}),
            }
        replica_indexes = {i["IndexName"]: i for i in local.get("GlobalSecondaryIndexes") or []}
        if props.get("GlobalSecondaryIndexes"):
            table["GlobalSecondaryIndexes"] = [
                {
                    **{k: v for k, v in index.items() if not k.endswith("ThroughputSettings")},
                    **pick(
                        replica_indexes.get(index["IndexName"], {}),
                        "ContributorInsightsSpecification",
                    ),
                }
                for index in props["GlobalSecondaryIndexes"]
            ]
        table.update(
            pick(
                local,
                "PointInTimeRecoverySpecification",
                "ContributorInsightsSpecification",
                "DeletionProtectionEnabled",
                "TableClass",
                "Tags",
                "ResourcePolicy",
                "KinesisStreamSpecification",
            )
        )
        if table.get("BillingMode") == "PROVISIONED" and "GlobalSecondaryIndexes" in table:
            for index in table["GlobalSecondaryIndexes"]:
                index["ProvisionedThroughput"] = dict(table["ProvisionedThroughput"])
        return table

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        provisioned = await super().create(ctx, logical_id, self._as_table(ctx, props))
        await self._sync_replicas(ctx, provisioned.physical_id, None, props)
        return await self._with_table_id(ctx, provisioned)

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        updated = await super().update(
            ctx, logical_id, current, self._as_table(ctx, old), self._as_table(ctx, new)
        )
        if updated is None:
            return None
        await self._sync_replicas(ctx, updated.physical_id, old, new)
        return await self._with_table_id(ctx, updated)

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        """Every replica goes with the global table, the other regions' first."""
        try:
            described = await ctx.call(
                "dynamodb", "DescribeTable", {"TableName": current.physical_id}
            )
        except ResourceFailed as exc:
            if "NotFound" not in exc.message:
                raise
            return  # already gone (CloudFormation's delete is idempotent)
        for replica in described["Table"].get("Replicas") or []:
            if replica["RegionName"] != ctx.region:
                update = {"Delete": {"RegionName": replica["RegionName"]}}
                await ctx.call(
                    "dynamodb",
                    "UpdateTable",
                    {"TableName": current.physical_id, "ReplicaUpdates": [update]},
                )
        await super().delete(ctx, current, props)

    async def _with_table_id(self, ctx: Provisioning, provisioned: Provisioned) -> Provisioned:
        """GlobalTable's GetAtt has TableId too."""
        described = await ctx.call(
            "dynamodb", "DescribeTable", {"TableName": provisioned.physical_id}
        )
        attributes = {**provisioned.attributes, "TableId": described["Table"]["TableId"]}
        return Provisioned(provisioned.physical_id, attributes)


def _replica_overrides(replica: dict[str, Any], props: dict[str, Any]) -> dict[str, Any]:
    """A template replica's settings as a ReplicaUpdates Create's overrides."""
    out: dict[str, Any] = {}
    if replica.get("TableClass"):
        out["TableClassOverride"] = replica["TableClass"]
    kms = (replica.get("SSESpecification") or {}).get("KMSMasterKeyId")
    if kms:
        out["KMSMasterKeyId"] = kms
    read = (replica.get("ReadProvisionedThroughputSettings") or {}).get("ReadCapacityUnits")
    if read is not None and props.get("BillingMode", "PROVISIONED") == "PROVISIONED":
        out["ProvisionedThroughputOverride"] = {"ReadCapacityUnits": int(read)}
    return out
