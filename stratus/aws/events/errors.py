"""The event bus's exceptions as EventBridge answers them."""

from __future__ import annotations

from stratus.aws.protocol.error_table import ErrorRule, ErrorTable
from stratus.services.events.errors import (
    AlreadyExists,
    EventsError,
    IllegalStatus,
    Invalid,
    InvalidEventPattern,
    LimitExceeded,
    ManagedRule,
    NotFound,
    PolicyLengthExceeded,
)

EVENTS_ERRORS = ErrorTable(
    {
        NotFound: ErrorRule("ResourceNotFoundException", 400),
        AlreadyExists: ErrorRule("ResourceAlreadyExistsException", 400),
        Invalid: ErrorRule("ValidationException", 400),
        InvalidEventPattern: ErrorRule("InvalidEventPatternException", 400),
        LimitExceeded: ErrorRule("LimitExceededException", 400),
        ManagedRule: ErrorRule("ManagedRuleException", 400),
        PolicyLengthExceeded: ErrorRule("PolicyLengthExceededException", 400),
        IllegalStatus: ErrorRule("IllegalStatusException", 400),
        EventsError: ErrorRule("ValidationException", 400),
    }
)
