"""Conformance requirement map_9_7: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    batch = context.map(
        ["a", "b", "c", "d"],
        lambda ctx, item, index, items: "done",
        name="map",
        config=MapConfig(max_concurrency=1, completion_config=CompletionConfig(min_successful=2)),
    )
    return projection(batch, "completionReason", "successCount", "totalCount")
