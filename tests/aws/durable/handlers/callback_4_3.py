"""Conformance requirement callback_4_3: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    callback = context.create_callback(
        name=event, config=CallbackConfig(timeout=Duration.from_seconds(5))
    )
    return callback.result()
