"""Conformance requirement wait_for_callback_7_1: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    return context.wait_for_callback(lambda callback_id, _: None, name=event)
