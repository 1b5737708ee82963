"""The queue service's exceptions as SQS answers them: one table.

Codes are the error shapes of SQS's JSON model (botocore reports the query-compatible
code from ``x-amzn-query-error``, e.g. ``AWS.SimpleQueueService.NonExistentQueue``, which
the JSON serializer adds); ``InvalidParameterValue`` and ``MissingParameter`` are SQS's
common errors (API reference, "Common Errors").
"""

from __future__ import annotations

from stratus.aws.protocol.error_table import ErrorRule, ErrorTable
from stratus.services.queues import errors as qe

__all__ = ["SQS_ERRORS"]

SQS_ERRORS = ErrorTable(
    {
        qe.QueueNotFound: ErrorRule("QueueDoesNotExist"),
        qe.QueueNameExists: ErrorRule("QueueNameExists"),
        qe.InvalidAttributeName: ErrorRule("InvalidAttributeName"),
        qe.InvalidAttributeValue: ErrorRule("InvalidAttributeValue"),
        qe.InvalidParameterValue: ErrorRule("InvalidParameterValue", 400),
        qe.MissingParameter: ErrorRule("MissingParameter", 400),
        qe.InvalidMessageContents: ErrorRule("InvalidMessageContents"),
        qe.ReceiptHandleIsInvalid: ErrorRule("ReceiptHandleIsInvalid"),
        qe.MessageNotInflight: ErrorRule("MessageNotInflight"),
        qe.PurgeQueueInProgress: ErrorRule("PurgeQueueInProgress"),
        qe.OverLimit: ErrorRule("OverLimit"),
        qe.ResourceNotFound: ErrorRule("ResourceNotFoundException"),
        qe.UnsupportedOperation: ErrorRule("UnsupportedOperation"),
        qe.EmptyBatchRequest: ErrorRule("EmptyBatchRequest"),
        qe.TooManyEntriesInBatchRequest: ErrorRule("TooManyEntriesInBatchRequest"),
        qe.BatchEntryIdsNotDistinct: ErrorRule("BatchEntryIdsNotDistinct"),
        qe.InvalidBatchEntryId: ErrorRule("InvalidBatchEntryId"),
        qe.BatchRequestTooLong: ErrorRule("BatchRequestTooLong"),
        qe.QueueError: ErrorRule("InvalidParameterValue", 400),
    }
)

#: The code a batch entry's failure carries (``BatchResultErrorEntry.Code``).
ENTRY_CODES: dict[type[qe.QueueError], str] = {
    qe.InvalidMessageContents: "InvalidMessageContents",
    qe.MissingParameter: "MissingParameter",
    qe.ReceiptHandleIsInvalid: "ReceiptHandleIsInvalid",
    qe.MessageNotInflight: "MessageNotInflight",
}


def entry_code(error: qe.QueueError) -> str:
    for kind in type(error).__mro__:
        if kind in ENTRY_CODES:
            return ENTRY_CODES[kind]
    return "InvalidParameterValue"
