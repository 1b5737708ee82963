"""Conformance requirement child_3_9: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    value = context.run_in_child_context(lambda child: child.step(lambda _: event), name="child")
    context.wait(Duration.from_seconds(1))
    return value
