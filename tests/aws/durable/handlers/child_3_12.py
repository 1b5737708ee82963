"""Conformance requirement child_3_12: our handler, written from its description."""

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

CRASH_MARK = "/tmp/crashed"


def crash_once(value):
    # Interrupt the invocation once, after the step started, before it succeeded: the
    # marker lives in this environment's /tmp, which the crash takes with it, so the
    # marker is a directory of the function's code dir is not writable: use the
    # execution's own state instead (the step's attempt).
    return value


def body(child, value, context):
    def step(step_context):
        if step_context.attempt == 1 and not os.environ.get("NO_CRASH"):
            os._exit(1)
        return value

    return child.step(
        step,
        config=StepConfig(
            retry_strategy=create_retry_strategy(
                RetryStrategyConfig(
                    max_attempts=2,
                    initial_delay=Duration.from_seconds(1),
                    jitter_strategy=JitterStrategy.NONE,
                )
            ),
            step_semantics=StepSemantics.AT_MOST_ONCE_PER_RETRY,
        ),
    )


@durable_execution
def handler(event, context: DurableContext):
    return context.run_in_child_context(lambda child: body(child, event, context))
