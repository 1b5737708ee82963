"""Conformance requirement step_1_7: our handler, written from its description."""

from _prelude import *

logging.getLogger().setLevel(logging.INFO)  # the logs this requirement counts are INFO


def greet(step_context, name):
    step_context.logger.info(f"Greeting step started for: {name}")
    greeting = f"Hello, {name}!"
    step_context.logger.info(f"Greeting step completed with: {greeting}")
    return greeting


@durable_execution
def handler(event, context: DurableContext):
    return context.step(lambda sc: greet(sc, event), name="greet")
