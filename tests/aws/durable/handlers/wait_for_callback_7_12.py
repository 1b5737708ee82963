"""Conformance requirement wait_for_callback_7_12: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    return context.wait_for_callback(
        lambda callback_id, _: None,
        name=event,
        config=WaitForCallbackConfig(heartbeat_timeout=Duration.from_seconds(5)),
    )
