"""Conformance requirement map_9_20: our handler, written from its description."""

from _prelude import *
from aws_durable_execution_sdk_python.concurrency.models import (
    BatchItem,
    BatchItemStatus,
    BatchResult,
    CompletionReason,
)


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
