"""Conformance requirement wait_2_4: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    context.wait(Duration.from_minutes(1), name="minute")
    return "done"
