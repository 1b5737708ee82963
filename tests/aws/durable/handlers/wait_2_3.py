"""Conformance requirement wait_2_3: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    context.wait(Duration.from_seconds(2), name="wait-1")
    context.wait(Duration.from_seconds(2), name="wait-2")
    return {"completedWaits": 2}
