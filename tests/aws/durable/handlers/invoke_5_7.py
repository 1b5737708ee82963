"""Conformance requirement invoke_5_7: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    return context.invoke(TARGET, "x" * (200 * 1024))
