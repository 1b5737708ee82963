"""Conformance requirement child_3_17: our handler, written from its description."""

from _prelude import *

logging.getLogger().setLevel(logging.INFO)  # the logs this requirement counts are INFO


def body(child, value):
    # Replay logging on: a re-execution of the body during replay would log again.
    child.logger.with_is_replaying(lambda: False).info(f"child body ran with {value}")
    return value


@durable_execution
def handler(event, context: DurableContext):
    value = context.run_in_child_context(lambda child: body(child, event), name="child")
    context.wait(Duration.from_seconds(1))
    return value
