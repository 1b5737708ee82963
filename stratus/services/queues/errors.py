"""The queue service's exceptions; the SQS adapter maps each to AWS's error.

::

    QueueError                      base; ``message`` is what the client reads
     ├── QueueNotFound              no queue of that name (or URL, or ARN) in the scope
     ├── QueueNameExists            CreateQueue: same name, different attributes
     ├── InvalidAttributeName       an attribute name the queue does not have
     ├── InvalidAttributeValue      a queue attribute value out of range or malformed
     ├── InvalidParameterValue      any other parameter AWS rejects by value
     ├── MissingParameter           a parameter the queue type requires (MessageGroupId)
     ├── InvalidMessageContents     a body with characters outside XML's set
     ├── ReceiptHandleIsInvalid     a receipt handle we never issued
     ├── MessageNotInflight         ChangeMessageVisibility of a visible message
     ├── PurgeQueueInProgress       a second PurgeQueue within 60 seconds
     ├── OverLimit                  a quota (tags, permissions, in-flight messages)
     ├── ResourceNotFound           a message move task or its source does not exist
     ├── UnsupportedOperation       an operation the queue cannot do (e.g. move task on
     │                              a queue that is no dead-letter queue)
     └── BatchError                 the batch as a whole is refused
          ├── EmptyBatchRequest
          ├── TooManyEntriesInBatchRequest
          ├── BatchEntryIdsNotDistinct
          ├── InvalidBatchEntryId
          └── BatchRequestTooLong

Messages are AWS's, quoted from its API reference or from recorded responses, because
client libraries and tests match on them. No AWS codes live here: the adapter's table
(``stratus/aws/sqs/errors.py``) names them.
"""

from __future__ import annotations

__all__ = [
    "BatchEntryIdsNotDistinct",
    "BatchError",
    "BatchRequestTooLong",
    "EmptyBatchRequest",
    "InvalidAttributeName",
    "InvalidAttributeValue",
    "InvalidBatchEntryId",
    "InvalidMessageContents",
    "InvalidParameterValue",
    "MessageNotInflight",
    "MissingParameter",
    "OverLimit",
    "PurgeQueueInProgress",
    "QueueError",
    "QueueNameExists",
    "QueueNotFound",
    "ReceiptHandleIsInvalid",
    "ResourceNotFound",
    "TooManyEntriesInBatchRequest",
    "UnsupportedOperation",
]


class QueueError(Exception):
    """Base of every queue error; ``message`` is what the client reads."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class QueueNotFound(QueueError):
    """No such queue in the caller's account and region."""

    def __init__(self, message: str = "The specified queue does not exist.") -> None:
        super().__init__(message)


class QueueNameExists(QueueError):
    """CreateQueue named an existing queue with different attributes."""


class InvalidAttributeName(QueueError):
    """An attribute name the queue (or its type) does not have."""


class InvalidAttributeValue(QueueError):
    """A queue attribute value out of its range or malformed."""


class InvalidParameterValue(QueueError):
    """A request parameter AWS rejects by its value."""


class MissingParameter(QueueError):
    """A parameter the queue's type requires is absent."""


class InvalidMessageContents(QueueError):
    """The body holds characters outside the allowed set."""


class ReceiptHandleIsInvalid(QueueError):
    """The receipt handle was not issued by this queue."""


class MessageNotInflight(QueueError):
    """The message of the receipt handle is not in flight."""


class PurgeQueueInProgress(QueueError):
    """The queue was purged less than 60 seconds ago."""


class OverLimit(QueueError):
    """A quota is reached."""


class ResourceNotFound(QueueError):
    """A message move task (or the queue it names) does not exist."""


class UnsupportedOperation(QueueError):
    """The operation does not apply to this queue."""


class BatchError(QueueError):
    """The batch request as a whole is refused."""


class EmptyBatchRequest(BatchError):
    """The batch has no entries."""


class TooManyEntriesInBatchRequest(BatchError):
    """More than 10 entries."""


class BatchEntryIdsNotDistinct(BatchError):
    """Two entries share an Id."""


class InvalidBatchEntryId(BatchError):
    """An entry Id breaks the pattern (alphanumerics, - and _, at most 80)."""


class BatchRequestTooLong(BatchError):
    """The entries' messages together exceed the size limit."""
