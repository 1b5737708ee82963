"""The global table operations besides UpdateTable's ReplicaUpdates (a mixin of
:class:`DynamoDbProvider`).

Version 2017.11.29 (Legacy): AWS creates no such global table any more. CreateGlobalTable
answers a ValidationException saying so, the operations naming a global table answer
GlobalTableNotFoundException (for a 2019.11.21 table too: they do not see it) and
ListGlobalTables answers an empty list, as AWS does for an account without legacy global
tables -- which every Stratus account is.

Replica auto scaling (DescribeTableReplicaAutoScaling, UpdateTableReplicaAutoScaling):
the settings are stored on each member table and answered back; Stratus enforces no
capacity, so nothing scales.
"""

from __future__ import annotations

import copy
from typing import Any

from stratus.aws.context import RequestContext
from stratus.services.tables.catalog import Catalog, not_found
from stratus.services.tables.errors import GlobalTableNotFound, TableNotFound, ValidationError
from stratus.services.tables.model import TableDefinition
from stratus.services.tables.replicas import REPLICA_NOT_FOUND

Params = dict[str, Any]

LEGACY_UNSUPPORTED = (
    "DynamoDB global tables version 2017.11.29 is not supported. We recommend using DynamoDB "
    "global tables version 2019.11.21, instead of version 2017.11.29 (Legacy)."
)
_ROLE = (
    "arn:aws:iam::{account}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/"
    "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"
)


class GlobalTablesApi:
    _catalog: Catalog

    # -- version 2017.11.29 (Legacy) -------------------------------------------------
    async def create_global_table(self, ctx: RequestContext, params: Params) -> Params:
        raise ValidationError(LEGACY_UNSUPPORTED)

    async def describe_global_table(self, ctx: RequestContext, params: Params) -> Params:
        raise GlobalTableNotFound(params["GlobalTableName"])

    async def update_global_table(self, ctx: RequestContext, params: Params) -> Params:
        raise GlobalTableNotFound(params["GlobalTableName"])

    async def describe_global_table_settings(self, ctx: RequestContext, params: Params) -> Params:
        raise GlobalTableNotFound(params["GlobalTableName"])

    async def update_global_table_settings(self, ctx: RequestContext, params: Params) -> Params:
        raise GlobalTableNotFound(params["GlobalTableName"])

    async def list_global_tables(self, ctx: RequestContext, params: Params) -> Params:
        return {"GlobalTables": []}

    # -- replica auto scaling --------------------------------------------------------
    def _scaled(self, ctx: RequestContext, name: str) -> TableDefinition:
        table = self._catalog.find(ctx.account_id, ctx.region, name)
        if table is None:
            raise not_found(name)
        return table

    async def describe_table_replica_auto_scaling(
        self, ctx: RequestContext, params: Params
    ) -> Params:
        table = self._scaled(ctx, params["TableName"])
        return {"TableAutoScalingDescription": _description(self._catalog, table)}

    async def update_table_replica_auto_scaling(
        self, ctx: RequestContext, params: Params
    ) -> Params:
        table = self._scaled(ctx, params["TableName"])
        if table.billing_mode == "PAY_PER_REQUEST":
            raise ValidationError(
                "One or more parameter values were invalid: Auto scaling cannot be configured "
                "for a table in PAY_PER_REQUEST billing mode"
            )
        members = {t.region: t for t in [table, *self._catalog.peers(table)]}
        # every change checked before any is applied
        for update in params.get("GlobalSecondaryIndexUpdates") or []:
            _check_index(table, update.get("IndexName", ""))
        for update in params.get("ReplicaUpdates") or []:
            member = members.get(update["RegionName"])
            if member is None:
                raise ValidationError(REPLICA_NOT_FOUND)
            for index_update in update.get("ReplicaGlobalSecondaryIndexUpdates") or []:
                _check_index(member, index_update.get("IndexName", ""))
        staged = {region: copy.deepcopy(m.autoscaling) for region, m in members.items()}
        kinds = ("DynamoDBWriteCapacityUtilization", "DynamoDBReadCapacityUtilization")
        write = params.get("ProvisionedWriteCapacityAutoScalingUpdate")
        for settings in staged.values():
            # write capacity scales alike in every region of a global table
            if write is not None:
                settings["write"] = _merge(settings.get("write"), write, table, kinds[0])
            for update in params.get("GlobalSecondaryIndexUpdates") or []:
                spec = update.get("ProvisionedWriteCapacityAutoScalingUpdate")
                if spec is not None:
                    index = settings.setdefault("indexes", {}).setdefault(update["IndexName"], {})
                    index["write"] = _merge(index.get("write"), spec, table, kinds[0])
        for update in params.get("ReplicaUpdates") or []:
            settings = staged[update["RegionName"]]
            read = update.get("ReplicaProvisionedReadCapacityAutoScalingUpdate")
            if read is not None:
                settings["read"] = _merge(settings.get("read"), read, table, kinds[1])
            for index_update in update.get("ReplicaGlobalSecondaryIndexUpdates") or []:
                spec = index_update.get("ProvisionedReadCapacityAutoScalingUpdate")
                if spec is not None:
                    name = index_update["IndexName"]
                    index = settings.setdefault("indexes", {}).setdefault(name, {})
                    index["read"] = _merge(index.get("read"), spec, table, kinds[1])
        for region, member in members.items():
            if staged[region] != member.autoscaling:
                member.autoscaling = staged[region]
                await self._catalog.save(member)
        return {"TableAutoScalingDescription": _description(self._catalog, table)}


def _check_index(table: TableDefinition, name: str) -> None:
    index = table.index(name)
    if index is None or index.local:
        raise TableNotFound(f"Requested resource not found: Index: {name} not found")


def _merge(
    current: dict[str, Any] | None,
    update: dict[str, Any],
    table: TableDefinition,
    kind: str,
) -> dict[str, Any]:
    """An AutoScalingSettingsUpdate over the stored AutoScalingSettingsDescription."""
    out: dict[str, Any] = copy.deepcopy(current) if current else {"AutoScalingDisabled": False}
    for member in ("MinimumUnits", "MaximumUnits", "AutoScalingDisabled", "AutoScalingRoleArn"):
        if member in update:
            out[member] = update[member]
    out.setdefault("AutoScalingRoleArn", _ROLE.format(account=table.account))
    low, high = out.get("MinimumUnits"), out.get("MaximumUnits")
    if low is not None and high is not None and low > high:
        raise ValidationError(
            "One or more parameter values were invalid: MinimumUnits must be less than or "
            f"equal to MaximumUnits (MinimumUnits: {low}, MaximumUnits: {high})"
        )
    policy = update.get("ScalingPolicyUpdate")
    if policy is not None:
        name = policy.get("PolicyName") or f"{kind}:table/{table.name}"
        policies = [p for p in out.get("ScalingPolicies", []) if p["PolicyName"] != name]
        policies.append(
            {
                "PolicyName": name,
                "TargetTrackingScalingPolicyConfiguration": dict(
                    policy["TargetTrackingScalingPolicyConfiguration"]
                ),
            }
        )
        out["ScalingPolicies"] = policies
    return out


_DISABLED: dict[str, Any] = {"AutoScalingDisabled": True}


def _description(catalog: Catalog, table: TableDefinition) -> dict[str, Any]:
    """TableAutoScalingDescription: every member of the table's global table (or the table
    alone), its settings as stored, AutoScalingDisabled where none were set."""
    members = sorted([table, *catalog.peers(table)], key=lambda t: t.region)
    replicas = []
    for member in members:
        settings = member.autoscaling
        indexes = settings.get("indexes", {})
        replicas.append(
            {
                "RegionName": member.region,
                "GlobalSecondaryIndexes": [
                    {
                        "IndexName": index.name,
                        "IndexStatus": index.status,
                        "ProvisionedReadCapacityAutoScalingSettings": indexes.get(
                            index.name, {}
                        ).get("read", _DISABLED),
                        "ProvisionedWriteCapacityAutoScalingSettings": indexes.get(
                            index.name, {}
                        ).get("write", _DISABLED),
                    }
                    for index in member.indexes.values()
                    if not index.local
                ],
                "ReplicaProvisionedReadCapacityAutoScalingSettings": settings.get(
                    "read", _DISABLED
                ),
                "ReplicaProvisionedWriteCapacityAutoScalingSettings": settings.get(
                    "write", _DISABLED
                ),
                "ReplicaStatus": "ACTIVE",
            }
        )
    return {"TableName": table.name, "TableStatus": table.status, "Replicas": replicas}
