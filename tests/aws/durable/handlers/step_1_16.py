"""Conformance requirement step_1_16: our handler, written from its description."""

from _prelude import *


class TransientError(Exception):
    pass


def fail(_):
    raise TransientError("transient")


STRATEGY = create_retry_strategy(
    RetryStrategyConfig(max_attempts=3, retryable_error_types=[ValueError])
)


@durable_execution
def handler(event, context: DurableContext):
    return context.step(fail, name="transient", config=StepConfig(retry_strategy=STRATEGY))
