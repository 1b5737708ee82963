"""Conformance requirement map_9_17: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    batch = context.map(
        ["a", "b"],
        lambda ctx, item, index, items: item.upper(),
        name="map",
        config=MapConfig(max_concurrency=1),
    )
    context.wait(Duration.from_seconds(1))
    return batch.get_results()
