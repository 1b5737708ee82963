"""Conformance requirement step_1_10: our handler, written from its description."""

from _prelude import *


def fail(_):
    raise ValueError("permanent failure")


@durable_execution
def handler(event, context: DurableContext):
    try:
        context.step(fail, name="failing", config=StepConfig(retry_strategy=NO_RETRY))
    except Exception as error:
        message = str(error)
    context.wait(Duration.from_seconds(1))
    return message
