"""Conformance requirement parallel_8_2: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    batch = context.parallel(
        [lambda ctx: "alpha", lambda ctx: "beta"], config=ParallelConfig(max_concurrency=1)
    )
    return batch.get_results()
