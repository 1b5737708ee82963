"""Conformance requirement step_1_18: our handler, written from its description."""

from _prelude import *

logging.getLogger().setLevel(logging.INFO)  # the logs this requirement counts are INFO


def flaky(step_context, value):
    step_context.logger.info(f"attempt {step_context.attempt}: {value}")
    if step_context.attempt == 1:
        os._exit(1)
    return "succeeded on second attempt"


STRATEGY = create_retry_strategy(
    RetryStrategyConfig(
        max_attempts=2, initial_delay=Duration.from_seconds(1), jitter_strategy=JitterStrategy.NONE
    )
)


@durable_execution
def handler(event, context: DurableContext):
    return context.step(
        lambda sc: flaky(sc, event),
        name="flaky",
        config=StepConfig(
            step_semantics=StepSemantics.AT_MOST_ONCE_PER_RETRY, retry_strategy=STRATEGY
        ),
    )
