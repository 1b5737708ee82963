"""Conformance requirement wait_2_4: our handler, written from its description."""

import datetime
import json
import os

from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import (
    CallbackConfig,
    ChildConfig,
    CompletionConfig,
    Duration,
    InvokeConfig,
    JitterStrategy,
    MapConfig,
    NestingType,
    ParallelConfig,
    StepConfig,
    StepSemantics,
    WaitForCallbackConfig,
)
from aws_durable_execution_sdk_python.retries import RetryStrategyConfig, create_retry_strategy
from aws_durable_execution_sdk_python.serdes import SerDes
from aws_durable_execution_sdk_python.waits import (
    WaitForConditionConfig,
    WaitForConditionDecision,
    WaitStrategyConfig,
    create_wait_strategy,
)

TARGET = os.environ.get("TARGET_FUNCTION", "")
NO_RETRY = create_retry_strategy(RetryStrategyConfig(max_attempts=1))


def projection(batch, *fields):
    """The batch result's summary the requirement asks for."""
    values = {
        "completionReason": batch.completion_reason.value,
        "status": batch.status.value,
        "successCount": batch.success_count,
        "failureCount": batch.failure_count,
        "totalCount": batch.total_count,
    }
    return {name: values[name] for name in fields}


@durable_execution
def handler(event, context: DurableContext):
    context.wait(Duration.from_minutes(1), name="minute")
    return "done"
