"""Conformance requirement step_1_8: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    value = context.step(lambda _: "computed", name="compute")
    context.wait(Duration.from_seconds(2))
    return value
