"""Conformance requirement invoke_5_4: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    return context.invoke(TARGET, None)
