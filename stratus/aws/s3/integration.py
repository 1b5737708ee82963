"""Step Functions' ``arn:aws:states:::s3:getObject`` and ``s3:putObject`` tasks.

They take and return what the ``aws-sdk:s3:getObject`` / ``putObject`` tasks do (the
object's body as text, the other members as the SDK integration shapes them), through
the in-process AWS caller, so an object read or written by a workflow takes the same
path as a boto3 call. The ``aws-sdk:s3:*`` tasks themselves need nothing here: the
generic SDK integration reaches every S3 operation.
"""

from __future__ import annotations

import uuid
from typing import Any

from stratus.aws.protocol.models import load_service
from stratus.services.scope import Scope
from stratus.workflows.errors import StatesError
from stratus.workflows.integrations.arns import parse_service_resource
from stratus.workflows.integrations.base import AwsCaller, AwsCallFailed, TaskRequest
from stratus.workflows.integrations.sdk_shapes import to_input, to_output

__all__ = ["S3Integration", "is_s3_get_object", "is_s3_put_object"]


def _is(action: str) -> Any:
    def matches(resource: str) -> bool:
        parsed = parse_service_resource(resource)
        return (
            parsed is not None
            and parsed.service == "s3"
            and parsed.action == action
            and parsed.pattern == ""
        )

    return matches


is_s3_get_object = _is("getObject")
is_s3_put_object = _is("putObject")


class S3Integration:
    def __init__(self, caller: AwsCaller) -> None:
        self._caller = caller

    async def get_object(self, request: TaskRequest) -> Any:
        return await self._call(request, "GetObject")

    async def put_object(self, request: TaskRequest) -> Any:
        return await self._call(request, "PutObject")

    async def _call(self, request: TaskRequest, operation: str) -> Any:
        params = request.input if isinstance(request.input, dict) else {}
        model = load_service("s3").model.operation_model(operation)
        scope = Scope.of_arn(request.execution_arn)
        try:
            result = await self._caller.call(
                "s3",
                operation,
                to_input(params, model.input_shape),
                account_id=scope.account if scope else None,
                region=scope.region if scope else None,
            )
        except AwsCallFailed as failure:
            request_id = getattr(failure, "request_id", None) or str(uuid.uuid4())
            raise StatesError(
                f"S3.{failure.code}Exception"
                if failure.code.startswith("NoSuch")
                else f"S3.{failure.code}",
                f"{failure.message} (Service: S3, Status Code: {failure.status}, "
                f"Request ID: {request_id})",
            ) from failure
        return to_output(result, model.output_shape)
