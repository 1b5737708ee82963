"""Conformance requirement map_9_2: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    batch = context.map(
        event, lambda ctx, item, index, items: item * 2, config=MapConfig(max_concurrency=1)
    )
    return batch.get_results()
