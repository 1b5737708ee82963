"""Conformance requirement callback_4_15: our handler, written from its description."""

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


class Received(SerDes):
    def serialize(self, value, serdes_context):
        return json.dumps(value)

    def deserialize(self, data, serdes_context):
        raw = json.loads(data)
        moment = datetime.datetime.fromisoformat(raw["timestamp"].replace("Z", "+00:00"))
        return {"id": raw["id"], "message": raw["message"], "timestamp": int(moment.timestamp())}


@durable_execution
def handler(event, context: DurableContext):
    callback = context.create_callback(name=event, config=CallbackConfig(serdes=Received()))
    return {"received": callback.result()}
