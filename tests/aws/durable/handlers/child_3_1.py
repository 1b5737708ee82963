"""Conformance requirement child_3_1: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    return context.run_in_child_context(lambda child: child.step(lambda _: event), name="child")
