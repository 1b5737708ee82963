"""The tables service's exceptions, one tree (the adapter maps each to DynamoDB's error)::

TablesError
 +-- ValidationError                 bad input (ValidationException)
 +-- TableNotFound                   ResourceNotFoundException
 +-- TableInUse                      ResourceInUseException
 +-- ConditionFailed                 ConditionalCheckFailedException (may carry the item)
 +-- TransactionCanceled             TransactionCanceledException (reasons in order)
 +-- TransactionInProgress           TransactionInProgressException
 +-- IdempotentMismatch              IdempotentParameterMismatchException
 +-- LimitExceeded                   LimitExceededException
 +-- ItemCollectionTooLarge          ItemCollectionSizeLimitExceededException
 +-- StreamNotFound                  ResourceNotFoundException (DynamoDB Streams)
 +-- ExpiredIterator                 ExpiredIteratorException
 +-- TrimmedData                     TrimmedDataAccessException
 +-- BackupTableNotFound             TableNotFoundException (backups, point in time)
 +-- TableAlreadyExists              TableAlreadyExistsException (restores)
 +-- BackupNotFound                  BackupNotFoundException
 +-- BackupInUse                     BackupInUseException
 +-- RecoveryUnavailable             PointInTimeRecoveryUnavailableException
 +-- InvalidRestoreTime              InvalidRestoreTimeException
 +-- PolicyNotFound                  PolicyNotFoundException (resource policies)
 +-- ExportNotFound                  ExportNotFoundException
 +-- ImportNotFound                  ImportNotFoundException
 +-- ExportConflict                  ExportConflictException (a ClientToken reused)
 +-- ImportConflict                  ImportConflictException (a ClientToken reused)
 +-- InvalidExportTime               InvalidExportTimeException
 +-- GlobalTableNotFound             GlobalTableNotFoundException (version 2017.11.29)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class TablesError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(TablesError):
    pass


class TableNotFound(TablesError):
    pass


class TableInUse(TablesError):
    pass


class ConditionFailed(TablesError):
    def __init__(self, item: dict[str, Any] | None = None) -> None:
        super().__init__("The conditional request failed")
        self.item = item


class DuplicateItem(TablesError):
    def __init__(self) -> None:
        super().__init__("Duplicate primary key exists in table")


@dataclass(frozen=True, slots=True)
class CancellationReason:
    code: str  # "None", "ConditionalCheckFailed", "ValidationError", ...
    message: str | None = None
    item: dict[str, Any] | None = None


class TransactionCanceled(TablesError):
    def __init__(self, reasons: list[CancellationReason]) -> None:
        codes = ", ".join(r.code for r in reasons)
        super().__init__(
            "Transaction cancelled, please refer cancellation reasons for specific reasons "
            f"[{codes}]"
        )
        self.reasons = reasons


class TransactionInProgress(TablesError):
    pass


class IdempotentMismatch(TablesError):
    pass


class LimitExceeded(TablesError):
    pass


class ItemCollectionTooLarge(TablesError):
    pass


class StreamNotFound(TablesError):
    pass


class ExpiredIterator(TablesError):
    pass


class TrimmedData(TablesError):
    pass


def invalid(detail: str) -> ValidationError:
    """DynamoDB's most common validation message prefix."""
    return ValidationError(f"One or more parameter values were invalid: {detail}")


class BackupTableNotFound(TablesError):
    """The backup and point-in-time operations answer a missing table with their own
    code (TableNotFoundException), not ResourceNotFoundException."""

    def __init__(self, name: str) -> None:
        super().__init__(f"Table not found: {name}")


class TableAlreadyExists(TablesError):
    def __init__(self, name: str) -> None:
        super().__init__(f"Table already exists: {name}")


class BackupNotFound(TablesError):
    def __init__(self, arn: str) -> None:
        super().__init__(f"Backup not found: {arn}")


class BackupInUse(TablesError):
    pass


class RecoveryUnavailable(TablesError):
    def __init__(self, name: str) -> None:
        super().__init__(f"Point in time recovery is not enabled for table '{name}'")


class InvalidRestoreTime(TablesError):
    pass


class PolicyNotFound(TablesError):
    pass


class ExportNotFound(TablesError):
    pass


class ImportNotFound(TablesError):
    pass


class ExportConflict(TablesError):
    """A ClientToken reused within 8 hours with other parameters (exports)."""


class ImportConflict(TablesError):
    """A ClientToken reused within 8 hours with other parameters (imports)."""


class InvalidExportTime(TablesError):
    pass


class GlobalTableNotFound(TablesError):
    """Every global table of version 2017.11.29 (Legacy) is unknown: AWS creates none any
    more, and the legacy operations do not see version 2019.11.21 tables."""

    def __init__(self, name: str) -> None:
        super().__init__(f"Global table with name '{name}' does not exist.")
