"""Conformance requirement child_3_2: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    return context.run_in_child_context(
        lambda child: child.step(lambda _: event["value"]), name=event["name"]
    )
