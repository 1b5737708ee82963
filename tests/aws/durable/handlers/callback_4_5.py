"""Conformance requirement callback_4_5: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    callback = context.create_callback(
        name=event, config=CallbackConfig(heartbeat_timeout=Duration.from_seconds(10))
    )
    return callback.result()
