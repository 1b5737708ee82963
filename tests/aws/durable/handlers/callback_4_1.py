"""Conformance requirement callback_4_1: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    callback = context.create_callback(name=event)
    return callback.result()
