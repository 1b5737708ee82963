"""Conformance requirement step_1_19: our handler, written from its description."""

from _prelude import *


def fail(_):
    raise RuntimeError("always fails")


@durable_execution
def handler(event, context: DurableContext):
    return context.step(fail, name="failing", config=StepConfig(retry_strategy=NO_RETRY))
