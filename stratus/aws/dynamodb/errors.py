"""The tables service's exceptions as DynamoDB and DynamoDB Streams answer them."""

from __future__ import annotations

from typing import Any

from stratus.aws.protocol.error_table import ErrorRule, ErrorTable
from stratus.services.tables import errors as te


def _condition_fields(exc: BaseException) -> dict[str, Any]:
    assert isinstance(exc, te.ConditionFailed)
    return {"Item": exc.item} if exc.item is not None else {}


def _cancel_fields(exc: BaseException) -> dict[str, Any]:
    assert isinstance(exc, te.TransactionCanceled)
    reasons = []
    for reason in exc.reasons:
        entry: dict[str, Any] = {"Code": reason.code}
        if reason.message is not None:
            entry["Message"] = reason.message
        if reason.item is not None:
            entry["Item"] = reason.item
        reasons.append(entry)
    return {"CancellationReasons": reasons}


DYNAMODB_ERRORS = ErrorTable(
    {
        te.ValidationError: ErrorRule("ValidationException", 400),
        te.TableNotFound: ErrorRule("ResourceNotFoundException"),
        te.StreamNotFound: ErrorRule("ResourceNotFoundException"),
        te.TableInUse: ErrorRule("ResourceInUseException"),
        te.ConditionFailed: ErrorRule("ConditionalCheckFailedException", fields=_condition_fields),
        te.DuplicateItem: ErrorRule("DuplicateItemException"),
        te.TransactionCanceled: ErrorRule("TransactionCanceledException", fields=_cancel_fields),
        te.TransactionInProgress: ErrorRule("TransactionInProgressException"),
        te.IdempotentMismatch: ErrorRule("IdempotentParameterMismatchException"),
        te.LimitExceeded: ErrorRule("LimitExceededException"),
        te.ItemCollectionTooLarge: ErrorRule("ItemCollectionSizeLimitExceededException"),
        te.ExpiredIterator: ErrorRule("ExpiredIteratorException"),
        te.TrimmedData: ErrorRule("TrimmedDataAccessException"),
        te.BackupTableNotFound: ErrorRule("TableNotFoundException"),
        te.TableAlreadyExists: ErrorRule("TableAlreadyExistsException"),
        te.BackupNotFound: ErrorRule("BackupNotFoundException"),
        te.BackupInUse: ErrorRule("BackupInUseException"),
        te.RecoveryUnavailable: ErrorRule("PointInTimeRecoveryUnavailableException"),
        te.InvalidRestoreTime: ErrorRule("InvalidRestoreTimeException"),
        te.PolicyNotFound: ErrorRule("PolicyNotFoundException"),
        te.ExportNotFound: ErrorRule("ExportNotFoundException"),
        te.ImportNotFound: ErrorRule("ImportNotFoundException"),
        te.ExportConflict: ErrorRule("ExportConflictException"),
        te.ImportConflict: ErrorRule("ImportConflictException"),
        te.InvalidExportTime: ErrorRule("InvalidExportTimeException"),
        te.GlobalTableNotFound: ErrorRule("GlobalTableNotFoundException"),
        te.TablesError: ErrorRule("ValidationException", 400),
    }
)
