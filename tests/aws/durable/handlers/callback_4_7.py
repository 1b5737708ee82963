"""Conformance requirement callback_4_7: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    callback = context.create_callback(name=event)
    context.step(lambda _: "between", name="between")
    return callback.result()
