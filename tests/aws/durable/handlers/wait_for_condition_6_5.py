"""Conformance requirement wait_for_condition_6_5: our handler, written from its description."""

from _prelude import *

THRESHOLD = [0]


def fixed(state, attempts):
    if state >= THRESHOLD[0]:
        return WaitForConditionDecision.stop_polling()
    return WaitForConditionDecision.continue_waiting(Duration.from_seconds(2))


@durable_execution
def handler(event, context: DurableContext):
    THRESHOLD[0] = event
    return context.wait_for_condition(
        lambda state, _: state + 1,
        config=WaitForConditionConfig(wait_strategy=fixed, initial_state=0),
    )
