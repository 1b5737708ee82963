"""TableDescription as DescribeTable, CreateTable, UpdateTable and DeleteTable answer it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from stratus.services.tables.model import TableDefinition


def table_description(
    table: TableDefinition,
    *,
    status: str | None = None,
    counts: tuple[int, int, dict[str, int]] | None = None,
) -> dict[str, Any]:
    count, size, per_index = counts or (0, 0, {})
    used = set(table.keys.names)
    for index in table.indexes.values():
        used.update(index.keys.names)
    out: dict[str, Any] = {
        "AttributeDefinitions": [
            {"AttributeName": n, "AttributeType": t}
            for n, t in table.attribute_types.items()
            if n in used
        ],
        "TableName": table.name,
        "KeySchema": table.keys.to_wire(),
        "TableStatus": status or table.status,
        "CreationDateTime": datetime.fromtimestamp(table.created, UTC),
        "ProvisionedThroughput": _throughput(table.provisioned, table.billing_mode),
        "TableSizeBytes": size,
        "ItemCount": count,
        "TableArn": table.arn,
        "TableId": table.table_uid,
        "DeletionProtectionEnabled": table.deletion_protection,
    }
    if table.billing_mode == "PAY_PER_REQUEST":
        out["BillingModeSummary"] = {
            "BillingMode": "PAY_PER_REQUEST",
            "LastUpdateToPayPerRequestDateTime": datetime.fromtimestamp(table.created, UTC),
        }
    gsis = [i for i in table.indexes.values() if not i.local]
    lsis = [i for i in table.indexes.values() if i.local]
    if gsis:
        out["GlobalSecondaryIndexes"] = [
            {
                "IndexName": i.name,
                "KeySchema": i.keys.to_wire(),
                "Projection": i.projection.to_wire(),
                "IndexStatus": i.status,
                "ProvisionedThroughput": _throughput(i.provisioned or {}, table.billing_mode),
                "IndexSizeBytes": 0,
                "ItemCount": per_index.get(i.name, 0),
                "IndexArn": f"{table.arn}/index/{i.name}",
            }
            for i in gsis
        ]
    if lsis:
        out["LocalSecondaryIndexes"] = [
            {
                "IndexName": i.name,
                "KeySchema": i.keys.to_wire(),
                "Projection": i.projection.to_wire(),
                "IndexSizeBytes": 0,
                "ItemCount": per_index.get(i.name, 0),
                "IndexArn": f"{table.arn}/index/{i.name}",
            }
            for i in lsis
        ]
    if table.stream.label is not None:
        if table.stream.enabled:
            out["StreamSpecification"] = {
                "StreamEnabled": True,
                "StreamViewType": table.stream.view_type,
            }
        out["LatestStreamLabel"] = table.stream.label
        out["LatestStreamArn"] = table.stream_arn
    if table.sse:
        out["SSEDescription"] = {"Status": "ENABLED", "SSEType": table.sse.get("SSEType", "KMS")}
    if table.restore:
        origin = table.restore
        summary: dict[str, Any] = {
            "RestoreDateTime": datetime.fromtimestamp(origin["time"], UTC),
            "RestoreInProgress": status == "CREATING",
        }
        if origin.get("source_backup_arn"):
            summary["SourceBackupArn"] = origin["source_backup_arn"]
        if origin.get("source_table_arn"):
            summary["SourceTableArn"] = origin["source_table_arn"]
        out["RestoreSummary"] = summary
    if table.table_class:
        out["TableClassSummary"] = {"TableClass": table.table_class}
    if table.replicas:
        out["GlobalTableVersion"] = table.global_version
        # the other regions only, as AWS answers (and terraform's `replica` reads them)
        out["Replicas"] = [replica_description(r, s) for r, s in sorted(table.replicas.items())]
    return out


def replica_description(region: str, settings: dict[str, Any]) -> dict[str, Any]:
    """One ReplicaDescription from the settings a member keeps for it (replicas.py)."""
    out: dict[str, Any] = {"RegionName": region, "ReplicaStatus": settings.get("status", "ACTIVE")}
    if settings.get("kms"):
        out["KMSMasterKeyId"] = settings["kms"]
    if settings.get("throughput"):
        out["ProvisionedThroughputOverride"] = settings["throughput"]
    if settings.get("on_demand"):
        out["OnDemandThroughputOverride"] = settings["on_demand"]
    if settings.get("indexes"):
        out["GlobalSecondaryIndexes"] = settings["indexes"]
    if settings.get("table_class"):
        out["ReplicaTableClassSummary"] = {"TableClass": settings["table_class"]}
    return out


def _throughput(values: dict[str, int], mode: str) -> dict[str, Any]:
    if mode == "PAY_PER_REQUEST":
        return {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
    return {
        "NumberOfDecreasesToday": 0,
        "ReadCapacityUnits": values.get("ReadCapacityUnits", 0),
        "WriteCapacityUnits": values.get("WriteCapacityUnits", 0),
    }
