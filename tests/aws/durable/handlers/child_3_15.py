"""Conformance requirement child_3_15: our handler, written from its description."""

from _prelude import *


def body(child):
    raise RuntimeError("thrown in the child body")


@durable_execution
def handler(event, context: DurableContext):
    return context.run_in_child_context(body, name="child")
