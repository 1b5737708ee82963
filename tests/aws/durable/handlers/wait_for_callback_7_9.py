"""Conformance requirement wait_for_callback_7_9: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    context.wait_for_callback(lambda callback_id, _: None, name="first")
    return context.wait_for_callback(lambda callback_id, _: None, name="second")
