"""Conformance requirement parallel_8_19: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    batch = context.parallel(
        [lambda ctx: 1, lambda ctx: 2],
        name="parallel",
        config=ParallelConfig(max_concurrency=0),
    )
    return batch.get_results()
