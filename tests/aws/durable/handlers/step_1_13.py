"""Conformance requirement step_1_13: our handler, written from its description."""

from _prelude import *


def unreliable(step_context):
    if step_context.attempt < 3:
        raise RuntimeError(f"attempt {step_context.attempt} failed")
    return "third time lucky"


@durable_execution
def handler(event, context: DurableContext):
    return context.step(unreliable, name="unreliable")
