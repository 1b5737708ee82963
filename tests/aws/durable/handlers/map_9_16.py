"""Conformance requirement map_9_16: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    batch = context.map(
        ["a", "b", "c", "d"],
        lambda ctx, item, index, items: item * (70 * 1024),
        name="map",
        config=MapConfig(max_concurrency=1),
    )
    return {"successCount": batch.success_count, "totalCount": batch.total_count}
