"""Conformance requirement wait_2_2: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    context.wait(Duration.from_seconds(2), name="custom_wait_name")
    return "done"
