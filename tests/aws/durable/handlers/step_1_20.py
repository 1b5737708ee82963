"""Conformance requirement step_1_20: our handler, written from its description."""

from _prelude import *


def fail(_):
    raise RuntimeError("boom")


@durable_execution
def handler(event, context: DurableContext):
    try:
        return context.step(fail, name="failing", config=StepConfig(retry_strategy=NO_RETRY))
    except Exception:
        return context.step(lambda _: "fallback_result", name="fallback")
