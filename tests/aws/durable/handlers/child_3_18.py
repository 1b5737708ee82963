"""Conformance requirement child_3_18: our handler, written from its description."""

from _prelude import *


def body(child, value):
    result = child.step(lambda _: value)
    child.wait(Duration.from_seconds(1))
    return result


@durable_execution
def handler(event, context: DurableContext):
    context.run_in_child_context(lambda child: body(child, event), name="child")
    result = context.step(lambda _: event)
    context.wait(Duration.from_seconds(1))
    return result
