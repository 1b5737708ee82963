"""Conformance requirement map_9_20: our handler, written from its description."""

import datetime
import json
import os

from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.concurrency.models import (
    BatchItem,
    BatchItemStatus,
    BatchResult,
    CompletionReason,
)
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


class OpSerde(SerDes):
    """The map's own serializer: the whole result as ``OPSERDE:X,Y`` (items, which the
    SDK also hands it, go as JSON)."""

    def serialize(self, value, serdes_context):
        if isinstance(value, BatchResult):
            return "OPSERDE:" + ",".join(item.result for item in value.all)
        return json.dumps(value)

    def deserialize(self, data, serdes_context):
        if not data.startswith("OPSERDE:"):
            return json.loads(data)
        values = data.removeprefix("OPSERDE:").split(",")
        return BatchResult(
            [BatchItem(i, BatchItemStatus.SUCCEEDED, v) for i, v in enumerate(values)],
            CompletionReason.ALL_COMPLETED,
        )


@durable_execution
def handler(event, context: DurableContext):
    batch = context.map(
        ["x", "y"],
        lambda ctx, item, index, items: item.upper(),
        name="map",
        config=MapConfig(max_concurrency=1, serdes=OpSerde()),
    )
    context.wait(Duration.from_seconds(1))
    return batch.get_results()
