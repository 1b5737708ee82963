"""Conformance requirement wait_for_callback_7_7: our handler, written from its description."""

from _prelude import *


def submit(callback_id, _):
    raise RuntimeError("the submitter failed")


STRATEGY = create_retry_strategy(
    RetryStrategyConfig(
        max_attempts=2, initial_delay=Duration.from_seconds(1), jitter_strategy=JitterStrategy.NONE
    )
)


@durable_execution
def handler(event, context: DurableContext):
    return context.wait_for_callback(
        submit, name=event, config=WaitForCallbackConfig(retry_strategy=STRATEGY)
    )
