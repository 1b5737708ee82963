"""The topics service's exceptions as SNS answers them.

https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html and each operation's Errors.
"""

from __future__ import annotations

from stratus.aws.protocol.error_table import ErrorRule, ErrorTable
from stratus.services.topics.errors import (
    ApplicationDisabled,
    AuthorizationError,
    BatchIdsNotDistinct,
    BatchTooLong,
    EmptyBatch,
    EndpointDisabled,
    InvalidBatchEntryId,
    InvalidParameter,
    InvalidParameterValue,
    NotFound,
    OptedOut,
    ResourceNotFound,
    TagLimitExceeded,
    TooManyEntries,
    TopicsError,
    VerificationFailed,
)

__all__ = ["SNS_ERRORS", "error_code"]

_RULES: dict[type[BaseException], ErrorRule] = {
    NotFound: ErrorRule("NotFound", 404),
    InvalidParameter: ErrorRule("InvalidParameter", 400),
    InvalidParameterValue: ErrorRule("ParameterValueInvalid", 400),
    AuthorizationError: ErrorRule("AuthorizationError", 403),
    TagLimitExceeded: ErrorRule("TagLimitExceeded", 400),
    EndpointDisabled: ErrorRule("EndpointDisabled", 400),
    ApplicationDisabled: ErrorRule("PlatformApplicationDisabled", 400),
    OptedOut: ErrorRule("OptedOut", 400),
    ResourceNotFound: ErrorRule("ResourceNotFound", 404),
    VerificationFailed: ErrorRule(
        "VerificationException",
        400,
        lambda error: {"Status": getattr(error, "status", "")},
    ),
    EmptyBatch: ErrorRule("EmptyBatchRequest", 400),
    TooManyEntries: ErrorRule("TooManyEntriesInBatchRequest", 400),
    BatchIdsNotDistinct: ErrorRule("BatchEntryIdsNotDistinct", 400),
    InvalidBatchEntryId: ErrorRule("InvalidBatchEntryId", 400),
    BatchTooLong: ErrorRule("BatchRequestTooLong", 400),
    TopicsError: ErrorRule("InvalidParameter", 400),
}

SNS_ERRORS = ErrorTable(dict(_RULES.items()))


def error_rule(error: TopicsError) -> ErrorRule:
    for kind in type(error).__mro__:
        rule = _RULES.get(kind)
        if rule is not None:
            return rule
    return _RULES[TopicsError]


def error_code(error: TopicsError) -> str:
    """The code a PublishBatch entry's failure carries."""
    return error_rule(error).code
