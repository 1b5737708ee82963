"""Conformance requirement step_1_9: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    value = context.step(lambda _: "cached_value", name="cache")
    context.wait(Duration.from_seconds(1))
    return value
