"""Conformance requirement callback_4_18: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    a = context.create_callback(name=event[0])
    b = context.create_callback(name=event[1])
    return [a.result(), b.result()]
