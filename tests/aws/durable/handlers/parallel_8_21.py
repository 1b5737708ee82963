"""Conformance requirement parallel_8_21: our handler, written from its description."""

from _prelude import *


def inner(ctx):
    batch = ctx.parallel(
        [lambda c: c.step(lambda _: "i1"), lambda c: c.step(lambda _: "i2")],
        name="inner",
        config=ParallelConfig(max_concurrency=1),
    )
    return batch.get_results()


@durable_execution
def handler(event, context: DurableContext):
    batch = context.parallel(
        [inner],
        name="outer",
        config=ParallelConfig(max_concurrency=1),
    )
    return batch.get_results()
