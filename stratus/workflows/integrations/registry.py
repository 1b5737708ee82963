"""Composing the task integrations this layer provides into one registry.

The registry answers with the first integration whose matcher accepts a resource, so the
specific ones come first: ``lambda:invoke`` before the generic ``aws-sdk:*`` (which would
also accept ``aws-sdk:lambda:invoke``, a different integration with a different output).
Integrations of services that do not exist yet are added by those services to the same
registry (pass it in as ``registry``).
"""

from __future__ import annotations

from stratus.services.functions.invocations import Invocations
from stratus.workflows.integrations.arns import is_function_arn
from stratus.workflows.integrations.base import (
    AwsCaller,
    ExecutionStarter,
    IntegrationRegistry,
)
from stratus.workflows.integrations.lambda_ import LambdaIntegration, is_lambda_invoke
from stratus.workflows.integrations.sdk import AwsSdkIntegration, is_aws_sdk
from stratus.workflows.integrations.states import StartExecutionIntegration, is_start_execution

__all__ = ["build_registry"]


def build_registry(
    *,
    invocations: Invocations | None = None,
    starter: ExecutionStarter | None = None,
    aws_caller: AwsCaller | None = None,
    registry: IntegrationRegistry | None = None,
) -> IntegrationRegistry:
    """A registry with every integration whose dependency is given.

    ``invocations`` enables the Lambda integrations (function ARN, ``lambda:invoke``),
    ``starter`` ``states:startExecution`` (all patterns), ``aws_caller`` the generic
    ``aws-sdk:*``. Entries are appended to ``registry`` when one is given.
    """
    registry = registry if registry is not None else IntegrationRegistry()
    if invocations is not None:
        lambdas = LambdaIntegration(invocations)
        registry.add("lambda:invoke", is_lambda_invoke, lambdas.invoke)
        registry.add("lambda:function", is_function_arn, lambdas.invoke_function_arn)
    if starter is not None:
        registry.add(
            "states:startExecution", is_start_execution, StartExecutionIntegration(starter)
        )
    if aws_caller is not None:
        registry.add("aws-sdk", is_aws_sdk, AwsSdkIntegration(aws_caller))
    return registry
