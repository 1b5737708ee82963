"""Conformance requirement step_1_2: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    return context.step(lambda _: f"Hello, {event}!", name="custom_step_name")
