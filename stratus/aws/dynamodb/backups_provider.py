"""On-demand backups and point-in-time recovery (a mixin of :class:`DynamoDbProvider`):
CreateBackup, DescribeBackup, ListBackups, DeleteBackup, RestoreTableFromBackup,
DescribeContinuousBackups, UpdateContinuousBackups, RestoreTableToPointInTime.

Point-in-time recovery here is honest about what it keeps: no history of old item
versions, so a restore can give the table as it is now, which is also the table as it
was at any instant since its last change. A time before that change is refused with
InvalidRestoreTimeException (docs/tables.md says so).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from stratus.aws.context import RequestContext
from stratus.aws.dynamodb.definitions import indexes
from stratus.aws.dynamodb.describe import table_description
from stratus.services.tables.backups import Backup, Backups, RestoreRequest
from stratus.services.tables.catalog import Catalog
from stratus.services.tables.errors import (
    BackupTableNotFound,
    InvalidRestoreTime,
    RecoveryUnavailable,
    TableAlreadyExists,
    ValidationError,
)
from stratus.services.tables.model import TableDefinition
from stratus.services.tables.service import TableService

Params = dict[str, Any]
DAY_S = 86400.0

INVALID_TIME = (
    "An invalid restore time was specified. RestoreDateTime must be between "
    "EarliestRestorableDateTime and LatestRestorableDateTime."
)


def _time(value: datetime | float) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromtimestamp(value, UTC)


def _epoch(value: Any) -> float:
    if isinstance(value, datetime):
        return value.timestamp()
    return float(value)


class BackupsApi:
    _service: TableService
    _catalog: Catalog
    backups: Backups

    def _backup_table(self, ctx: RequestContext, name: str) -> TableDefinition:
        """The table by name or ARN; these operations answer TableNotFoundException."""
        if name.startswith("arn:"):
            found = self._catalog.by_arn(name)
        else:
            found = self._catalog.find(ctx.account_id, ctx.region, name)
        if found is None:
            raise BackupTableNotFound(name)
        return found

    # -- on-demand backups -----------------------------------------------------------
    async def create_backup(self, ctx: RequestContext, params: Params) -> Params:
        table = self._backup_table(ctx, params["TableName"])
        backup = await self.backups.create(table, params["BackupName"])
        # AWS answers while its copy runs (CREATING, size 0); ours is done already, and
        # DescribeBackup shows it AVAILABLE with its size, as AWS does once it is done.
        details = _details(backup)
        details["BackupStatus"] = "CREATING"
        details["BackupSizeBytes"] = 0
        return {"BackupDetails": details}

    async def describe_backup(self, ctx: RequestContext, params: Params) -> Params:
        backup = self.backups.get(params["BackupArn"])
        return {"BackupDescription": _description(backup)}

    async def delete_backup(self, ctx: RequestContext, params: Params) -> Params:
        backup = await self.backups.delete(params["BackupArn"])
        return {"BackupDescription": _description(backup)}

    async def list_backups(self, ctx: RequestContext, params: Params) -> Params:
        found = self.backups.in_scope(ctx.account_id, ctx.region)
        name = params.get("TableName")
        if name:
            found = [b for b in found if name in (b.table["name"], _table_arn(b))]
        kind = params.get("BackupType", "USER")
        if kind != "ALL":
            found = [b for b in found if b.kind == kind]
        low, high = params.get("TimeRangeLowerBound"), params.get("TimeRangeUpperBound")
        if low is not None:  # inclusive
            found = [b for b in found if b.created >= _epoch(low)]
        if high is not None:  # exclusive
            found = [b for b in found if b.created < _epoch(high)]
        start = params.get("ExclusiveStartBackupArn")
        if start:
            arns = [b.arn for b in found]
            found = found[arns.index(start) + 1 :] if start in arns else []
        limit = params.get("Limit")
        result: Params = {}
        if limit is not None and len(found) > limit:
            found = found[:limit]
            result["LastEvaluatedBackupArn"] = found[-1].arn
        result["BackupSummaries"] = [_summary(b) for b in found]
        return result

    async def restore_table_from_backup(self, ctx: RequestContext, params: Params) -> Params:
        backup = self.backups.get(params["BackupArn"])
        request = _restore_request(ctx, params)
        request.origin = {
            "source_backup_arn": backup.arn,
            "source_table_arn": _table_arn(backup),
            "time": time.time(),
        }
        table = await self.backups.restore(backup, request)
        counts = await self._service.counts(table)
        return {"TableDescription": table_description(table, status="CREATING", counts=counts)}

    # -- point-in-time recovery ------------------------------------------------------
    async def describe_continuous_backups(self, ctx: RequestContext, params: Params) -> Params:
        table = self._backup_table(ctx, params["TableName"])
        return {"ContinuousBackupsDescription": self._continuous(table)}

    async def update_continuous_backups(self, ctx: RequestContext, params: Params) -> Params:
        table = self._backup_table(ctx, params["TableName"])
        spec = params["PointInTimeRecoverySpecification"]
        enabled = bool(spec["PointInTimeRecoveryEnabled"])
        days = spec.get("RecoveryPeriodInDays")  # only meaningful when enabling
        if enabled and not table.pitr_enabled:
            table.pitr_since = time.time()
        table.pitr_enabled = enabled
        table.pitr_days = days if days is not None else (table.pitr_days if enabled else 35)
        await self._catalog.save(table)
        return {"ContinuousBackupsDescription": self._continuous(table)}

    def _continuous(self, table: TableDefinition) -> Params:
        if not table.pitr_enabled:
            recovery: Params = {"PointInTimeRecoveryStatus": "DISABLED"}
        else:
            earliest, latest = self._window(table)
            recovery = {
                "PointInTimeRecoveryStatus": "ENABLED",
                "RecoveryPeriodInDays": table.pitr_days,
                "EarliestRestorableDateTime": _time(earliest),
                "LatestRestorableDateTime": _time(latest),
            }
        return {"ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": recovery}

    @staticmethod
    def _window(table: TableDefinition) -> tuple[float, float]:
        now = time.time()
        return max(table.pitr_since, now - table.pitr_days * DAY_S), now

    async def restore_table_to_point_in_time(self, ctx: RequestContext, params: Params) -> Params:
        arn, name = params.get("SourceTableArn"), params.get("SourceTableName")
        if arn is None and name is None:
            raise ValidationError("Either source table name or source table arn must be provided")
        if arn is not None and name is not None:
            raise ValidationError(
                "Only one of source table name or source table arn can be provided"
            )
        source = self._backup_table(ctx, arn or name or "")
        if not source.pitr_enabled:
            raise RecoveryUnavailable(source.name)
        latest_flag = bool(params.get("UseLatestRestorableTime"))
        when = params.get("RestoreDateTime")
        if latest_flag and when is not None:
            raise ValidationError(
                "Only one of UseLatestRestorableTime or RestoreDateTime can be specified"
            )
        if not latest_flag and when is None:
            raise ValidationError(
                "RestoreDateTime must be specified when UseLatestRestorableTime is false"
            )
        if self._catalog.find(ctx.account_id, ctx.region, params["TargetTableName"]):
            raise TableAlreadyExists(params["TargetTableName"])
        request = _restore_request(ctx, params)
        restore_at = time.time() if when is None else _epoch(when)
        request.origin = {"source_table_arn": source.arn, "time": restore_at}
        service = self._service

        def check() -> None:
            # runs once the restore's snapshot is taken: every write it holds is marked
            earliest, latest = self._window(source)
            if when is None:
                return
            if not earliest <= restore_at <= latest:
                raise InvalidRestoreTime(INVALID_TIME)
            changed = service.last_change(source)
            if restore_at < changed:
                raise InvalidRestoreTime(
                    f"{INVALID_TIME} Stratus keeps no item history: it restores the table "
                    "as of any time after its last change, "
                    f"{_time(changed).isoformat()}."
                )

        table = await self.backups.restore_live(source, request, check)
        counts = await self._service.counts(table)
        return {"TableDescription": table_description(table, status="CREATING", counts=counts)}


def _restore_request(ctx: RequestContext, params: Params) -> RestoreRequest:
    gsis = params.get("GlobalSecondaryIndexOverride")
    lsis = params.get("LocalSecondaryIndexOverride")
    sse = params.get("SSESpecificationOverride")
    return RestoreRequest(
        ctx.account_id,
        ctx.region,
        params["TargetTableName"],
        billing_mode=params.get("BillingModeOverride"),
        provisioned=params.get("ProvisionedThroughputOverride"),
        gsis=indexes(gsis, local=False) if gsis is not None else None,
        lsis=indexes(lsis, local=True) if lsis is not None else None,
        sse=sse if sse and sse.get("Enabled") else None,
    )


def _table_arn(backup: Backup) -> str:
    return f"arn:aws:dynamodb:{backup.region}:{backup.account}:table/{backup.table['name']}"


def _details(backup: Backup) -> Params:
    return {
        "BackupArn": backup.arn,
        "BackupName": backup.name,
        "BackupSizeBytes": backup.size,
        "BackupStatus": backup.status,
        "BackupType": backup.kind,
        "BackupCreationDateTime": _time(backup.created),
    }


def _summary(backup: Backup) -> Params:
    return {
        "TableName": backup.table["name"],
        "TableId": backup.table["table_uid"],
        "TableArn": _table_arn(backup),
        **_details(backup),
    }


def _description(backup: Backup) -> Params:
    """BackupDescription: the backup, and its source table as it was when backed up."""
    table = backup.definition
    described = table_description(table, counts=(backup.count, backup.size, {}))
    source: Params = {
        "TableName": table.name,
        "TableId": table.table_uid,
        "TableArn": table.arn,
        "TableSizeBytes": backup.size,
        "KeySchema": table.keys.to_wire(),
        "TableCreationDateTime": _time(table.created),
        "ProvisionedThroughput": {
            "ReadCapacityUnits": described["ProvisionedThroughput"]["ReadCapacityUnits"],
            "WriteCapacityUnits": described["ProvisionedThroughput"]["WriteCapacityUnits"],
        },
        "ItemCount": backup.count,
        "BillingMode": table.billing_mode,
    }
    features: Params = {}
    for kind in ("LocalSecondaryIndexes", "GlobalSecondaryIndexes"):
        if kind in described:
            features[kind] = [
                {
                    k: v
                    for k, v in index.items()
                    if k in ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput")
                }
                for index in described[kind]
            ]
            for index in features[kind]:
                if "ProvisionedThroughput" in index:
                    index["ProvisionedThroughput"] = {
                        "ReadCapacityUnits": index["ProvisionedThroughput"]["ReadCapacityUnits"],
                        "WriteCapacityUnits": index["ProvisionedThroughput"]["WriteCapacityUnits"],
                    }
    if "StreamSpecification" in described:
        features["StreamDescription"] = described["StreamSpecification"]
    features["TimeToLiveDescription"] = (
        {"TimeToLiveStatus": "ENABLED", "AttributeName": table.ttl_attribute}
        if table.ttl_enabled
        else {"TimeToLiveStatus": "DISABLED"}
    )
    if "SSEDescription" in described:
        features["SSEDescription"] = described["SSEDescription"]
    return {
        "BackupDetails": _details(backup),
        "SourceTableDetails": source,
        "SourceTableFeatureDetails": features,
    }
