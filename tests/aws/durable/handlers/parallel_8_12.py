"""Conformance requirement parallel_8_12: our handler, written from its description."""

from _prelude import *


def branch(value):
    return lambda ctx: ctx.step(lambda _: value)


@durable_execution
def handler(event, context: DurableContext):
    batch = context.parallel(
        [branch("fa"), branch("fb")],
        name="parallel",
        config=ParallelConfig(max_concurrency=1, nesting_type=NestingType.FLAT),
    )
    return batch.get_results()
