"""Conformance requirement step_1_5: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    return context.step(lambda _: None, name="nothing")
