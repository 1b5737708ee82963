"""The one table that turns functions-service errors into Lambda's API errors."""

from __future__ import annotations

from stratus.aws.protocol.errors import ServiceError
from stratus.services.functions import errors as fe

# error class -> (AWS code, HTTP status)
_TABLE: dict[type[fe.FunctionError], tuple[str, int]] = {
    fe.NotFound: ("ResourceNotFoundException", 404),
    fe.Conflict: ("ResourceConflictException", 409),
    fe.Unsupported: ("InvalidParameterValueException", 400),
    fe.InvalidParameter: ("InvalidParameterValueException", 400),
    fe.Validation: ("ValidationException", 400),
    fe.PreconditionFailed: ("PreconditionFailedException", 412),
    fe.RequestTooLarge: ("RequestEntityTooLargeException", 413),
    fe.InvalidRequestContent: ("InvalidRequestContentException", 400),
    fe.TooManyRequests: ("TooManyRequestsException", 429),
}


def to_service_error(error: fe.FunctionError) -> ServiceError:
    for klass in type(error).__mro__:
        if klass in _TABLE:
            code, status = _TABLE[klass]
            break
    else:  # pragma: no cover - every FunctionError subclass is in the table
        code, status = "ServiceException", 500
    fields: dict[str, object] = {"Type": "User"}
    if isinstance(error, fe.TooManyRequests):
        fields["Reason"] = error.reason
    if code == "ValidationException":
        fields = {}
    return ServiceError(error.message, code=code, status_code=status, fields=fields)
