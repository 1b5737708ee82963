"""Conformance requirement parallel_8_5: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    batch = context.parallel(
        [],
        name="parallel",
        config=ParallelConfig(max_concurrency=1),
    )
    return batch.get_results()
