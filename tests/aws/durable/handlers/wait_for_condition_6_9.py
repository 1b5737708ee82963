"""Conformance requirement wait_for_condition_6_9: our handler, written from its description."""

from _prelude import *


def check(state, _):
    attempts = state["attempts"] + 1
    return {"status": "DONE" if attempts >= 2 else "PENDING", "attempts": attempts}


STRATEGY = create_wait_strategy(
    WaitStrategyConfig(
        should_continue_polling=lambda state: state["status"] == "PENDING",
        initial_delay=Duration.from_seconds(1),
        jitter_strategy=JitterStrategy.NONE,
    )
)


@durable_execution
def handler(event, context: DurableContext):
    return context.wait_for_condition(
        check,
        config=WaitForConditionConfig(
            wait_strategy=STRATEGY, initial_state={"status": "PENDING", "attempts": 0}
        ),
    )
