"""Conformance requirement child_3_11: our handler, written from its description."""

from _prelude import *

logging.getLogger().setLevel(logging.INFO)  # the logs this requirement counts are INFO


def body(child, value):
    # Replay logging on: the logger also logs while the SDK replays (re-executes) the body.
    child.logger.with_is_replaying(lambda: False).info(f"building a large result from {value}")
    small = child.step(lambda _: value)
    return small * (300 * 1024 // len(small) + 1)


@durable_execution
def handler(event, context: DurableContext):
    large = context.run_in_child_context(lambda child: body(child, event), name="child")
    context.wait(Duration.from_seconds(1))
    return len(large)
