"""Functions-service errors as Lambda's API errors (codes from ``fe.AWS_CODES``)."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from stratus.aws.context import RequestContext
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


def maps_errors(method: F) -> F:
    """Turn the functions service's errors raised by a provider method into AWS errors.

    Shared by the provider and its mixins (``permissions``, ``configs``, ``code_signing``).
    """

    @functools.wraps(method)
    async def wrapper(self: Any, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        try:
            return await method(self, ctx, params)
        except fe.FunctionError as exc:
            raise to_service_error(exc) from exc

    return wrapper  # type: ignore[return-value]
