"""Conformance requirement step_1_17: our handler, written from its description."""

from _prelude import *

logging.getLogger().setLevel(logging.INFO)  # the logs this requirement counts are INFO


def crash(step_context, value):
    step_context.logger.info(f"about to crash: {value}")
    os._exit(1)


@durable_execution
def handler(event, context: DurableContext):
    return context.step(
        lambda sc: crash(sc, event),
        name="at_most_once_flaky_step",
        config=StepConfig(
            step_semantics=StepSemantics.AT_MOST_ONCE_PER_RETRY, retry_strategy=NO_RETRY
        ),
    )
