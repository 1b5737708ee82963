"""The schedules service's exceptions as EventBridge Scheduler answers them."""

from __future__ import annotations

from stratus.aws.protocol.error_table import ErrorRule, ErrorTable
from stratus.services.schedules.errors import Conflict, Invalid, NotFound, SchedulesError

SCHEDULER_ERRORS = ErrorTable(
    {
        NotFound: ErrorRule("ResourceNotFoundException", 404),
        Conflict: ErrorRule("ConflictException", 409),
        Invalid: ErrorRule("ValidationException", 400),
        SchedulesError: ErrorRule("ValidationException", 400),
    }
)
