"""Conformance requirement callback_4_13: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    callback = context.create_callback(name=event)
    try:
        message = callback.result()
    except Exception as error:
        message = f"callback failed: {error}"
    context.wait(Duration.from_seconds(2))
    return message
