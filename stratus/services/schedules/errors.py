"""Errors of the schedules service; messages are EventBridge Scheduler's.

SchedulesError
 +-- NotFound      ResourceNotFoundException: a schedule, a group
 +-- Conflict      ConflictException: a name taken
 +-- Invalid       ValidationException: what the model cannot say
"""

from __future__ import annotations


class SchedulesError(Exception):
    """Base of the schedules service's errors."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class NotFound(SchedulesError):
    pass


class Conflict(SchedulesError):
    pass


class Invalid(SchedulesError):
    pass
