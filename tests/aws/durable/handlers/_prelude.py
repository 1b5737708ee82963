"""What every conformance handler starts with: the SDK's names and one helper.

Shipped beside each handler in its zip (``app.py`` does ``from _prelude import *``), so
each handler file holds only what its requirement describes.
"""

import datetime
import json
import logging
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
