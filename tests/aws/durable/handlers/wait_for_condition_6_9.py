"""Conformance requirement wait_for_condition_6_9: our handler, written from its description."""

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


def check(state, _):
    attempts = state["attempts"] + 1
    return {"status": "DONE" if attempts >= 2 else "PENDING", "attempts": attempts}


STRATEGY = create_wait_strategy(
    WaitStrategyConfig(
        should_continue_polling=lambda state: state["status"] == "PENDING",
        initial_delay=Duration.from_seconds(1),
        jitter_strategy=JitterStrategy.NONE,
    )
)


@durable_execution
def handler(event, context: DurableContext):
    return context.wait_for_condition(
        check,
        config=WaitForConditionConfig(
            wait_strategy=STRATEGY, initial_state={"status": "PENDING", "attempts": 0}
        ),
    )
