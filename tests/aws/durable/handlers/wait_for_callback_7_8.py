"""Conformance requirement wait_for_callback_7_8: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    return context.run_in_child_context(
        lambda child: child.wait_for_callback(lambda callback_id, _: None, name=event),
        name="wrapper",
    )
