"""Errors of the functions service; messages are the ones Lambda writes.

FunctionError
 +-- NotFound              ResourceNotFoundException (404)
 |    +-- ProvisionedConfigNotFound  ProvisionedConcurrencyConfigNotFoundException (404)
 +-- Conflict              ResourceConflictException (409)
 +-- InvalidParameter      InvalidParameterValueException (400)
 +-- Validation            ValidationException (400): a value breaks the API's constraints
 +-- PreconditionFailed    PreconditionFailedException (412): stale RevisionId
 +-- RequestTooLarge       RequestEntityTooLargeException (413)
 +-- InvalidRequestContent InvalidRequestContentException (400): payload is not JSON
 +-- Unsupported           InvalidParameterValueException: valid in AWS, not in Stratus yet
 +-- TooManyRequests       TooManyRequestsException (429): throttled
 +-- CodeSigningConfigNotFound  CodeSigningConfigNotFoundException (404)
"""

from __future__ import annotations


class FunctionError(Exception):
    """Base of the functions service's errors."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class NotFound(FunctionError):
    pass


class ProvisionedConfigNotFound(NotFound):
    pass


class Conflict(FunctionError):
    pass


class InvalidParameter(FunctionError):
    pass


class Validation(FunctionError):
    pass


class PreconditionFailed(FunctionError):
    pass


class RequestTooLarge(FunctionError):
    pass


class InvalidRequestContent(FunctionError):
    pass


class Unsupported(InvalidParameter):
    pass


class TooManyRequests(FunctionError):
    def __init__(self, message: str, reason: str) -> None:
        self.reason = reason
        super().__init__(message)


class CodeSigningConfigNotFound(FunctionError):
    """A function names a code signing config that does not exist (not the 'Get' miss)."""


# Each error's Lambda API code and HTTP status: the API edge answers with them, and the
# Step Functions Lambda integration names task failures after them.
AWS_CODES: dict[type[FunctionError], tuple[str, int]] = {
    ProvisionedConfigNotFound: ("ProvisionedConcurrencyConfigNotFoundException", 404),
    NotFound: ("ResourceNotFoundException", 404),
    Conflict: ("ResourceConflictException", 409),
    Unsupported: ("InvalidParameterValueException", 400),
    InvalidParameter: ("InvalidParameterValueException", 400),
    Validation: ("ValidationException", 400),
    PreconditionFailed: ("PreconditionFailedException", 412),
    RequestTooLarge: ("RequestEntityTooLargeException", 413),
    InvalidRequestContent: ("InvalidRequestContentException", 400),
    TooManyRequests: ("TooManyRequestsException", 429),
    CodeSigningConfigNotFound: ("CodeSigningConfigNotFoundException", 404),
}


def aws_code(error: FunctionError) -> tuple[str, int]:
    """(code, status) of an error; ServiceException (500) for anything unlisted."""
    for klass in type(error).__mro__:
        if klass in AWS_CODES:
            return AWS_CODES[klass]
    return "ServiceException", 500
