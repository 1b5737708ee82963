"""Conformance requirement map_9_1: our handler, written from its description."""

from _prelude import *


def greet(ctx, item, index, items):
    return ctx.step(lambda _: f"Hello, {item}!")


@durable_execution
def handler(event, context: DurableContext):
    batch = context.map(
        event,
        greet,
        name="map",
        config=MapConfig(max_concurrency=1),
    )
    return batch.get_results()
