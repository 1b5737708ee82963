"""Resource ARNs and the order of the composed registry."""

from __future__ import annotations

import asyncio

import pytest

from stratus.aws.lambda_.component import FunctionsComponent
from stratus.workflows.errors import StatesError
from stratus.workflows.integrations.arns import (
    ServiceResource,
    is_function_arn,
    parse_service_resource,
)
from stratus.workflows.integrations.base import IntegrationRegistry, TaskRequest


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        ("arn:aws:states:::lambda:invoke", ServiceResource("lambda", "invoke", "")),
        (
            "arn:aws:states:::lambda:invoke.waitForTaskToken",
            ServiceResource("lambda", "invoke", "waitForTaskToken"),
        ),
        (
            "arn:aws:states:::states:startExecution.sync:2",
            ServiceResource("states", "startExecution", "sync:2"),
        ),
        (
            "arn:aws:states:::states:startExecution.sync",
            ServiceResource("states", "startExecution", "sync"),
        ),
        ("arn:aws:states:::aws-sdk:s3:getObject", ServiceResource("aws-sdk", "s3:getObject", "")),
        ("arn:aws:states:us-east-1:000000000000:activity:a", ServiceResource("activity", "a", "")),
        ("arn:aws:states:::lambda", None),
        ("arn:aws:states:::lambda:invoke.later", None),
        ("arn:aws:lambda:us-east-1:000000000000:function:f", None),
        ("not an arn", None),
    ],
)
def test_parse_service_resource(resource: str, expected: ServiceResource | None) -> None:
    assert parse_service_resource(resource) == expected


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        ("arn:aws:lambda:us-east-1:111111111111:function:f", True),
        ("arn:aws:lambda:us-east-1:111111111111:function:f:$LATEST", True),
        ("arn:aws:lambda:us-east-1:111111111111:function:f:prod", True),
        ("arn:aws:lambda:us-east-1:111111111111:layer:f", False),
        ("arn:aws:lambda:us-east-1:1111:function:f", False),
        ("arn:aws:states:::lambda:invoke", False),
    ],
)
def test_is_function_arn(resource: str, expected: bool) -> None:
    assert is_function_arn(resource) is expected


def test_registry_order_and_partial_composition(platform_thread, registry) -> None:
    assert registry.names() == ["lambda:invoke", "lambda:function", "aws-sdk"]
    only_lambda = IntegrationRegistry()
    only_lambda.extend(platform_thread.platform.component(FunctionsComponent).integrations())
    assert only_lambda.names() == ["lambda:invoke", "lambda:function"]
    assert only_lambda.find("arn:aws:states:::aws-sdk:lambda:invoke") is None
    # aws-sdk:lambda:invoke is the SDK integration, not the optimized one
    sdk = registry.find("arn:aws:states:::aws-sdk:lambda:invoke")
    optimized = registry.find("arn:aws:states:::lambda:invoke")
    assert sdk is not None and optimized is not None and sdk != optimized


def test_generic_entries_come_after_specific_ones_added_later() -> None:
    async def generic(_request: TaskRequest) -> str:
        return "generic"

    async def specific(_request: TaskRequest) -> str:
        return "specific"

    registry = IntegrationRegistry()
    registry.add("aws-sdk", lambda r: "aws-sdk:" in r, generic, generic=True)
    registry.add("sqs:sendMessage", lambda r: r.endswith("aws-sdk:sqs:sendMessage"), specific)
    assert registry.names() == ["sqs:sendMessage", "aws-sdk"]
    assert registry.find("arn:aws:states:::aws-sdk:sqs:sendMessage") is specific
    assert registry.find("arn:aws:states:::aws-sdk:s3:getObject") is generic


def test_unknown_resource_is_states_runtime(registry) -> None:
    request = TaskRequest("arn:aws:states:::sqs:sendMessage", {}, "e", "S", "t")
    with pytest.raises(StatesError) as failure:
        asyncio.run(registry.run(request))
    assert failure.value.error == "States.Runtime"
