"""The log service's exceptions; the Logs API's table (``aws/logs/provider.py``) gives
each its AWS code and message.

    LogsError
     +-- LogGroupNotFound        no such group (neither created nor a function's)
     +-- LogStreamNotFound       no such stream in the group
     +-- FilterNotFound          no subscription or metric filter of that name
     +-- GroupAlreadyExists      CreateLogGroup of a name in use
     +-- StreamAlreadyExists     CreateLogStream of a name in use
     +-- InvalidParameter        a value AWS refuses beyond the model's constraints
     +-- LimitExceeded           more filters per group than AWS allows
     +-- QueryNotFound           no Logs Insights query (or definition) of that id
     +-- MalformedQuery          a Logs Insights query the parser cannot read
     +-- PolicyNotFound          no resource (or data protection) policy of that name
     +-- RevisionMismatch        a resource policy's expectedRevisionId is not its own
     +-- ExportTaskNotFound      no export task of that id
     +-- InvalidOperation        cancelling an export task that already ended
     +-- RecordNotFound          GetLogRecord of an event no longer kept
"""

from __future__ import annotations


class LogsError(Exception):
    """Base of the log service's refusals; ``message`` is AWS's wording."""

    message = "The request is not valid."

    def __init__(self, message: str | None = None) -> None:
        if message is not None:
            self.message = message
        super().__init__(self.message)


class LogGroupNotFound(LogsError):
    message = "The specified log group does not exist."


class LogStreamNotFound(LogsError):
    message = "The specified log stream does not exist."


class FilterNotFound(LogsError):
    message = "The specified subscription filter does not exist."


class GroupAlreadyExists(LogsError):
    message = "The specified log group already exists"


class StreamAlreadyExists(LogsError):
    message = "The specified log stream already exists"


class InvalidParameter(LogsError):
    pass


class LimitExceeded(LogsError):
    message = "Resource limit exceeded."


class QueryNotFound(LogsError):
    message = "Query does not exist."


class MalformedQuery(LogsError):
    """A Logs Insights query the parser cannot read; the offsets name the token."""

    def __init__(self, message: str, start: int, end: int) -> None:
        super().__init__(message)
        self.start = start
        self.end = end


class PolicyNotFound(LogsError):
    message = "The specified policy does not exist."


class RevisionMismatch(LogsError):
    message = "The expected revision id does not match the current revision id."


class ExportTaskNotFound(LogsError):
    message = "The specified export task does not exist."


class InvalidOperation(LogsError):
    pass


class RecordNotFound(LogsError):
    message = "The specified log record does not exist."
