"""Exports to and imports from S3 (a mixin of :class:`DynamoDbProvider`):
ExportTableToPointInTime, DescribeExport, ListExports, ImportTable, DescribeImport,
ListImports.

Formats: DYNAMODB_JSON and ION (Ion text, ion_text.py) both ways, CSV for imports. What
Stratus leaves out, and says so with a ValidationException: incremental exports. An export's time is bounded as a point-in-time restore's
is: no item history is kept, so the time must be after the table's last change
(backups_provider.py, docs/tables.md).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from stratus.aws.context import RequestContext
from stratus.aws.dynamodb.definitions import indexes, key_schema
from stratus.services.tables.backups import Snapshot
from stratus.services.tables.catalog import Catalog
from stratus.services.tables.errors import (
    BackupTableNotFound,
    InvalidExportTime,
    RecoveryUnavailable,
    ValidationError,
)
from stratus.services.tables.exports import Export, ExportRequest, Exports
from stratus.services.tables.imports import Import, Imports, TableSpec
from stratus.services.tables.service import TableService
from stratus.services.tables.transfer_formats import ZSTD_AVAILABLE

Params = dict[str, Any]
DAY_S = 86400.0
OUTSIDE_WINDOW = "The specified ExportTime is outside of the point in time recovery window."


def _time(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def _epoch(value: Any) -> float:
    return value.timestamp() if isinstance(value, datetime) else float(value)


def _fingerprint(params: Params) -> dict[str, Any]:
    """A request's parameters but its ClientToken, comparable across requests."""
    return {k: str(v) for k, v in sorted(params.items()) if k != "ClientToken"}


def _page(arns: list[str], token: str | None, size: int) -> tuple[int, int]:
    start = 0
    if token:
        if token not in arns:
            raise ValidationError("Invalid NextToken")
        start = arns.index(token)
    return start, start + size


class TransfersApi:
    _service: TableService
    _catalog: Catalog

    # -- exports ---------------------------------------------------------------------
    async def export_table_to_point_in_time(self, ctx: RequestContext, params: Params) -> Params:
        exports: Exports = self._service.exports
        table = self._catalog.by_arn(params["TableArn"])
        if table is None or table.account != ctx.account_id:
            raise BackupTableNotFound(params["TableArn"])
        if not table.pitr_enabled:
            raise RecoveryUnavailable(table.name)
        export_format = params.get("ExportFormat", "DYNAMODB_JSON")
        export_type = params.get("ExportType", "FULL_EXPORT")
        if export_type != "FULL_EXPORT" or "IncrementalExportSpecification" in params:
            raise ValidationError(
                "Stratus makes full exports only; ExportType INCREMENTAL_EXPORT is not supported"
            )
        request = ExportRequest(
            bucket=params["S3Bucket"],
            prefix=params.get("S3Prefix"),
            bucket_owner=params.get("S3BucketOwner"),
            sse_algorithm=params.get("S3SseAlgorithm"),
            sse_key=params.get("S3SseKmsKeyId"),
            export_format=export_format,
            export_type=export_type,
            client_token=params.get("ClientToken"),
            fingerprint=_fingerprint(params),
        )
        earlier = exports.by_token(ctx.account_id, ctx.region, request)
        if earlier is not None:
            return {"ExportDescription": _export_description(earlier)}
        now = time.time()
        when = now if params.get("ExportTime") is None else _epoch(params["ExportTime"])
        earliest = max(table.pitr_since, now - table.pitr_days * DAY_S)
        if not earliest <= when <= now:
            raise InvalidExportTime(OUTSIDE_WINDOW)
        snapshot = Snapshot(self._service.db.path)
        await snapshot.open()
        changed = self._service.last_change(table)
        if when < changed:  # the snapshot holds every write before this check
            await snapshot.close()
            raise InvalidExportTime(
                f"{OUTSIDE_WINDOW} Stratus keeps no item history: it exports the table as of "
                f"any time after its last change, {_time(changed)}."
            )
        export = await exports.start(table, request, snapshot, when)
        return {"ExportDescription": _export_description(export)}

    async def describe_export(self, ctx: RequestContext, params: Params) -> Params:
        export = self._service.exports.get(params["ExportArn"], ctx.account_id)
        return {"ExportDescription": _export_description(export)}

    async def list_exports(self, ctx: RequestContext, params: Params) -> Params:
        found = self._service.exports.in_scope(ctx.account_id, ctx.region)
        table_arn = params.get("TableArn")
        if table_arn:
            found = [e for e in found if e.table_arn == table_arn]
        start, end = _page(
            [e.arn for e in found], params.get("NextToken"), params.get("MaxResults", 25)
        )
        result: Params = {
            "ExportSummaries": [
                {"ExportArn": e.arn, "ExportStatus": e.status, "ExportType": e.export_type}
                for e in found[start:end]
            ]
        }
        if end < len(found):
            result["NextToken"] = found[end].arn
        return result

    # -- imports ---------------------------------------------------------------------
    async def import_table(self, ctx: RequestContext, params: Params) -> Params:
        imports: Imports = self._service.imports
        input_format = params["InputFormat"]
        if "InputFormatOptions" in params and input_format != "CSV":
            raise ValidationError("InputFormatOptions can only be specified for CSV input format")
        if params.get("InputCompressionType") == "ZSTD" and not ZSTD_AVAILABLE:
            raise ValidationError(
                "Stratus cannot read ZSTD input here: no zstd library is installed"
            )
        creation = params["TableCreationParameters"]
        spec = _table_spec(creation)
        token = params.get("ClientToken")
        fingerprint = _fingerprint(params)
        earlier = imports.by_token(ctx.account_id, ctx.region, token, fingerprint)
        if earlier is not None:
            return {"ImportTableDescription": _import_description(earlier)}
        job = await imports.start(ctx.account_id, ctx.region, spec, params, token, fingerprint)
        return {"ImportTableDescription": _import_description(job)}

    async def describe_import(self, ctx: RequestContext, params: Params) -> Params:
        job = self._service.imports.get(params["ImportArn"], ctx.account_id)
        return {"ImportTableDescription": _import_description(job)}

    async def list_imports(self, ctx: RequestContext, params: Params) -> Params:
        found = self._service.imports.in_scope(ctx.account_id, ctx.region)
        table_arn = params.get("TableArn")
        if table_arn:
            found = [i for i in found if i.table_arn == table_arn]
        start, end = _page(
            [i.arn for i in found], params.get("NextToken"), params.get("PageSize", 25)
        )
        result: Params = {"ImportSummaryList": [_import_summary(i) for i in found[start:end]]}
        if end < len(found):
            result["NextToken"] = found[end].arn
        return result


def _table_spec(creation: Params) -> TableSpec:
    billing = creation.get("BillingMode", "PROVISIONED")
    provisioned = creation.get("ProvisionedThroughput")
    if billing == "PROVISIONED" and provisioned is None:
        raise ValidationError(
            "One or more parameter values were invalid: ReadCapacityUnits and "
            "WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"
        )
    if billing == "PAY_PER_REQUEST" and provisioned is not None:
        raise ValidationError(
            "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
            "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"
        )
    sse = creation.get("SSESpecification")
    return TableSpec(
        name=creation["TableName"],
        keys=key_schema(creation["KeySchema"]),
        attribute_types={
            a["AttributeName"]: a["AttributeType"] for a in creation["AttributeDefinitions"]
        },
        gsis=indexes(creation.get("GlobalSecondaryIndexes"), local=False),
        billing_mode=billing,
        provisioned=provisioned,
        sse=sse if sse and sse.get("Enabled") else None,
    )


def _export_description(export: Export) -> Params:
    described: Params = {
        "ExportArn": export.arn,
        "ExportStatus": export.status,
        "StartTime": _time(export.start_time),
        "TableArn": export.table_arn,
        "TableId": export.table_id,
        "ExportTime": _time(export.export_time),
        "ClientToken": export.client_token,
        "S3Bucket": export.bucket,
        "S3SseAlgorithm": export.sse_algorithm or "AES256",
        "ExportFormat": export.export_format,
        "ExportType": export.export_type,
    }
    if export.prefix is not None:
        described["S3Prefix"] = export.prefix
    if export.bucket_owner is not None:
        described["S3BucketOwner"] = export.bucket_owner
    if export.sse_key is not None:
        described["S3SseKmsKeyId"] = export.sse_key
    if export.status != "IN_PROGRESS":
        described["EndTime"] = _time(export.end_time)
    if export.status == "COMPLETED":
        described["ExportManifest"] = export.manifest
        described["ItemCount"] = export.item_count
        described["BilledSizeBytes"] = export.billed_bytes
    if export.failure_code is not None:
        described["FailureCode"] = export.failure_code
        described["FailureMessage"] = export.failure_message
    return described


def _import_summary(job: Import) -> Params:
    summary: Params = {
        "ImportArn": job.arn,
        "ImportStatus": job.status,
        "TableArn": job.table_arn,
        "S3BucketSource": job.source,
        "InputFormat": job.input_format,
        "StartTime": _time(job.start_time),
    }
    if job.end_time is not None:
        summary["EndTime"] = _time(job.end_time)
    return summary


def _import_description(job: Import) -> Params:
    described: Params = {
        "ImportArn": job.arn,
        "ImportStatus": job.status,
        "TableArn": job.table_arn,
        "TableId": job.table_id,
        "ClientToken": job.client_token,
        "S3BucketSource": job.source,
        "ErrorCount": job.error_count,
        "InputFormat": job.input_format,
        "InputCompressionType": job.compression,
        "TableCreationParameters": job.creation,
        "StartTime": _time(job.start_time),
        "ProcessedSizeBytes": job.processed_bytes,
        "ProcessedItemCount": job.processed_items,
        "ImportedItemCount": job.imported_items,
    }
    if job.format_options is not None:
        described["InputFormatOptions"] = job.format_options
    if job.end_time is not None:
        described["EndTime"] = _time(job.end_time)
    if job.failure_code is not None:
        described["FailureCode"] = job.failure_code
        described["FailureMessage"] = job.failure_message
    return described
