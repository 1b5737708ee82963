"""Errors of the protocol layer: everything here is answered to the client as AWS would.

::

    ServiceError                      an AWS error; serialized in the service's protocol
     ├── CommonServiceError           an ad-hoc code (code first, like botocore's reading)
     └── ProtocolError                raised by the protocol layer itself
          ├── RequestSerializationError   body not valid JSON/XML, member of the wrong type
          ├── RequestValidationError      missing required member, bad enum value
          ├── UnknownOperationError       no operation (or no provider method) for the call
          ├── NotAwsRequestError          not an AWS API call at all (generic 404)
          ├── RequestTooLargeError        body over the app's limit (413)
          └── InternalFailure             anything unexpected (500), never with a traceback

A provider raises ``ServiceError("...", code="ResourceNotFoundException")``: when the code
names an error shape of the service model, the serializer takes that shape's HTTP status
(unless one was given) and writes ``fields`` with the shape's member names.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CommonServiceError",
    "InternalFailure",
    "NotAwsRequestError",
    "ProtocolError",
    "QueryValidationError",
    "RequestSerializationError",
    "RequestTooLargeError",
    "RequestValidationError",
    "ServiceError",
    "UnknownOperationError",
]


class ServiceError(Exception):
    """An AWS error a provider raises; serialized per the service's protocol."""

    code: str = "InternalFailure"
    status_code: int = 400
    sender_fault: bool = True

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        status_code: int | None = None,
        fields: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        # An explicit status (argument or subclass attribute) wins over the model's
        # ``httpStatusCode`` for the error shape; otherwise the model decides.
        self.status_explicit = status_code is not None or _class_sets_status(type(self))
        if status_code is not None:
            self.status_code = status_code
        self.fields: dict[str, Any] = dict(fields) if fields else {}
        #: Extra response headers the error carries (S3's ``x-amz-delete-marker``).
        self.headers: list[tuple[str, str]] = []

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


def _class_sets_status(cls: type) -> bool:
    """Whether a subclass below :class:`ServiceError` pinned its own status code."""
    for klass in cls.__mro__:
        if klass in (ServiceError, CommonServiceError):
            return False
        if "status_code" in vars(klass):
            return True
    return False


class CommonServiceError(ServiceError):
    """An error by code, for codes no subclass exists for: ``CommonServiceError("Throttling",
    "Rate exceeded", status_code=400)``."""

    def __init__(
        self,
        code: str,
        message: str = "",
        *,
        status_code: int | None = None,
        sender_fault: bool = True,
        fields: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, code=code, status_code=status_code, fields=fields)
        self.sender_fault = sender_fault


class ProtocolError(ServiceError):
    """Raised by the protocol layer itself, before or after the provider runs."""


class RequestSerializationError(ProtocolError):
    """The request could not be read: malformed JSON/XML, a member of the wrong type."""

    code = "SerializationException"


class RequestValidationError(ProtocolError):
    """The request was read but breaks the model: a required member missing, a bad enum."""

    code = "ValidationException"


class QueryValidationError(RequestValidationError):
    """Query services (IAM, STS, SNS, CloudFormation) call it ``ValidationError``."""

    code = "ValidationError"


class UnknownOperationError(ProtocolError):
    """The service exists but the call names no operation it (or its provider) has."""

    code = "UnknownOperationException"


class NotAwsRequestError(ProtocolError):
    """The request is not an AWS API call of any service we serve."""

    code = "UnknownOperationException"
    status_code = 404


class RequestTooLargeError(ProtocolError):
    """The body exceeds the app's ``max_body_bytes``."""

    code = "RequestEntityTooLargeException"
    status_code = 413


class InternalFailure(ProtocolError):
    """Anything unexpected; the details go to the log, never to the client."""

    code = "InternalFailure"
    status_code = 500
    sender_fault = False

    def __init__(self, message: str = "An internal error occurred.") -> None:
        super().__init__(message)
