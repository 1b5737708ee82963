"""Functions-service errors as Lambda's API errors (codes from ``fe.AWS_CODES``), and the
decorator that applies the translation to every provider method."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from stratus.aws.protocol.errors import ServiceError
from stratus.services.functions import errors as fe

F = TypeVar("F", bound=Callable[..., Awaitable[dict[str, Any]]])


def to_service_error(error: fe.FunctionError) -> ServiceError:
    code, status = fe.aws_code(error)
    fields: dict[str, object] = {"Type": "User"}
    if isinstance(error, fe.TooManyRequests):
        fields["Reason"] = error.reason
    if code == "ValidationException":
        fields = {}
    return ServiceError(error.message, code=code, status_code=status, fields=fields)


def check_enum(value: str, member: str, allowed: tuple[str, ...]) -> None:
    """The protocol layer checks required members, not enums: these header values we check."""
    if value not in allowed:
        raise ServiceError(
            f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
            f"constraint: Member must satisfy enum value set: [{', '.join(allowed)}]",
            code="ValidationException",
        )
