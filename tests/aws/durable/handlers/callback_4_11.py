"""Conformance requirement callback_4_11: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    callback = context.create_callback(
        name=event, config=CallbackConfig(timeout=Duration.from_seconds(3))
    )
    context.wait(Duration.from_seconds(6))
    return callback.result()
