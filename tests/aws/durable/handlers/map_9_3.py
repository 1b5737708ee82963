"""Conformance requirement map_9_3: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    batch = context.map(
        event,
        lambda ctx, item, index, items: item + index,
        name="map",
        config=MapConfig(max_concurrency=1),
    )
    return batch.get_results()
