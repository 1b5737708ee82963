"""The parameter store's exceptions as Systems Manager answers them."""

from __future__ import annotations

from stratus.aws.protocol.error_table import ErrorRule, ErrorTable
from stratus.services.parameters.errors import (
    HierarchyTooDeep,
    Invalid,
    InvalidAllowedPattern,
    InvalidFilterKey,
    InvalidFilterOption,
    InvalidFilterValue,
    InvalidResourceId,
    InvalidResourceType,
    LabelLimitExceeded,
    ParameterAlreadyExists,
    ParameterNotFound,
    ParametersError,
    ParameterVersionNotFound,
    PatternMismatch,
)

SSM_ERRORS = ErrorTable(
    {
        ParameterNotFound: ErrorRule("ParameterNotFound", 400),
        ParameterVersionNotFound: ErrorRule("ParameterVersionNotFound", 400),
        ParameterAlreadyExists: ErrorRule("ParameterAlreadyExists", 400),
        PatternMismatch: ErrorRule("ParameterPatternMismatchException", 400),
        LabelLimitExceeded: ErrorRule("ParameterVersionLabelLimitExceeded", 400),
        InvalidAllowedPattern: ErrorRule("InvalidAllowedPatternException", 400),
        HierarchyTooDeep: ErrorRule("HierarchyLevelLimitExceededException", 400),
        InvalidFilterKey: ErrorRule("InvalidFilterKey", 400),
        InvalidFilterOption: ErrorRule("InvalidFilterOption", 400),
        InvalidFilterValue: ErrorRule("InvalidFilterValue", 400),
        InvalidResourceType: ErrorRule("InvalidResourceType", 400),
        InvalidResourceId: ErrorRule("InvalidResourceId", 400),
        Invalid: ErrorRule("ValidationException", 400),
        ParametersError: ErrorRule("ValidationException", 400),
    }
)
