"""Conformance requirement parallel_8_1: our handler, written from its description."""

from _prelude import *


def task(number):
    return lambda ctx: ctx.step(lambda _: f"task-{number}")


@durable_execution
def handler(event, context: DurableContext):
    batch = context.parallel(
        [task(1), task(2)],
        name="parallel",
        config=ParallelConfig(max_concurrency=1),
    )
    return batch.get_results()
