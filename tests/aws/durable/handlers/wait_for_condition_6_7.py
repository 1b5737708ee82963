"""Conformance requirement wait_for_condition_6_7: our handler, written from its description."""

from _prelude import *


def check(state, _):
    raise RuntimeError("the check failed")


STRATEGY = create_wait_strategy(WaitStrategyConfig(should_continue_polling=lambda s: True))


@durable_execution
def handler(event, context: DurableContext):
    return context.wait_for_condition(
        check, config=WaitForConditionConfig(wait_strategy=STRATEGY, initial_state=0)
    )
