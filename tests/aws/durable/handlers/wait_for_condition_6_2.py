"""Conformance requirement wait_for_condition_6_2: our handler, written from its description."""

from _prelude import *

STRATEGY = create_wait_strategy(WaitStrategyConfig(should_continue_polling=lambda state: state < 5))


@durable_execution
def handler(event, context: DurableContext):
    return context.wait_for_condition(
        lambda state, _: state,
        config=WaitForConditionConfig(wait_strategy=STRATEGY, initial_state=5),
    )
