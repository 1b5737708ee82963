"""Conformance requirement wait_for_condition_6_11: our handler, written from its description."""

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


class Reversed(SerDes):
    """Checkpoints the state reversed and prefixed; restores it on the way back."""

    def serialize(self, value, serdes_context):
        return json.dumps("enc:" + value[::-1])

    def deserialize(self, data, serdes_context):
        return json.loads(data).removeprefix("enc:")[::-1]


STRATEGY = create_wait_strategy(
    WaitStrategyConfig(
        should_continue_polling=lambda state: len(state) < 2,
        initial_delay=Duration.from_seconds(1),
        jitter_strategy=JitterStrategy.NONE,
    )
)


@durable_execution
def handler(event, context: DurableContext):
    return context.wait_for_condition(
        lambda state, _: state + "x",
        config=WaitForConditionConfig(wait_strategy=STRATEGY, initial_state="", serdes=Reversed()),
    )
