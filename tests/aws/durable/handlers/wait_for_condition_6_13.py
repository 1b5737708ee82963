"""Conformance requirement wait_for_condition_6_13: our handler, written from its description."""

from _prelude import *


def until(limit):
    return create_wait_strategy(
        WaitStrategyConfig(
            should_continue_polling=lambda state: state < limit,
            initial_delay=Duration.from_seconds(1),
            jitter_strategy=JitterStrategy.NONE,
            backoff_rate=1,
        )
    )


@durable_execution
def handler(event, context: DurableContext):
    first = context.wait_for_condition(
        lambda state, _: state + 1,
        config=WaitForConditionConfig(wait_strategy=until(2), initial_state=0),
        name="first",
    )
    return context.wait_for_condition(
        lambda state, _: state + 1,
        config=WaitForConditionConfig(wait_strategy=until(4), initial_state=first),
        name="second",
    )
