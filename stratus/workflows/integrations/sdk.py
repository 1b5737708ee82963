"""``arn:aws:states:::aws-sdk:<service>:<action>``: call any of Stratus's own AWS APIs.

The ARN names the service as the AWS SDK for Java v2 does (``sfn``, ``eventbridge``),
mapped here to botocore's names (``stepfunctions``, ``events``); the action is the
operation in camelCase. Parameters are coerced into the operation's input shape and the
answer shaped as Step Functions returns it (`sdk_shapes`); the call itself goes through
an :class:`AwsCaller` (the aws layer serializes it with botocore and serves it in-process).

Errors are named ``<ServiceName>.<ErrorCode>`` with the service name in PascalCase as the
Java SDK writes it (``DynamoDb``, ``Sfn``, ``S3``) and an ``Exception`` suffix added to
codes without one (S3's ``NoSuchKey`` is ``S3.NoSuchKeyException``); the cause is the
message followed by ``(Service: <ServiceName>, Status Code: <status>, Request ID: <id>)``
("Learning to use AWS service SDK integrations", and the recorded
``test_dynamodb_put_item_no_such_table`` case).
"""

from __future__ import annotations

import uuid
from typing import Any

from stratus.services.scope import Scope
from stratus.workflows.errors import StatesError
from stratus.workflows.integrations.arns import WAIT_FOR_TASK_TOKEN, parse_service_resource
from stratus.workflows.integrations.base import (
    AWAIT_CALLBACK,
    AwsCaller,
    AwsCallFailed,
    TaskRequest,
)
from stratus.workflows.integrations.sdk_shapes import (
    find_operation,
    service_model,
    to_input,
    to_output,
)

__all__ = ["AwsSdkIntegration", "botocore_service", "error_name", "is_aws_sdk"]

#: ARN service names that botocore calls differently.
_BOTOCORE_NAMES = {
    "sfn": "stepfunctions",
    "eventbridge": "events",
    "cloudwatchlogs": "logs",
    "cloudwatchevents": "events",
    "elasticloadbalancingv2": "elbv2",
    "elasticloadbalancing": "elb",
    "cognitoidentityprovider": "cognito-idp",
    "cognitoidentity": "cognito-identity",
    "acmpca": "acm-pca",
}
#: The Java SDK's PascalCase for services whose name is not just capitalized.
_ERROR_PREFIXES = {
    "dynamodb": "DynamoDb",
    "dynamodbstreams": "DynamoDbStreams",
    "sfn": "Sfn",
    "eventbridge": "EventBridge",
    "secretsmanager": "SecretsManager",
    "apigateway": "ApiGateway",
    "apigatewayv2": "ApiGatewayV2",
    "cloudwatchlogs": "CloudWatchLogs",
    "cloudwatch": "CloudWatch",
    "acmpca": "AcmPca",
    "cloudformation": "CloudFormation",
    "scheduler": "Scheduler",
}


def is_aws_sdk(resource: str) -> bool:
    """``arn:aws:states:::aws-sdk:<service>:<action>`` (request-response or callback)."""
    parsed = parse_service_resource(resource)
    return (
        parsed is not None
        and parsed.service == "aws-sdk"
        and parsed.pattern in ("", WAIT_FOR_TASK_TOKEN)
    )


def botocore_service(arn_service: str) -> str:
    """botocore's name for the service an ``aws-sdk`` ARN names."""
    return _BOTOCORE_NAMES.get(arn_service, arn_service)


def error_name(arn_service: str, code: str) -> str:
    """Step Functions' error name for an SDK error code (``s3``, ``NoSuchKey`` ->
    ``S3.NoSuchKeyException``)."""
    prefix = _ERROR_PREFIXES.get(arn_service, arn_service[:1].upper() + arn_service[1:])
    code = code.rpartition("#")[2] or "Unknown"
    if not code.endswith("Exception"):
        code += "Exception"
    return f"{prefix}.{code}"


class AwsSdkIntegration:
    """Runs ``aws-sdk`` tasks through an :class:`AwsCaller`."""

    def __init__(self, caller: AwsCaller) -> None:
        self._caller = caller

    async def __call__(self, request: TaskRequest) -> Any:
        parsed = parse_service_resource(request.resource)
        if parsed is None or ":" not in parsed.action:
            raise _unrecognized(request.resource)
        arn_service, _, action = parsed.action.partition(":")
        service = botocore_service(arn_service)
        model = service_model(service)
        operation = find_operation(model, action) if model is not None else None
        if operation is None:
            raise _unrecognized(request.resource)
        params = request.input if request.input is not None else {}
        if not isinstance(params, dict):
            raise StatesError(
                "States.Runtime",
                f"An error occurred while executing the state '{request.state_name}'. "
                "The Parameters could not be used to start the Task: "
                "[The value of the field 'Parameters' must be an object]",
            )
        try:
            # Its SDK calls act in the execution's account and region, as with its role on AWS.
            scope = Scope.of_arn(request.execution_arn)
            result = await self._caller.call(
                service,
                operation.name,
                to_input(params, operation.input_shape),
                account_id=scope.account if scope else None,
                region=scope.region if scope else None,
            )
        except AwsCallFailed as failure:
            request_id = getattr(failure, "request_id", None) or str(uuid.uuid4())
            prefix = error_name(arn_service, "X").partition(".")[0]
            raise StatesError(
                error_name(arn_service, failure.code),
                f"{failure.message} (Service: {prefix}, Status Code: {failure.status}, "
                f"Request ID: {request_id})",
            ) from failure
        if parsed.pattern == WAIT_FOR_TASK_TOKEN:
            return AWAIT_CALLBACK
        return to_output(result, operation.output_shape)


def _unrecognized(resource: str) -> StatesError:
    # What CreateStateMachine answers for such an ARN on AWS; at run time it is a
    # States.Runtime failure of the task.
    return StatesError(
        "States.Runtime",
        f"The resource provided {resource} is not recognized. The value is not a valid "
        "resource ARN, or the resource is not available in this region.",
    )
