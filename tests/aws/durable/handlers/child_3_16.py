"""Conformance requirement child_3_16: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    return context.run_in_child_context(lambda child: None, name="child")
