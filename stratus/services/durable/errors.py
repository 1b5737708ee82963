"""The durable execution service's errors (mapped to Lambda's in aws/lambda_/durable.py).

DurableError
 +-- ExecutionNotFound        no such execution (or callback's execution)
 +-- InvalidCheckpointToken   stale, reused or foreign checkpoint token
 +-- InvalidUpdate            an operation update the log cannot take
 +-- AlreadyStarted           the execution name is taken with another input
 +-- CallbackClosed           the callback timed out or already completed
 +-- Conflict                 the execution's state forbids the request
 +-- ExecutionComplete        the execution has already ended
 +-- NotDurable               the function has no DurableConfig
"""

from __future__ import annotations


class DurableError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ExecutionNotFound(DurableError):
    pass


class InvalidCheckpointToken(DurableError):
    pass


class InvalidUpdate(DurableError):
    pass


class AlreadyStarted(DurableError):
    pass


class CallbackClosed(DurableError):
    pass


class Conflict(DurableError):
    pass


class NotDurable(DurableError):
    pass


class ExecutionComplete(DurableError):
    pass
