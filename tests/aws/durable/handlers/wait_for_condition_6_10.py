"""Conformance requirement wait_for_condition_6_10: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    return context.wait_for_condition(
        lambda state, _: None,
        config=WaitForConditionConfig(
            wait_strategy=lambda state, attempts: WaitForConditionDecision.stop_polling(),
            initial_state=None,
        ),
    )
