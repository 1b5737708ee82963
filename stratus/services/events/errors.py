"""Errors of the event bus; messages are EventBridge's.

EventsError
 +-- NotFound               ResourceNotFoundException: a bus, a rule, a policy statement
 +-- AlreadyExists          ResourceAlreadyExistsException: CreateEventBus
 +-- Invalid                ValidationException: what the model cannot say
 +-- InvalidEventPattern    InvalidEventPatternException: PutRule, TestEventPattern
 +-- LimitExceeded          LimitExceededException: targets per rule
 +-- PolicyLengthExceeded   PolicyLengthExceededException: a bus policy over 10 KB
 +-- ManagedRule            ManagedRuleException (reserved; no managed rules here)
 +-- IllegalStatus          IllegalStatusException: CancelReplay of a finished replay
"""

from __future__ import annotations


class EventsError(Exception):
    """Base of the event bus's errors."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class NotFound(EventsError):
    pass


class AlreadyExists(EventsError):
    pass


class Invalid(EventsError):
    pass


class InvalidEventPattern(EventsError):
    pass


class LimitExceeded(EventsError):
    pass


class PolicyLengthExceeded(EventsError):
    pass


class ManagedRule(EventsError):
    pass


class IllegalStatus(EventsError):
    pass
