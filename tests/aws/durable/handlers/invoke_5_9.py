"""Conformance requirement invoke_5_9: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    result = context.invoke(TARGET, "cached")
    context.wait(Duration.from_seconds(1))
    return result
