"""Conformance requirement invoke_5_11: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    value = context.step(lambda _: "from-step", name="prepare")
    return context.invoke(TARGET, value)
