"""Functions-service errors as Lambda's API errors (codes from ``fe.AWS_CODES``).

``LambdaProvider.errors`` applies :func:`to_service_error` to every ``FunctionError`` a
provider method (or one of its mixins) raises, at the protocol edge.
"""

from __future__ import annotations

from stratus.aws.protocol.errors import ServiceError
from stratus.services.functions import errors as fe


def to_service_error(error: fe.FunctionError) -> ServiceError:
    code, status = fe.aws_code(error)
    fields: dict[str, object] = {"Type": "User"}
    if isinstance(error, fe.TooManyRequests):
        fields["Reason"] = error.reason
    if code == "ValidationException":
        fields = {}
    return ServiceError(error.message, code=code, status_code=status, fields=fields)
