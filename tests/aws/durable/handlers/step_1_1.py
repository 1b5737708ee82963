"""Conformance requirement step_1_1: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    return context.step(lambda _: f"Hello, {event}!")
