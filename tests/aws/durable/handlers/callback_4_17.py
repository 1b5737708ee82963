"""Conformance requirement callback_4_17: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    first = context.create_callback(name=event[0]).result()
    second = context.create_callback(name=event[1]).result()
    return [first, second]
