"""Conformance requirement child_3_8: our handler, written from its description."""

from _prelude import *


def fail(_):
    raise RuntimeError("always fails")


STRATEGY = create_retry_strategy(
    RetryStrategyConfig(
        max_attempts=2, initial_delay=Duration.from_seconds(1), jitter_strategy=JitterStrategy.NONE
    )
)


@durable_execution
def handler(event, context: DurableContext):
    return context.run_in_child_context(
        lambda child: child.step(fail, config=StepConfig(retry_strategy=STRATEGY)), name="child"
    )
