"""Conformance requirement child_3_13: our handler, written from its description."""

from _prelude import *


def body(child, value):
    child.wait(Duration.from_seconds(1))
    return value


@durable_execution
def handler(event, context: DurableContext):
    context.run_in_child_context(lambda child: body(child, event), name="child")
    return context.step(lambda _: event)
