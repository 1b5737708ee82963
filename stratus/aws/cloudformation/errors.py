"""The stacks service's exceptions as CloudFormation answers them."""

from __future__ import annotations

from stratus.aws.protocol.error_table import ErrorRule, ErrorTable
from stratus.services.stacks.errors import (
    AlreadyExists,
    ChangeSetNotFound,
    InsufficientCapabilities,
    InvalidOperation,
    NameAlreadyExists,
    OperationIdAlreadyExists,
    OperationInProgress,
    OperationNotFound,
    RegistryError,
    StackInstanceNotFound,
    StacksError,
    StackSetNotEmpty,
    StackSetNotFound,
    StackValidationError,
    TypeNotFound,
)

CLOUDFORMATION_ERRORS = ErrorTable(
    {
        StackValidationError: ErrorRule("ValidationError", 400),
        ChangeSetNotFound: ErrorRule("ChangeSetNotFound", 404),
        AlreadyExists: ErrorRule("AlreadyExistsException", 400),
        InsufficientCapabilities: ErrorRule("InsufficientCapabilitiesException", 400),
        StackSetNotFound: ErrorRule("StackSetNotFoundException", 404),
        NameAlreadyExists: ErrorRule("NameAlreadyExistsException", 409),
        StackSetNotEmpty: ErrorRule("StackSetNotEmptyException", 409),
        OperationInProgress: ErrorRule("OperationInProgressException", 409),
        OperationNotFound: ErrorRule("OperationNotFoundException", 404),
        OperationIdAlreadyExists: ErrorRule("OperationIdAlreadyExistsException", 409),
        StackInstanceNotFound: ErrorRule("StackInstanceNotFoundException", 404),
        InvalidOperation: ErrorRule("InvalidOperationException", 400),
        TypeNotFound: ErrorRule("TypeNotFoundException", 404),
        RegistryError: ErrorRule("CFNRegistryException", 400),
        StacksError: ErrorRule("ValidationError", 400),
    }
)
