"""Conformance requirement wait_for_condition_6_4: our handler, written from its description."""

from _prelude import *

THRESHOLD = [0]
STRATEGY = create_wait_strategy(
    WaitStrategyConfig(
        should_continue_polling=lambda state: state < THRESHOLD[0],
        initial_delay=Duration.from_seconds(1),
        jitter_strategy=JitterStrategy.NONE,
        backoff_rate=1,
    )
)


@durable_execution
def handler(event, context: DurableContext):
    THRESHOLD[0] = event
    return context.wait_for_condition(
        lambda state, _: state + 1,
        config=WaitForConditionConfig(wait_strategy=STRATEGY, initial_state=5),
    )
