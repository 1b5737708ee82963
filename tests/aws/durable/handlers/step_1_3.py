"""Conformance requirement step_1_3: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    first = context.step(lambda _: "first", name="first")
    return context.step(lambda _: f"{first}_second", name="second")
