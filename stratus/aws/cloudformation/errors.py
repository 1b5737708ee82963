"""The stacks service's exceptions as CloudFormation answers them."""

from __future__ import annotations

from stratus.aws.protocol.error_table import ErrorRule, ErrorTable
from stratus.services.stacks.errors import (
    AlreadyExists,
    ChangeSetNotFound,
    InsufficientCapabilities,
    StacksError,
    StackValidationError,
)

CLOUDFORMATION_ERRORS = ErrorTable(
    {
        StackValidationError: ErrorRule("ValidationError", 400),
        ChangeSetNotFound: ErrorRule("ChangeSetNotFound", 404),
        AlreadyExists: ErrorRule("AlreadyExistsException", 400),
        InsufficientCapabilities: ErrorRule("InsufficientCapabilitiesException", 400),
        StacksError: ErrorRule("ValidationError", 400),
    }
)
